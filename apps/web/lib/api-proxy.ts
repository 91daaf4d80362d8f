import { ErrorCode, problemContentType, problemType } from '@dema/contracts';
import { apiBaseUrl } from './config.ts';

/**
 * The same-origin door from the browser to the API: `/api/*` and `/media/*` on the web app are
 * forwarded to the gateway as they are, so the browser never needs CORS and never learns the API's
 * address. Only a fixed set of headers crosses, in each direction (no cookies: the API is
 * bearer-token only, and the refresh cookie must never leave the web app).
 */
const requestHeaders = ['accept', 'accept-language', 'authorization', 'content-type', 'idempotency-key', 'if-none-match', 'x-request-id'];
const responseHeaders = ['cache-control', 'content-type', 'etag', 'last-modified', 'location', 'retry-after', 'www-authenticate', 'x-request-id'];

/** The headers that tell the API who the real client is, for its per-address throttling and logs. */
export function forwardingHeaders(request: Request): Headers {
  const headers = new Headers();
  const url = new URL(request.url);
  const forwardedFor = request.headers.get('x-forwarded-for');
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
  headers.set('x-forwarded-proto', request.headers.get('x-forwarded-proto') ?? url.protocol.replace(':', ''));
  headers.set('x-forwarded-host', request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? url.host);
  return headers;
}

/** Forwards `request` to the API at `pathAndQuery`; a down API becomes a 503 problem, not a hang. */
export async function forwardToApi(request: Request, pathAndQuery: string): Promise<Response> {
  const headers = forwardingHeaders(request);
  for (const name of requestHeaders) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(`${apiBaseUrl()}${pathAndQuery}`, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : null,
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    return unavailable();
  }
  const out = new Headers();
  for (const name of responseHeaders) {
    const value = upstream.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: out });
}

/** A 503 problem+json saying the API cannot be reached. */
export function unavailable(): Response {
  return Response.json(
    {
      type: problemType(ErrorCode.UNAVAILABLE),
      title: 'Service Unavailable',
      status: 503,
      code: ErrorCode.UNAVAILABLE,
      detail: 'The store is temporarily unavailable. Please try again in a moment.',
    },
    { status: 503, headers: { 'content-type': problemContentType, 'retry-after': '5' } },
  );
}
