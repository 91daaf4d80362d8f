import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { ErrorCode } from '@dema/contracts';
import { AppError, notFound, type DemaApp, type ServiceName } from '@dema/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { anyServicePaths, serviceFor } from './routes-table.ts';
import { exchange, type UpstreamResponse } from './exchange.ts';
import { describeError, type UpstreamInstance, type UpstreamPool } from './upstream-pool.ts';

export interface ProxyOptions {
  pools: Partial<Record<ServiceName, UpstreamPool>>;
  /** Longest wait for an upstream's response headers (and between body chunks) → 504. */
  timeoutMs: number;
  bodyLimit: number;
  /** Told of each attempt that failed and whether another instance was tried. */
  onAttemptFailed?: (service: ServiceName, outcome: 'retried' | 'final', reason: string) => void;
}

/** The paths the gateway forwards; `/internal/*` and anything else are not among them. */
const forwardedPaths = ['/api/*', '/media/*', '/.well-known/jwks.json'];
// OPTIONS is the edge's own (CORS preflight), never forwarded.
const forwardedMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

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

/**
 * The path and query of a request target, with `.`/`..` segments (also as `%2e`) and backslashes
 * resolved as a server behind us could resolve them (WHATWG URL rules): routing decides on the path
 * the service would see. Targets without anything to resolve skip the URL parser.
 */
export function splitTarget(url: string): { pathname: string; search: string } {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!/[.%\\]/.test(path)) return { pathname: path, search: query === -1 ? '' : url.slice(query) };
  const parsed = new URL(url, 'http://gateway.invalid');
  return { pathname: parsed.pathname, search: parsed.search };
}

/**
 * Whether a request may be sent once more, to another instance, after its first failed. Safe methods and
 * PUT/DELETE are idempotent (RFC 9110 §9.2.2); a POST or PATCH is only when it carries an
 * Idempotency-Key, which the service uses to answer a repeat with the first outcome. A POST without
 * one is never sent twice, even when the first instance refused it: the rule stays simple to state.
 */
export function mayRetry(method: string, headers: IncomingHttpHeaders): boolean {
  if (method === 'POST' || method === 'PATCH') return typeof headers['idempotency-key'] === 'string' && headers['idempotency-key'].length > 0;
  return true;
}

/**
 * Forwards the public paths to the instances of the service that owns them (seed: Load Balancing):
 * round-robin over healthy instances; a request whose instance refuses, drops it or answers 503 is
 * sent once more to another instance when `mayRetry` allows; no response headers within
 * `timeoutMs` → 504. The client's request id, address and protocol travel in `x-request-id` and
 * `x-forwarded-*`; bodies are passed through as bytes, so every check on them stays the service's.
 */
export async function registerProxy(app: DemaApp, options: ProxyOptions): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));
    for (const url of forwardedPaths) {
      scope.route({
        method: forwardedMethods,
        url,
        exposeHeadRoute: false,
        schema: { hide: true },
        handler: (request, reply) => forward(request, reply, options),
      });
    }
  });
}

