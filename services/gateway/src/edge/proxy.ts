import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import proxyAddr from '@fastify/proxy-addr';
import { honoursIdempotencyKey, isCatalogImport, problemContentType, type Principal } from '@dema/contracts';
import {
  AppError,
  contentTooLarge,
  drainRequest,
  internalError,
  problemOf,
  requestIdFrom,
  type Authenticator,
  type Logger,
  type Metrics,
  type RequestTaker,
  type ServiceName,
  unavailable,
} from '@dema/platform';
import { corsHeaders } from './cors.ts';
import { exchange, type UpstreamResponse } from './exchange.ts';
import { splitTarget } from './request-target.ts';
import type { EdgePolicies } from './policies.ts';
import { anyServicePaths, serviceFor } from './routes-table.ts';
import { apiCacheControl, isApiTarget, securityHeaders } from './security-headers.ts';
import { describeError, type UpstreamInstance, type UpstreamPool } from './upstream-pool.ts';

export interface ProxyOptions {
  pools: Partial<Record<ServiceName, UpstreamPool>>;
  /** Longest wait for an upstream's response headers (and between body chunks) → 504. */
  timeoutMs: number;
  bodyLimit: number;
  /** The body limit of a catalog import (DEMA_IMPORT_BODY_LIMIT), the one route allowed past `bodyLimit`. */
  importBodyLimit: number;
  /** Verifies a request's access token (the User service's keys, the session store). */
  authenticate: Authenticator;
  /** The gateway's edge policies, the same its own routes answer under. */
  policies: EdgePolicies;
  /** Proxies in front of the gateway whose X-Forwarded-For is believed (DEMA_TRUST_PROXY). */
  trustProxy: string[];
  log: Logger;
  metrics: Metrics;
  /** The `service` label forwarded requests are counted under: the gateway's own. */
  metricsLabel: string;
  /** Told of each attempt that failed and whether another instance was tried. */
  onAttemptFailed?: (service: ServiceName, outcome: 'retried' | 'final', reason: string) => void;
}

/** The gateway's forwarding: `take` for `createHttpServer`, and `close` when the gateway closes. */
export interface Proxy {
  take: RequestTaker;
  /** From now on a forwarded request is answered 503 with Connection: close, as Fastify's routes are. */
  close(): void;
  /** Resolves once no forwarded request is in flight: only then may the upstream connections go. */
  settled(): Promise<void>;
}

// OPTIONS is the edge's own (CORS preflight), never forwarded.
const forwardedMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
// Fastify reads a body for these; a GET or HEAD body is not read, nor passed on.
const methodsWithBody = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// RFC 9110 §7.6.1 hop-by-hop fields, and what the gateway itself sets on the way in.
const requestHeadersNotForwarded = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'host',
  'content-length',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-request-id',
  // Service-to-service credential: a client has no business sending it, and /internal is never forwarded anyway.
  'x-dema-service-token',
]);
const responseHeadersNotForwarded = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'date']);

// The instance never got the request: it refused the connection or could not be reached.
const notDeliveredCodes = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// The connection broke after the request may have been sent.
const droppedCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type Failure = 'not-delivered' | 'dropped' | 'unavailable';

const bufferedBodyLimit = 1_048_576;
const anonymous: Principal = { kind: 'anonymous' };
const noFields: string[] = [];

/**
 * Whether a request may be sent once more, to another instance, after its first failed. Safe methods and
 * PUT/DELETE are idempotent (RFC 9110 §9.2.2); a POST or PATCH is only on a route that honours an
 * Idempotency-Key (`idempotencyKeyRoutes`, placing an order) and when it carries one, which the service
 * uses to answer a repeat with the first outcome. Elsewhere a key proves nothing: the service ignores it,
 * and the first instance may already have applied the request. A POST that may not be retried is never
 * sent twice, even when the first instance refused it: the rule stays simple to state.
 */
export function mayRetry(method: string, path: string, headers: IncomingHttpHeaders): boolean {
  if (method === 'POST' || method === 'PATCH') {
    const key = headers['idempotency-key'];
    return typeof key === 'string' && key.length > 0 && honoursIdempotencyKey(method, path);
  }
  return true;
}

/**
 * The route a forwarded request is counted under in the metrics, from its normalized path; undefined
 * for paths outside the forwarded ones (`/api/*`, `/media/*`, `/.well-known/jwks.json`).
 */
function forwardedRoute(path: string): string | undefined {
  if (path.startsWith('/api/')) return '/api/*';
  if (path.startsWith('/media/')) return '/media/*';
  return path === '/.well-known/jwks.json' || path === '/.well-known/jwks.json/' ? '/.well-known/jwks.json' : undefined;
}

