import { forbidden, problemResponses, type DemaApp } from '@dema/platform';
import Type from 'typebox';

export interface CorsOptions {
  /** Exact origins (`scheme://host[:port]`) whose pages may call the API. */
  origins: ReadonlySet<string>;
  /** How long a browser may cache a preflight answer. */
  maxAgeSeconds?: number;
}

const allowedMethods = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const allowedHeaders = ['authorization', 'content-type', 'idempotency-key', 'x-request-id'];
// What a page's script may read besides the CORS-safelisted headers: limits, ids, challenges.
const exposedHeaders = 'x-request-id, retry-after, ratelimit, ratelimit-policy, www-authenticate, location';

/**
 * The CORS fields to set on an answer to a request from `origin`, given the answer's own `vary`:
 * Vary gains `origin` (the answer differs by it), and an allowed origin is granted along with the
 * headers its scripts may read. None for a request without an Origin.
 */
export function corsHeaders(origins: ReadonlySet<string>, origin: string | undefined, vary: string | undefined): Array<[string, string]> | undefined {
  if (origin === undefined) return undefined;
  const headers: Array<[string, string]> = [];
  const varied = appendVary(vary, 'origin');
  if (varied !== undefined) headers.push(['vary', varied]);
  // Credentials (the browser's refresh cookie) only for an origin on the list, named exactly: never `*`,
  // never an echo of whatever Origin came.
  if (origins.has(origin))
    headers.push(['access-control-allow-origin', origin], ['access-control-allow-credentials', 'true'], ['access-control-expose-headers', exposedHeaders]);
  return headers;
}

/**
 * CORS (Fetch standard) for the configured origins. Headers are added in onSend, so they are on
 * every answer — also a 401 that the authentication hook sent before any later onRequest hook could
 * run, which a browser must be able to read to know it should refresh its token. Preflights
 * (`OPTIONS` with Access-Control-Request-Method) are answered here and never forwarded; from an
 * origin not on the list they get a 403 problem. Credentialed requests (the cookie flow's refresh
 * cookie) are allowed for the listed origins only; the cookie routes check Origin themselves too.
 */
export function registerCors(app: DemaApp, options: CorsOptions): void {
  const { origins } = options;
  const maxAge = String(options.maxAgeSeconds ?? 600);

  // A callback hook: it runs on every response (see security-headers.ts).
  app.addHook('onSend', (request, reply, payload, done) => {
    const vary = reply.getHeader('vary');
    for (const [name, value] of corsHeaders(origins, request.headers.origin, typeof vary === 'string' ? vary : undefined) ?? []) reply.header(name, value);
    done(null, payload);
  });

  app.options(
    '*',
    {
      schema: {
        hide: true,
        headers: Type.Object({ origin: Type.Optional(Type.String()), 'access-control-request-method': Type.Optional(Type.String()) }),
        response: { 204: Type.Null(), ...problemResponses(403) },
      },
    },
    async (request, reply) => {
      const origin = request.headers.origin;
      const preflight = origin !== undefined && request.headers['access-control-request-method'] !== undefined;
      if (!preflight) return reply.status(204).header('allow', `${allowedMethods}, OPTIONS`).send(null);
      if (!origins.has(origin)) throw forbidden(`Origin ${origin} may not call this API (DEMA_CORS_ORIGINS)`);
      const vary = appendVary(reply.getHeader('vary'), 'access-control-request-headers');
      if (vary !== undefined) reply.header('vary', vary);
      return reply
        .status(204)
        .header('access-control-allow-methods', allowedMethods)
        .header('access-control-allow-headers', allowedHeaders.join(', '))
        .header('access-control-max-age', maxAge)
        .send(null);
    },
  );
}

/** `current` Vary with `field` added; undefined when it is there already (or `*`). */
function appendVary(current: unknown, field: string): string | undefined {
  const present = String(current ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  if (present.includes('*') || present.includes(field)) return undefined;
  return [...present, field].join(', ');
}
