import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import FindMyWay from 'find-my-way';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {} from '@fastify/swagger';
import { ErrorCode, Problem, problemContentType, principalCan, type Permission, type Principal } from '@dema/contracts';
import type { Logger } from 'pino';
import type { TSchema } from 'typebox';
import type { Metrics } from '../metrics.ts';
import { actingUserHeader, actingUserOf, runForRequest } from '../audit.ts';
import { AppError, badRequest, forbidden, notFound, unauthenticated } from './errors.ts';
import { problemOf, sendProblem, toProblem } from './problems.ts';
import { bodyLimits, drainRequest, jsonShapeProblem, maxJsonDepth, maxJsonValues, prototypeKeyPath } from './request-body.ts';
import { compileQueryValidator, compileRequestValidator, createAjv, isOptionalSchema, noteBodySize, refusingNul } from './request-validation.ts';

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
    /**
     * The Prometheus scrape (`/metrics`): callable only with `Authorization: Bearer <service token>`,
     * whatever else the entry is open to; answers 404 in a process configured without one.
     */
    scrape?: boolean;
    /**
     * The body of a route that reads it itself (a stream, through its own content-type parser), as
     * the OpenAPI document describes it: `schema.body` would have Fastify validate it, and so
     * buffer it whole. Never checked at run time: the handler refuses what it cannot read.
     */
    documentedBody?: { contentType: string; schema: TSchema };
  }
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyInstance {
    /**
     * Has `listener` told of every request whose credentials authentication refused, before its 401
     * is answered: the edge counts them against the rate limit. One that throws answers with its error.
     */
    onRefusedCredentials(listener: RefusedCredentialsListener): void;
  }
}

/** Told of a request whose credentials were refused (its principal is anonymous). */
export type RefusedCredentialsListener = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

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

const anonymous: Principal = { kind: 'anonymous' };
const requestIdPattern = /^[\w.:-]{1,128}$/;
// Keep-alive past typical load-balancer idle timeouts so they, not we, close idle connections.
const keepAliveTimeout = 65_000;