/**
 * The service that owns a target, or undefined. An encoded slash could be decoded into a separator by
 * some server behind us; no Dema path has one.
 */
function owner(pathname: string, pools: ProxyOptions['pools']): ServiceName | undefined {
  if (/%2f|%5c/i.test(pathname)) return undefined;
  if (anyServicePaths.has(pathname)) return (Object.keys(pools) as ServiceName[])[0];
  return serviceFor(pathname);
}

/**
 * Forwards the public paths to the instances of the service that owns them (seed: Load Balancing),
 * under the edge's authentication and policies: the gateway's hot path, on plain `node:http`
 * request and response objects rather than a Fastify route (a route's request, reply, child logger
 * and hook chain cost the gateway about a third of its CPU per proxied read, `npm run
 * bench:cluster`). In order: the access token is verified (a bad one is a 401 no service sees), the
 * rate limit counted, the body read within the limit (413), then the request goes round-robin to a
 * healthy instance; one that refuses, drops it or answers 503 is replaced by another once when
 * `mayRetry` allows; no response headers within `timeoutMs` → 504. The client's request id,
 * address and protocol travel in `x-request-id` and `x-forwarded-*`; bodies pass as bytes, so every
 * check on them stays the service's. Every answer, the service's or the gateway's problem, gets
 * the same headers as the gateway's own routes (security, CORS, rate limit, request id) and is
 * counted in `http_requests_*` and the access log like theirs.
 *
 * Targets no service owns are left to the gateway's own routes (docs, health, monitoring) and its
 * 404, as are OPTIONS requests (CORS preflights).
 */
