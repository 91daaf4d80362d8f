import { Readable } from 'node:stream';
import { honoursIdempotencyKey, problemContentType, type Principal } from '@dema/contracts';
import { AppError, parseJson, problemOf, unavailable, type ApiRequest, type ApiResponse, type Authenticator, type ServiceName } from '@dema/platform';
import { exchange, type UpstreamResponse } from './exchange.ts';
import type { EdgeRateLimit } from './rate-limit.ts';
import { splitTarget } from './request-target.ts';
import { serviceFor } from './routes-table.ts';
import { describeError, type UpstreamInstance, type UpstreamPool } from './upstream-pool.ts';

export interface UpstreamTransportOptions {
  /** The gateway's limiter: each call is counted by its path's class, for the client, as the proxy counts a request. */
  rateLimit: EdgeRateLimit;
  /** Who the call's Authorization names, so that limits key on the user as they do at the proxy. */
  authenticate: Authenticator;
  /** Longest wait for an instance's response headers (and between body chunks) → 504. */
  timeoutMs: number;
}

// Answers are read whole: a module parses them.
const bufferLimit = 16 * 1024 * 1024;
const notDeliveredCodes = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const anonymous: Principal = { kind: 'anonymous' };

/**
 * REST calls made inside the gateway process (the GraphQL module's resolvers) sent straight to the
 * instances of the service that owns each path, as the proxy would send a client's request to it:
 * counted against the client's rate limits by the path's class (an aliased login is an `auth` hit),
 * balanced over the healthy instances, with the client's address in X-Forwarded-For and the request
 * id passed on. A call the first instance never received goes to another once (any call that may
 * be retried at all, `honoursIdempotencyKey` for a POST). A failure comes back as the problem the
 * proxy would have answered (429, 502, 503, 504), never as a thrown error.
 */
export function upstreamTransport(pools: Partial<Record<ServiceName, UpstreamPool>>, options: UpstreamTransportOptions) {
  return async (call: ApiRequest): Promise<ApiResponse> => {
    const { pathname } = splitTarget(call.path);
    try {
      const principal = call.headers.authorization === undefined ? anonymous : await options.authenticate({ headers: call.headers }).catch(() => anonymous);
      const counted = options.rateLimit.check(call.method, pathname, { principal, ip: call.clientIp });
      if (counted !== undefined) await counted;
      const service = serviceFor(pathname);
      const pool = service === undefined ? undefined : pools[service];
      if (!service || !pool) throw unavailable(`No service behind this gateway answers ${pathname}`, undefined, 502);
      const body = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
      const headers: Record<string, string> = {
        ...call.headers,
        'x-forwarded-for': call.clientIp,
        'x-forwarded-proto': 'http',
        ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
      };
      const answer = await attempt(pool, service, call, headers, body, pathname, options.timeoutMs);
      const text = answer.body instanceof Readable ? await readAll(answer.body) : (answer.body?.toString('utf8') ?? '');
      const contentType = answer.headers['content-type'];
      const json = parseJson(contentType, text);
      return { status: answer.statusCode, headers: answer.headers, body: json };
    } catch (error) {
      const known = error instanceof AppError ? error : unavailable(`The call failed: ${describeError(error)}`, undefined, 502);
      return {
        status: known.status,
        headers: { 'content-type': problemContentType, ...known.headers },
        body: problemOf(known.status, known.code, known.message, { url: pathname, id: call.headers['x-request-id'] ?? '' }),
      };
    }
  };
}

async function attempt(
  pool: UpstreamPool,
  service: ServiceName,
  call: ApiRequest,
  headers: Record<string, string>,
  body: Buffer | undefined,
  pathname: string,
  timeoutMs: number,
): Promise<UpstreamResponse> {
  const tried = new Set<UpstreamInstance>();
  const mayRetry = call.method !== 'POST' || (call.headers['idempotency-key'] !== undefined && honoursIdempotencyKey(call.method, pathname));
  for (;;) {
    const instance = pool.pick(tried);
    if (!instance) throw unavailable(`No healthy instance of the ${service} service`, 1);
    tried.add(instance);
    try {
      return await exchange(instance.dispatcher, { path: call.path, method: call.method, headers, body, timeoutMs, bufferLimit });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code && timeoutCodes.has(code)) throw unavailable(`The ${service} service did not answer within ${timeoutMs} ms`, undefined, 504);
      if (code && notDeliveredCodes.has(code)) {
        pool.eject(instance, describeError(error));
        if (tried.size < 2 && mayRetry) continue;
        throw unavailable(`The ${service} service could not be reached (${describeError(error)})`, 1);
      }
      throw unavailable(`The ${service} service dropped the connection (${describeError(error)})`, undefined, 502);
    }
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