/** A request's id: the `x-request-id` it came with when that is sane, else a new one. */
export function requestIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
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
          const strict = { firstError: createAjv({ coerceTypes: false, allErrors: false }), allErrors: createAjv({ coerceTypes: false }) };
          const coercing = { firstError: createAjv({ coerceTypes: 'array', allErrors: false }), allErrors: createAjv({ coerceTypes: 'array' }) };
          for (const ajv of [strict.firstError, strict.allErrors, coercing.firstError, coercing.allErrors]) {
            for (const schema of Object.values(externalSchemas)) ajv.addSchema(refusingNul(schema) as object);
          }
          return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
            httpPart === 'body'
              ? compileRequestValidator(strict, schema)
              : httpPart === 'querystring'
                ? compileQueryValidator(coercing, schema)
                : compileRequestValidator(coercing, schema);
        },
      } as never,
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as DemaApp;

  app.addSchema(Problem);
  // JSON is the only body the API speaks; anything else is a 415, not a string to validate.
  app.removeContentTypeParser('text/plain');
  // A body deeply nested, or of very many values, is refused before JSON.parse builds it: one cheap
  // pass over the text (`jsonShapeProblem`).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // Many clients label every request JSON, a DELETE or a logout too: an empty body is then no body
    // where the route takes none (or may be left without one), and still a 400 where one is required.
    if (text.length === 0 && !takesRequiredBody(request)) {
      done(null, undefined);
      return;
    }
    const shape = jsonShapeProblem(text);
    if (shape === 'too-deep') {
      done(badRequest(ErrorCode.BODY_TOO_DEEP, `The body nests arrays and objects deeper than ${maxJsonDepth} levels`), undefined);
      return;
    }
    if (shape === 'too-many-values') {
      done(badRequest(ErrorCode.BODY_TOO_COMPLEX, `The body has more than ${maxJsonValues} values (arrays, objects and their members)`), undefined);
      return;
    }
    let value: unknown;
    try {
      // A byte-order mark is not JSON, but some clients send one; Fastify's parser skipped it too.
      value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (error) {
      done(badRequest(ErrorCode.MALFORMED_BODY, `The body is not valid JSON: ${(error as Error).message}`), undefined);
      return;
    }
    // Valid JSON, but a key that a later merge or spread could turn into a change of Object.prototype.
    const refusedKey = prototypeKeyPath(value);
    if (refusedKey) {
      const name = ['body', ...refusedKey].join('.');
      const reason = 'is a key the API refuses: it could change the prototype of every object';
      done(badRequest(ErrorCode.VALIDATION_FAILED, `${name} ${reason}`, [{ name, reason }]), undefined);
      return;
    }
    noteBodySize(value, text.length);
    done(null, value);
  });
  // Nothing decompresses a request body: a gzip body would otherwise reach the JSON parser and be
  // called "not valid JSON". RFC 9110 §15.5.16: 415, with the codings that would do.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const coding = request.headers['content-encoding'];
    if (coding !== undefined && hasBody(request.raw) && !coding.split(',').every((c) => ['', 'identity'].includes(c.trim().toLowerCase()))) {
      throw new AppError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Content-Encoding ${coding} is not accepted; send the body uncompressed`, undefined, {
        'accept-encoding': 'identity',
      });
    }
    return payload;
  });
  // A route's own limit (`bodyLimit`) may only lower the process's (DEMA_BODY_LIMIT); a route that
  // takes no body gets the smallest, so a megabyte sent to it is not parsed for nothing.
  app.addHook('onRoute', (route) => {
    const own = route.bodyLimit ?? (route.schema?.body ? options.bodyLimit : bodyLimits.small);
    route.bodyLimit = Math.min(own, options.bodyLimit);
    // A body declared `Type.Optional(S)` may be left out: the request is then validated and handled
    // as the empty object (so S must accept `{}`), while a body that is sent must be an S, so an
    // action that takes nothing still refuses fields it does not know. Fastify alone validates a
    // missing body as null, which no object schema accepts.
    if (isOptionalSchema(route.schema?.body)) route.preValidation = [...[route.preValidation ?? []].flat(), treatMissingBodyAsEmpty];
  });
  app.decorateRequest('principal', null as never);
  const refusedListeners: RefusedCredentialsListener[] = [];
  app.decorate('onRefusedCredentials', (listener: RefusedCredentialsListener) => {
    refusedListeners.push(listener);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    request.principal = anonymous;
    const { permission, authenticated, internal, scrape } = request.routeOptions.config;
    // Its bearer is the service token, not an access token: checked instead of authenticating.
    if (scrape) return checkScrapeToken(request.headers.authorization, options.serviceToken, request.url);
    try {
      request.principal = await options.authenticate(request);
    } catch (error) {
      for (const listener of refusedListeners) await listener(request, reply);
      throw error;
    }
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

  // The handler, and all it starts, knows its request: the audit log's who and request id.
  // A service-to-service call acts for the user of the request that made it (checked service token only).
  app.addHook('preHandler', (request, _reply, done) => {
    const actingUser = request.routeOptions.config.internal ? actingUserOf(request.headers[actingUserHeader]) : undefined;
    runForRequest(actingUser ? { id: request.id, principal: actingUser } : request, done);
  });

  app.addHook('onResponse', async (request, reply) => {
    // An upgrade request (a WebSocket's) that got a plain answer instead (a refused token, a rate
    // limit, a path with no WebSocket) is not read by anyone again: ended here, or its socket stays
    // open and holds the server's close. Upgraded ones never get here (their reply is hijacked).
    if (request.headers.upgrade !== undefined) request.raw.socket?.destroySoon();
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, options.service, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  app.setErrorHandler(replyWithProblem);

  const methods = methodsByPath(app);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = methods(path);
    if (allowed.length > 0) {
      const error = new AppError(405, ErrorCode.METHOD_NOT_ALLOWED, `${request.method} is not a method of ${path}; it takes ${allowed.join(', ')}`, undefined, {
        allow: allowed.join(', '),
      });
      return sendProblem(reply.headers(error.headers!), toProblem(error, request));
    }
    return sendProblem(reply, toProblem(Object.assign(new Error(`No route ${request.method} ${path}`), { statusCode: 404 }), request));
  });

  // Host details and per-route traffic: for the operator's Prometheus only, never the public.
  app.get('/metrics', { config: { scrape: true }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  return app;
}

/**
 * The app's error handler: anything thrown while answering as problem+json (5xx details only in the
 * log). For a scope that sets its own handler (GraphQL) to hand back the errors that are not its own.
 */
export async function replyWithProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const problem = toProblem(error as Error, request);
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  if (error instanceof AppError && error.headers) reply.headers(error.headers);
  // A body refused before it was read whole (too large, too deep): read the rest first, or the
  // client still sending it gets a reset instead of this answer.
  if (!(await drainRequest(request.raw))) reply.header('connection', 'close');
  return sendProblem(reply, problem);
}

/**
 * What Node could not even parse as a request (Fastify's default answers these as plain JSON):
 * headers over the size limit (431), a request that took too long to arrive (408), anything else
 * (400), as problem+json on the raw socket, which is then closed.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request line and headers exceed the 16 KB limit (a very long URL?)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive']
        : [400, 'The request is not valid HTTP/1.1'];
  const body = JSON.stringify(problemOf(status, ErrorCode.VALIDATION_FAILED, detail, { url: '', id: randomUUID() }));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${problemContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
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

/** `Authorization: Bearer <expected>`, compared in constant time; no token configured → the route does not exist. */
function checkScrapeToken(given: string | undefined, expected: string | undefined, url: string): void {
  if (!expected) throw notFound(ErrorCode.NOT_FOUND, `No route ${url.split('?', 1)[0]}`);
  const match = given === undefined ? null : /^Bearer\s+(\S+)$/i.exec(given);
  const a = Buffer.from(match?.[1] ?? '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw unauthenticated('Metrics are for the scraper: present Authorization: Bearer <service token>', given !== undefined);
}

/** Whether a request says a body follows (a length above 0, or chunks). */
function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

// Methods a route of the API may have; OPTIONS is left out: the edge answers it on every path (CORS).
const routeMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The methods `app`'s routes take on a path (`/api/products/42`), from a router of its own filled as
 * routes are added: what a 405 names in `Allow` (RFC 9110 §15.5.6) when a request's method is not
 * one of them. Fastify's router answers only "no route for this method and path". Internal routes and
 * the metrics scrape are left out: to a caller without the token they do not exist (404).
 */
function methodsByPath(app: DemaApp): (path: string) => string[] {
  const router = FindMyWay({ ignoreTrailingSlash: true });
  const noop = () => {};
  app.addHook('onRoute', (route) => {
    if (route.config?.internal || route.config?.scrape) return;
    for (const method of [route.method].flat()) {
      if (!(routeMethods as readonly string[]).includes(method)) continue;
      try {
        router.on(method as (typeof routeMethods)[number], route.url, noop);
      } catch {
        // Seen already: a plugin's `/` is added both as `/prefix` and `/prefix/`, one route to this router.
      }
    }
  });
  return (path) => {
    try {
      return routeMethods.filter((method) => router.find(method, path) !== null);
    } catch {
      return [];
    }
  };
}

function takesRequiredBody(request: FastifyRequest): boolean {
  const schema = request.routeOptions.schema?.body;
  return schema !== undefined && !isOptionalSchema(schema);
}

function treatMissingBodyAsEmpty(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  // Only a missing body: a JSON `null` that was sent is validated as sent, and refused.
  if (request.body === undefined) request.body = {};
  done();
}