export function createProxy(options: ProxyOptions): Proxy {
  const { pools, policies, log, metrics } = options;
  const trusted = options.trustProxy.length > 0 ? proxyAddr.compile(options.trustProxy) : undefined;
  let closing = false;
  const inFlight = new Set<Promise<void>>();

  /** Client first, then each trusted proxy, as X-Forwarded-For lists them. */
  const addressChain = (request: IncomingMessage): string[] => {
    if (!trusted) return [request.socket.remoteAddress ?? ''];
    return proxyAddr.all(request, trusted).reverse();
  };
  const protocolOf = (request: IncomingMessage): string => {
    const forwarded = request.headers['x-forwarded-proto'];
    if (trusted && typeof forwarded === 'string' && forwarded && trusted(request.socket.remoteAddress ?? '', 0)) {
      return forwarded.slice(forwarded.lastIndexOf(',') + 1).trim();
    }
    return (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  };

  function take(request: IncomingMessage, response: ServerResponse): boolean {
    const method = request.method ?? '';
    const url = request.url ?? '/';
    if (!forwardedMethods.has(method)) return false;
    const { pathname, search } = splitTarget(url);
    const route = forwardedRoute(pathname);
    if (route === undefined) return false;
    const service = owner(pathname, pools);
    if (service === undefined) return false;
    const forwarding = forward({
      request,
      response,
      method,
      url,
      route,
      service,
      pathname,
      target: pathname + search,
      id: requestIdFrom(request.headers['x-request-id']),
      started: performance.now(),
    });
    inFlight.add(forwarding);
    void forwarding.finally(() => inFlight.delete(forwarding));
    return true;
  }

  /** One forwarded request on its way. */
  interface Proxied {
    request: IncomingMessage;
    response: ServerResponse;
    method: string;
    url: string;
    route: string;
    service: ServiceName;
    /** The path as resolved: what is routed, limited and sent. */
    pathname: string;
    /** Path (resolved) and query sent to the instance. */
    target: string;
    id: string;
    started: number;
    /** Rate-limit fields, once counted. */
    limitHeaders?: Record<string, string>;
  }

  async function forward(proxied: Proxied): Promise<void> {
    const { request, method, service } = proxied;
    if (closing) {
      sendProblem(proxied, upstreamUnavailable(503, 'The gateway is shutting down'), true);
      return;
    }
    try {
      const chain = addressChain(request);
      let principal = anonymous;
      if (request.headers.authorization !== undefined) {
        try {
          principal = await options.authenticate(request);
        } catch (error) {
          // Refused credentials count against the address, so a flood of bad tokens meets its limit (429).
          const counted = policies.rateLimit.check(method, proxied.pathname, { principal: anonymous, ip: chain[0]! });
          if (counted !== undefined) proxied.limitHeaders = await counted;
          throw error;
        }
      }
      const counted = policies.rateLimit.check(method, proxied.pathname, { principal, ip: chain[0]! });
      if (counted !== undefined) proxied.limitHeaders = await counted;
      // A catalog file is held whole here too, like any body: imports are rare and admin-only, and
      // streamed, a slow client's upload would run into undici's headers timeout (it counts from the
      // start of the request, renewed only when the instance's socket pushes back): a 504.
      const limit = isCatalogImport(method, proxied.pathname) ? options.importBodyLimit : options.bodyLimit;
      const body = methodsWithBody.has(method) && hasBody(request.headers) ? await readBody(request, limit) : undefined;
      const pool = pools[service];
      if (!pool) throw upstreamUnavailable(503, `The ${service} service is not deployed behind this gateway`);
      const answer = await attempt(proxied, pool, upstreamHeaders(request, chain, protocolOf(request), proxied.id), body);
      send(proxied, answer);
    } catch (error) {
      sendProblem(proxied, error);
    }
  }

  /** Asks the instances in turn (at most two), as `mayRetry` allows. */
  async function attempt(
    proxied: Proxied,
    pool: UpstreamPool,
    headers: Record<string, string | string[]>,
    body: Buffer | undefined,
  ): Promise<UpstreamResponse> {
    const { request, method, service } = proxied;
    // A client that leaves does not cancel its upstream request: the timeouts bound it, and an
    // AbortController per request costs more, at thousands a second, than the rare request it would save.
    const tried = new Set<UpstreamInstance>();
    let lastFailure: { kind: Failure; reason: string } | undefined;
    for (;;) {
      const instance = pool.pick(tried);
      if (!instance) break;
      tried.add(instance);
      let response: UpstreamResponse;
      try {
        response = await exchange(instance.dispatcher, {
          path: proxied.target,
          method,
          headers,
          body,
          timeoutMs: options.timeoutMs,
          bufferLimit: bufferedBodyLimit,
        });
      } catch (error) {
        const code = errorCode(error);
        if (code && timeoutCodes.has(code)) {
          options.onAttemptFailed?.(service, 'final', 'timeout');
          throw upstreamUnavailable(504, `The ${service} service did not answer within ${options.timeoutMs} ms`);
        }
        const kind: Failure = code && notDeliveredCodes.has(code) ? 'not-delivered' : 'dropped';
        if (kind === 'not-delivered' || (code && droppedCodes.has(code))) pool.eject(instance, describeError(error));
        else log.error({ reqId: proxied.id, err: error, upstream: instance.url }, 'upstream request failed');
        lastFailure = { kind, reason: describeError(error) };
        if (tried.size < 2 && mayRetry(method, proxied.pathname, request.headers)) {
          options.onAttemptFailed?.(service, 'retried', lastFailure.reason);
          continue;
        }
        options.onAttemptFailed?.(service, 'final', lastFailure.reason);
        break;
      }

      if (response.statusCode === 503 && tried.size < 2 && mayRetry(method, proxied.pathname, request.headers)) {
        // A closing instance (Fastify's return503OnClosing) says so with Connection: close: out it goes.
        if (String(response.headers.connection ?? '').toLowerCase() === 'close') pool.eject(instance, 'answered 503 while closing');
        lastFailure = { kind: 'unavailable', reason: 'answered 503' };
        if (pool.pick(tried)) {
          if (response.body instanceof Readable) response.body.destroy();
          options.onAttemptFailed?.(service, 'retried', lastFailure.reason);
          continue;
        }
        // No one else to ask: the 503 is the answer.
        if (response.body instanceof Readable) {
          response.body.destroy();
          throw upstreamUnavailable(503, `The ${service} service is unavailable`);
        }
      }
      return response;
    }
    if (!lastFailure) throw upstreamUnavailable(503, `No healthy instance of the ${service} service`);
    if (lastFailure.kind === 'dropped') throw upstreamUnavailable(502, `The ${service} service dropped the connection (${lastFailure.reason})`);
    throw upstreamUnavailable(503, `The ${service} service could not be reached (${lastFailure.reason})`);
  }

  /** The instance's answer, with the edge's headers. */
  function send(proxied: Proxied, answer: UpstreamResponse): void {
    const { response } = proxied;
    const headers: OutgoingHttpHeaders = {};
    for (const name in answer.headers) {
      if (!responseHeadersNotForwarded.has(name)) headers[name] = answer.headers[name];
    }
    const contentType = answer.headers['content-type'];
    addEdgeHeaders(proxied, headers, typeof contentType === 'string' ? contentType : undefined, answer.headers['content-security-policy'] !== undefined);
    response.once('finish', () => finished(proxied));
    response.writeHead(answer.statusCode, headers);
    const body = answer.body;
    if (body instanceof Readable) {
      // A client that goes away destroys the stream, which ends the upstream request with it.
      pipeline(body, response, (error) => {
        if (error && !response.writableFinished) log.warn({ reqId: proxied.id, err: error }, 'forwarded answer cut short');
      });
    } else response.end(body);
  }

  /**
   * A problem+json answer of the gateway's own: a 401, 429, 413, 502, 503 or 504, or a 500 for the
   * unforeseen; `closeConnection` while the gateway is closing.
   */
  function sendProblem(proxied: Proxied, error: unknown, closeConnection = false, drained = false): void {
    const { response } = proxied;
    // The client went away (say, half-way through sending its body): no one is left to answer.
    if (response.destroyed) return;
    const known = error instanceof AppError ? error : internalError();
    if (known.status >= 500 && !closeConnection && !drained) log.error({ reqId: proxied.id, err: error }, 'request failed');
    if (response.headersSent) {
      response.destroy();
      return;
    }
    // A body refused before it was read whole (a 413, a 401): read the rest first, or the client
    // still sending it gets a reset instead of this answer.
    if (!drained && !proxied.request.complete) {
      void drainRequest(proxied.request).then((ended) => sendProblem(proxied, error, closeConnection || !ended, true));
      return;
    }
    const body = JSON.stringify(problemOf(known.status, known.code, known.message, proxied));
    const headers: OutgoingHttpHeaders = {
      'content-type': `${problemContentType}; charset=utf-8`,
      'content-length': Buffer.byteLength(body),
      ...known.headers,
    };
    if (closeConnection) headers.connection = 'close';
    addEdgeHeaders(proxied, headers, problemContentType, false);
    response.once('finish', () => finished(proxied));
    response.writeHead(known.status, headers);
    response.end(body);
  }

  function addEdgeHeaders(proxied: Proxied, headers: OutgoingHttpHeaders, contentType: string | undefined, hasPolicy: boolean): void {
    for (const [name, value] of securityHeaders(proxied.url, contentType, hasPolicy)) headers[name] = value;
    if (headers['cache-control'] === undefined && isApiTarget(proxied.url)) headers['cache-control'] = apiCacheControl;
    const vary = headers.vary;
    const cors = corsHeaders(policies.corsOrigins, proxied.request.headers.origin, typeof vary === 'string' ? vary : undefined);
    if (cors) for (const [name, value] of cors) headers[name] = value;
    if (proxied.limitHeaders) Object.assign(headers, proxied.limitHeaders);
    headers['x-request-id'] = proxied.id;
  }

  /** What the platform kit's onResponse hook does for a route: the request's metrics and access log line. */
  function finished(proxied: Proxied): void {
    const ms = performance.now() - proxied.started;
    const statusCode = proxied.response.statusCode;
    metrics.observeRequest(proxied.method, proxied.route, statusCode, options.metricsLabel, ms / 1000);
    if (log.isLevelEnabled('info'))
      log.info({ reqId: proxied.id, method: proxied.method, url: proxied.url, statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
  }

  return {
    take,
    close() {
      closing = true;
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/** The request body, whole; a 413 AppError once it exceeds `limit` (said up front by Content-Length, or counted). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => contentTooLarge(`The body exceeds the limit of ${limit} bytes`);
  if (Number(request.headers['content-length']) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        // The rest is read and dropped before the 413 is sent (sendProblem), so the client can read it.
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, size)));
    request.once('error', reject);
  });
}

/** A 503 may pass as soon as another instance is up: the client is told to retry after a second. */
function upstreamUnavailable(status: 502 | 503 | 504, detail: string): AppError {
  return unavailable(detail, status === 503 ? 1 : undefined, status);
}

function errorCode(error: unknown): string | undefined {
  const err = error as { code?: string; cause?: { code?: string } };
  return err.code ?? err.cause?.code;
}

/**
 * The request's headers minus hop-by-hop ones, plus where it came from. X-Forwarded-For is rebuilt
 * from the addresses the gateway trusts (the client, then any trusted proxies): a value a client
 * made up is never passed on.
 */
function upstreamHeaders(request: IncomingMessage, chain: string[], protocol: string, id: string): Record<string, string | string[]> {
  // Connection may name more hop-by-hop fields (its usual values name none).
  const connection = request.headers.connection;
  const alsoDropped =
    typeof connection === 'string' && connection !== 'keep-alive' && connection !== 'close'
      ? connection.split(',').map((name) => name.trim().toLowerCase())
      : noFields;
  const headers: Record<string, string | string[]> = {};
  for (const name in request.headers) {
    const value = request.headers[name];
    if (value !== undefined && !requestHeadersNotForwarded.has(name) && !alsoDropped.includes(name)) headers[name] = value;
  }
  headers['x-forwarded-for'] = chain.join(', ');
  headers['x-forwarded-proto'] = protocol;
  if (request.headers.host) headers['x-forwarded-host'] = request.headers.host;
  headers['x-request-id'] = id;
  return headers;
}
