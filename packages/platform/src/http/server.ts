import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {} from '@fastify/swagger';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ErrorCode, Problem, problemContentType, principalCan, type Permission, type Principal } from '@dema/contracts';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.ts';
import { AppError, forbidden, notFound, unauthenticated } from './errors.ts';
import { problemOf, sendProblem, toProblem } from './problems.ts';

/** A Fastify instance typed for the shared TypeBox schemas. */
export type DemaApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Resolves who is calling from a request's headers; throws a 401 AppError for credentials that are present but bad. */
export type Authenticator = (request: { headers: IncomingHttpHeaders }) => Promise<Principal>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The seed permission a caller needs for this route; absent → public. */
    permission?: Permission;
    /** Any signed-in user may call it (their own account, logout); no permission of the table. */
    authenticated?: boolean;
    /**
     * A service-to-service route (`/internal/...`): callable only with the shared service token in
     * `x-dema-service-token`; answers 404 in a process configured without one. Hidden from the docs.
     */
    internal?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface HttpServerOptions {
  log: Logger;
  metrics: Metrics;
  authenticate: Authenticator;
  bodyLimit: number;
  /** Label for metrics: the service name, or `dema` for the all-in-one process. */
  service: string;
  /** Shared secret of the `internal` routes; absent → they answer 404. */
  serviceToken?: string;
  /** Proxies whose X-Forwarded-For is believed for `request.ip` (the gateway); absent → none. */
  trustProxy?: string[];
  /**
   * Sees every request before the routes do, and answers it itself (true) or leaves it to them
   * (false): the gateway's forwarding, which needs none of a route's machinery per request.
   */
  takeRequest?: RequestTaker;
}

/** Answers a request itself (true), or leaves it to the app's routes (false) having done nothing. */
export type RequestTaker = (request: IncomingMessage, response: ServerResponse) => boolean;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const anonymous: Principal = { kind: 'anonymous' };
const requestIdPattern = /^[\w.:-]{1,128}$/;
// Keep-alive past typical load-balancer idle timeouts so they, not we, close idle connections.
const keepAliveTimeout = 65_000;

/** A request's id: the `x-request-id` it came with when that is sane, else a new one. */
export function requestIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
}

function createAjv(options: AjvOptions): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    // multipleOf: 0.01 on prices is otherwise at the mercy of binary fractions (0.07 * 100).
    multipleOfPrecision: 9,
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

/**
 * The HTTP kit every service and the gateway start from: JSON logs with a request id, problem+json
 * for every error, request validation where a body is never coerced (a string is not a price) but a
 * query string is, the permission check of the seed's table on routes that declare one, and request
 * metrics. Services register their routes on it; `main` listens.
 */
export function createHttpServer(options: HttpServerOptions): DemaApp {
  const { log, metrics } = options;
  const app = Fastify({
    loggerInstance: log,
    // One access line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy?.length ? options.trustProxy : false,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    keepAliveTimeout,
    ...(options.takeRequest ? { serverFactory: serverTakingFirst(options.takeRequest) } : {}),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    // The router's own refusals (a path parameter over 100 characters, bad percent-encoding) and
    // Node's (headers over 16 KB, not HTTP at all) are problems like every other error.
    frameworkErrors: (error, request, reply) => sendProblem(reply, toProblem(error, request)),
    clientErrorHandler: answerClientError,
    schemaController: {
      compilersFactory: {
        buildValidator: (externalSchemas: Record<string, unknown>) => {
          const strictAjv = createAjv({ coerceTypes: false });
          const coercingAjv = createAjv({ coerceTypes: 'array' });
          for (const schema of Object.values(externalSchemas)) {
            strictAjv.addSchema(schema as object);
            coercingAjv.addSchema(schema as object);
          }
          return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
            (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema);
        },
      } as never,
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as DemaApp;

  app.addSchema(Problem);
  // JSON is the only body the API speaks; anything else is a 415, not a string to validate.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('principal', null as never);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    request.principal = anonymous;
    request.principal = await options.authenticate(request);
    const { permission, authenticated, internal } = request.routeOptions.config;
    if (internal) {
      checkServiceToken(request.headers['x-dema-service-token'], options.serviceToken, request.url);
      return;
    }
    if (authenticated && request.principal.kind === 'anonymous') throw unauthenticated('Sign in first: present a bearer access token');
    if (permission && !principalCan(request.principal, permission)) {
      throw request.principal.kind === 'anonymous'
        ? unauthenticated(`This route needs ${permission}; present a bearer token`)
        : forbidden(`Role ${request.principal.role} lacks ${permission}`);
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, options.service, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error as Error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    if (error instanceof AppError && error.headers) reply.headers(error.headers);
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, toProblem(Object.assign(new Error(`No route ${request.method} ${request.url.split('?')[0]}`), { statusCode: 404 }), request)),
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  return app;
}

/**
 * What Node could not even parse as a request (Fastify's default answers these as plain JSON):
 * headers over the size limit (431), a request that took too long to arrive (408), anything else
 * (400), as problem+json on the raw socket, which is then closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'The request line and headers exceed the 16 KB limit (a very long URL?)']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'The request took too long to arrive']
    : [400, 'The request is not valid HTTP/1.1'];
  const body = JSON.stringify(problemOf(status, ErrorCode.VALIDATION_FAILED, detail, { url: '', id: randomUUID() }));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${problemContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

/**
 * The HTTP server Fastify would make (its settings as `createHttpServer` gives them), with `take`
 * seeing each request first.
 */
function serverTakingFirst(take: RequestTaker) {
  return (fastifyHandler: (request: IncomingMessage, response: ServerResponse) => void): Server => {
    const server = createServer((request, response) => {
      if (!take(request, response)) fastifyHandler(request, response);
    });
    server.keepAliveTimeout = keepAliveTimeout;
    // Fastify's defaults (no request or idle-socket timeout of the server's own); Node's differ.
    server.requestTimeout = 0;
    server.setTimeout(0);
    return server;
  };
}

function checkServiceToken(given: string | string[] | undefined, expected: string | undefined, url: string): void {
  if (!expected) throw notFound(ErrorCode.NOT_FOUND, `No route ${url}`);
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw forbidden('This is a service-to-service route: present the service token');
}
