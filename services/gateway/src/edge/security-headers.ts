import type { DemaApp } from '@dema/platform';

// Helmet's defaults, tightened where an API allows it (it is never framed).
const everyResponse: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
// JSON and images need no scripts, styles or frames at all.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'";
// The API docs page (Swagger UI) loads its own scripts and styles from this origin.
const pagePolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

/**
 * Security headers on every response of the edge (the gateway, or the all-in-one process): the set
 * @fastify/helmet sends by default, with a Content-Security-Policy that allows nothing for API
 * responses and only this origin for HTML pages. Set in onSend, so a response that an earlier hook
 * rejected (a 401 from authentication) carries them too. Media may be embedded by other sites
 * (Cross-Origin-Resource-Policy: cross-origin); everything else only by the same site.
 */
export function registerSecurityHeaders(app: DemaApp): void {
  // A callback hook, not an async one: this runs on every response, and a promise per response
  // showed in the throughput of cached catalog reads.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(everyResponse);
    if (!reply.hasHeader('content-security-policy')) {
      const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
      reply.header('content-security-policy', html ? pagePolicy : apiPolicy);
    }
    reply.header('cross-origin-resource-policy', request.url.startsWith('/media/') ? 'cross-origin' : 'same-site');
    done(null, payload);
  });
}
