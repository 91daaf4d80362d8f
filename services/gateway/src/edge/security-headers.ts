import type { DemaApp } from '@dema/platform';

/** Response header fields as name/value pairs, names in lower case. */
export type HeaderPairs = ReadonlyArray<readonly [string, string]>;

// Helmet's defaults, tightened where an API allows it (it is never framed).
const everyResponse: HeaderPairs = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];
// JSON and images need no scripts, styles or frames at all.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'";
// The API docs page (Swagger UI) loads its own scripts and styles from this origin.
const pagePolicy =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

// Every combination, built once: these headers go on every response the edge sends.
const withPolicy = (corp: string, policy?: string): HeaderPairs => [
  ...everyResponse,
  ...(policy ? ([['content-security-policy', policy]] as const) : []),
  ['cross-origin-resource-policy', corp],
];
const sets = {
  media: { api: withPolicy('cross-origin', apiPolicy), page: withPolicy('cross-origin', pagePolicy), own: withPolicy('cross-origin') },
  other: { api: withPolicy('same-site', apiPolicy), page: withPolicy('same-site', pagePolicy), own: withPolicy('same-site') },
};

/**
 * The security headers of one edge response: the set @fastify/helmet sends by default, with a
 * Content-Security-Policy that allows nothing for API responses and only this origin for HTML pages
 * (none when the response brings its own, `hasPolicy`). Media may be embedded by other sites
 * (Cross-Origin-Resource-Policy: cross-origin); everything else only by the same site.
 */
export function securityHeaders(url: string, contentType: string | undefined, hasPolicy: boolean): HeaderPairs {
  const set = url.startsWith('/media/') ? sets.media : sets.other;
  if (hasPolicy) return set.own;
  return contentType?.startsWith('text/html') ? set.page : set.api;
}

/**
 * What a shared cache (a CDN in front of the edge) may keep of an API answer that says nothing
 * itself: nothing. Most API answers are someone's (a cart, an order, a token, by cookie as well as
 * by bearer); the public ones, catalog reads, say so with their own Cache-Control.
 */
export const apiCacheControl = 'private, no-store';

/** Whether `url` is the API's, whose answers get `apiCacheControl` unless they carry their own. */
export function isApiTarget(url: string): boolean {
  return url.startsWith('/api/') || url === '/graphql' || url.startsWith('/graphql?');
}

/**
 * `securityHeaders` on every response of a Fastify app (the all-in-one process, the gateway's own
 * routes), and `apiCacheControl` on API answers that carry no Cache-Control. Set in onSend, so a response that an earlier hook rejected (a 401 from authentication)
 * carries them too.
 */
export function registerSecurityHeaders(app: DemaApp): void {
  // A callback hook, not an async one: this runs on every response, and a promise per response
  // showed in the throughput of cached catalog reads.
  app.addHook('onSend', (request, reply, payload, done) => {
    const contentType = reply.getHeader('content-type');
    for (const [name, value] of securityHeaders(
      request.url,
      typeof contentType === 'string' ? contentType : undefined,
      reply.hasHeader('content-security-policy'),
    )) {
      reply.header(name, value);
    }
    if (isApiTarget(request.url) && !reply.hasHeader('cache-control')) reply.header('cache-control', apiCacheControl);
    done(null, payload);
  });
}