async function forward(request: FastifyRequest, reply: FastifyReply, options: ProxyOptions): Promise<FastifyReply | undefined> {
  const { pathname, search } = splitTarget(request.url);
  // An encoded slash could be decoded into a separator by some server behind us; no Dema path has one.
  const routable = !/%2f|%5c/i.test(pathname);
  const service = !routable ? undefined : anyServicePaths.has(pathname) ? firstConfigured(options.pools) : serviceFor(pathname);
  if (!service) throw notFound(ErrorCode.NOT_FOUND, `No route ${request.method} ${pathname}`);
  const pool = options.pools[service];
  if (!pool) throw unavailable(503, `The ${service} service is not deployed behind this gateway`);

  const headers = upstreamHeaders(request);
  const body = request.body instanceof Buffer ? request.body : undefined;
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
        path: pathname + search,
        method: request.method,
        headers,
        body,
        timeoutMs: options.timeoutMs,
        bufferLimit: bufferedBodyLimit,
      });
    } catch (error) {
      const code = errorCode(error);
      if (code && timeoutCodes.has(code)) {
        options.onAttemptFailed?.(service, 'final', 'timeout');
        throw unavailable(504, `The ${service} service did not answer within ${options.timeoutMs} ms`);
      }
      const kind: Failure = code && notDeliveredCodes.has(code) ? 'not-delivered' : 'dropped';
      if (kind === 'not-delivered' || (code && droppedCodes.has(code))) pool.eject(instance, describeError(error));
      else request.log.error({ err: error, upstream: instance.url }, 'upstream request failed');
      lastFailure = { kind, reason: describeError(error) };
      if (tried.size < 2 && mayRetry(request.method, request.headers)) {
        options.onAttemptFailed?.(service, 'retried', lastFailure.reason);
        continue;
      }
      options.onAttemptFailed?.(service, 'final', lastFailure.reason);
      break;
    }

    if (response.statusCode === 503 && tried.size < 2 && mayRetry(request.method, request.headers)) {
      // A closing instance (Fastify's return503OnClosing) says so with Connection: close: out it goes.
      if (String(response.headers.connection ?? '').toLowerCase() === 'close') pool.eject(instance, 'answered 503 while closing');
      if (response.body instanceof Readable) response.body.destroy();
      lastFailure = { kind: 'unavailable', reason: 'answered 503' };
      if (pool.pick(tried)) {
        options.onAttemptFailed?.(service, 'retried', lastFailure.reason);
        continue;
      }
      // No one else to ask: the 503 is the answer.
      if (response.body instanceof Readable) throw unavailable(503, `The ${service} service is unavailable`);
    }

    reply.status(response.statusCode);
    for (const name in response.headers) {
      if (!responseHeadersNotForwarded.has(name)) reply.header(name, response.headers[name]);
    }
    return reply.send(response.body);
  }

  if (!lastFailure) throw unavailable(503, `No healthy instance of the ${service} service`);
  if (lastFailure.kind === 'dropped') throw unavailable(502, `The ${service} service dropped the connection (${lastFailure.reason})`);
  throw unavailable(503, `The ${service} service could not be reached (${lastFailure.reason})`);
}

function unavailable(status: 502 | 503 | 504, detail: string): AppError {
  return new AppError(status, ErrorCode.UNAVAILABLE, detail, undefined, status === 503 ? { 'retry-after': '1' } : undefined);
}

function firstConfigured(pools: Partial<Record<ServiceName, UpstreamPool>>): ServiceName | undefined {
  return (Object.keys(pools) as ServiceName[])[0];
}

function errorCode(error: unknown): string | undefined {
  const err = error as { code?: string; cause?: { code?: string } };
  return err.code ?? err.cause?.code;
}

/**
 * The request's headers minus hop-by-hop ones, plus where it came from. X-Forwarded-For is rebuilt
 * from the addresses Fastify trusted (the client, then any trusted proxies): a value a client made up
 * is never passed on.
 */
function upstreamHeaders(request: FastifyRequest): Record<string, string | string[]> {
  // Connection may name more hop-by-hop fields.
  const connection = request.headers.connection;
  const alsoDropped = typeof connection === 'string' ? connection.split(',').map((name) => name.trim().toLowerCase()) : [];
  const headers: Record<string, string | string[]> = {};
  for (const name in request.headers) {
    const value = request.headers[name];
    if (value !== undefined && !requestHeadersNotForwarded.has(name) && !alsoDropped.includes(name)) headers[name] = value;
  }
  const chain = request.ips ? [...request.ips].reverse() : [request.ip];
  headers['x-forwarded-for'] = chain.join(', ');
  headers['x-forwarded-proto'] = request.protocol;
  if (request.headers.host) headers['x-forwarded-host'] = request.headers.host;
  headers['x-request-id'] = request.id;
  return headers;
}
