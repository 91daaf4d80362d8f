import { catalogTooLarge, ErrorCode, isCatalogImport, problemContentType, problemType } from '@dema/contracts';
import { apiBaseUrl, apiBodyLimit, importBodyLimit } from './config.ts';
import { bodyTooLarge, type CountedBody, readBodyWithin, streamBodyWithin } from './request-body.ts';

/**
 * The same-origin door from the browser to the API: `/api/*` and `/media/*` on the web app are
 * forwarded to the gateway as they are, so the browser never needs CORS and never learns the API's
 * address. Only a fixed set of headers crosses, in each direction (no cookies: the API is
 * bearer-token only, and the refresh cookie must never leave the web app).
 */
const requestHeaders = ['accept', 'accept-language', 'authorization', 'content-type', 'idempotency-key', 'if-none-match', 'x-request-id'];
const responseHeaders = ['cache-control', 'content-type', 'etag', 'last-modified', 'location', 'retry-after', 'www-authenticate', 'x-request-id'];
/** How long the API has to answer a request it was sent whole. */
const upstreamTimeoutMs = 30_000;

/**
 * The headers that tell the API who the real client is, for its per-address throttling and logs:
 * those of the request `incoming` (which web-server.ts has rewritten from the connection, so a
 * visitor cannot choose its own address), `url` standing in for a missing protocol or host.
 */
export function forwardingHeadersOf(incoming: Headers, url?: URL): Headers {
  const headers = new Headers();
  const forwardedFor = incoming.get('x-forwarded-for');
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
  const proto = incoming.get('x-forwarded-proto') ?? url?.protocol.replace(':', '');
  if (proto) headers.set('x-forwarded-proto', proto);
  const host = incoming.get('x-forwarded-host') ?? incoming.get('host') ?? url?.host;
  if (host) headers.set('x-forwarded-host', host);
  return headers;
}

/** The forwarding headers of a request a route handler received. */
export function forwardingHeaders(request: Request): Headers {
  return forwardingHeadersOf(request.headers, new URL(request.url));
}

/** A signal that aborts `ms` after `start` resolves: the API's time to answer, once it has the whole request. */
function timeoutAfter(start: Promise<void>, ms: number): AbortSignal {
  const controller = new AbortController();
  void start.then(() => setTimeout(() => controller.abort(new DOMException('The API did not answer in time', 'TimeoutError')), ms).unref());
  return controller.signal;
}

/**
 * Forwards `request` to the API at `pathAndQuery`; a down API becomes a 503 problem, not a hang.
 * A plain fetch, not `@dema/client`: a proxy passes any request and its answer through as they are
 * (body streamed, status and problem untouched, no token added, no retry), which is what the
 * browser's own client, on the other side of it, relies on.
 */
export async function forwardToApi(request: Request, pathAndQuery: string): Promise<Response> {
  const headers = forwardingHeaders(request);
  for (const name of requestHeaders) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  let body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | null = null;
  let upload: CountedBody | null = null;
  const importLimit = importBodyLimit();
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    if (isCatalogImport(request.method, pathAndQuery.split('?', 1)[0]!)) {
      // A catalog file may be tens of megabytes (DEMA_IMPORT_BODY_LIMIT): passed on as it arrives,
      // never held here, as the API reads it.
      upload = streamBodyWithin(request, importLimit);
      if (upload === null) return bodyTooLarge(importLimit, catalogTooLarge(importLimit));
      body = upload.stream;
    } else {
      // Nothing the API would take is larger: refuse the rest instead of reading it for the API's 413.
      const limit = apiBodyLimit();
      body = await readBodyWithin(request, limit);
      if (body === null) return bodyTooLarge(limit);
    }
  }
  let upstream: Response;
  try {
    upstream = await fetch(`${apiBaseUrl()}${pathAndQuery}`, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
      cache: 'no-store',
      // An upload takes as long as the client takes to send it; the API's time starts after.
      signal: upload ? timeoutAfter(upload.ended, upstreamTimeoutMs) : AbortSignal.timeout(upstreamTimeoutMs),
      // Required by fetch for a body that is a stream.
      ...(upload ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch {
    if (upload?.exceeded()) return bodyTooLarge(importLimit, catalogTooLarge(importLimit));
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
