import swagger, { type SwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorCode } from '@dema/contracts';
import { problemContentType } from '@dema/contracts';
import { isOptionalSchema } from './request-validation.ts';
import { requiresToken } from './route-schemas.ts';
import type { DemaApp } from './server.ts';

type JsonObject = Record<string, unknown>;

// Carries a body's optionality from `describeAccess` to `describeAsSent` (@fastify/swagger copies
// `x-` keys onto the operation, and always marks a body required).
const optionalBodyKey = 'x-dema-optional-body';

interface OpenApiOperation {
  operationId?: string;
  requestBody?: { required?: boolean };
  [optionalBodyKey]?: boolean;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; required?: boolean; schema?: { default?: unknown } }>;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, unknown> };
}

/** What a problem of each standard status means, for a generator's error types and a reader. */
const problemDescriptions: Record<string, string> = {
  '400': 'The request is not valid: a parameter or the body fails its schema (invalidParams names each)',
  '401': 'No valid access token: sign in, or refresh the token',
  '403': 'The access token is valid but its role lacks the permission',
  '404': 'Nothing has this id',
  '409': 'The request conflicts with the current state',
  '413': 'The body is too large',
  '415': 'The body is not JSON',
  '422': 'The request is well-formed but refers to something that cannot be used',
  '429': 'Over the rate limit: wait Retry-After seconds',
  '503': 'A dependency is unavailable for now: try again later',
};

// As `Type.Ref('Problem')` names it in a route schema.
const problemRef = { $ref: 'Problem' };

/**
 * What a route's `config` says about its callers, as OpenAPI declares it: bearer security and 401
 * where a token is needed, 403 where a permission is, `security: []` on public routes; 400 where
 * the route reads a parameter, query or body; 404 where the path names something; 429 on every
 * route the edge rate-limits (all but health). Routes keep their own 409/422/503. A route that
 * reads its body itself has it described from `config.documentedBody`.
 */
function describeAccess({ schema, url, route }: { schema: unknown; url: string; route: { config?: unknown } }): { schema: JsonObject; url: string } {
  const config = (route.config ?? {}) as { permission?: string; authenticated?: boolean; documentedBody?: { contentType: string; schema: JsonObject } };
  const { documentedBody } = config;
  const own: JsonObject = {
    ...(schema as JsonObject | undefined),
    ...(documentedBody && { body: { content: { [documentedBody.contentType]: { schema: documentedBody.schema } } } }),
  };
  if (own.hide) return { schema: own, url };
  const needsToken = Boolean(config.permission || config.authenticated);
  const statuses: number[] = [];
  if (own.params || own.querystring || own.body || own.headers) statuses.push(400);
  if (needsToken) statuses.push(401);
  if (config.permission) statuses.push(403);
  if (own.params) statuses.push(404);
  if (!url.startsWith('/health/')) statuses.push(429);
  // A request that is not valid HTTP is refused with a 400 problem whatever its path.
  if (statuses.length === 0) statuses.push(400);
  const response = { ...(own.response as JsonObject | undefined) };
  for (const status of statuses) response[status] ??= problemRef;
  // A route that names its own scheme (the refresh cookie) keeps it; otherwise access decides.
  const security = own.security ?? (needsToken ? requiresToken : []);
  const optionalBody = isOptionalSchema(own.body) ? { [optionalBodyKey]: true } : {};
  return { schema: { ...own, security, response, ...optionalBody }, url };
}

/** Every component schema some path reaches (through any chain of $refs). */
function reachableSchemas(document: OpenApiDocument): Set<string> {
  const schemas = document.components?.schemas ?? {};
  const reached = new Set<string>();
  const pending = [JSON.stringify(document.paths ?? {})];
  for (let text = pending.pop(); text !== undefined; text = pending.pop()) {
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (reached.has(name!) || !schemas[name!]) continue;
      reached.add(name!);
      pending.push(JSON.stringify(schemas[name!]));
    }
  }
  return reached;
}

/**
 * Makes the document say what the server does: a query parameter with a default is optional,
 * so is a body declared `Type.Optional`, errors are sent as application/problem+json with what each status means, and only the schemas some documented route uses are kept (hidden internal routes share
 * the component registry).
 */
function describeAsSent(document: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      // A body declared `Type.Optional` may be left out (the server handles none as `{}`).
      if (operation[optionalBodyKey]) {
        if (operation.requestBody) operation.requestBody.required = false;
        delete operation[optionalBodyKey];
      }
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query' && parameter.schema?.default !== undefined) parameter.required = false;
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (!json?.schema?.$ref?.endsWith('/Problem')) continue;
        response.content = { [problemContentType]: json };
        if (response.description === 'Default Response' && problemDescriptions[status]) response.description = problemDescriptions[status];
      }
    }
  }
  const used = reachableSchemas(document);
  if (document.components?.schemas) {
    document.components.schemas = Object.fromEntries(Object.entries(document.components.schemas).filter(([name]) => used.has(name)));
  }
  return document;
}

/**
 * The @fastify/swagger options of every Dema document (a service's, the all-in-one process's, the
 * gateway's own routes): OpenAPI 3.1 relative to the host it is fetched from, bearer security and
 * the standard problems derived from each route's access (`describeAccess`), shared schemas under
 * their `$id`.
 */
export function openApiOptions(info: { title: string; version: string; description?: string }) {
  return {
    openapi: {
      openapi: '3.1.0',
      info,
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          // The browser's refresh token (the cookie flow under /api/auth/cookie), never readable by scripts.
          refreshCookie: { type: 'apiKey', in: 'cookie', name: 'dema_refresh' },
        },
      },
    },
    refResolver: { buildLocalReference: (json: JsonObject, _baseUri: unknown, _fragment: unknown, i: number) => String(json.$id ?? `def-${i}`) },
    transform: describeAccess,
    transformObject: (document: { openapiObject?: unknown; swaggerObject?: unknown }) =>
      ('openapiObject' in document ? describeAsSent(document.openapiObject as OpenApiDocument) : document.swaggerObject) as never,
  } as unknown as SwaggerOptions;
}

/**
 * The OpenAPI 3.1 document, generated from the same schemas that validate requests, served at
 * `/api/docs/openapi.json` with a browsable page at `/api/docs`. Register before any route.
 */
export async function registerDocs(app: DemaApp, info: { title: string; version: string; description?: string }): Promise<void> {
  await app.register(swagger, openApiOptions(info));
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { deepLinking: true } });
  app.get('/api/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/api/docs/problems', { schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/html; charset=utf-8');
    const rows = Object.values(ErrorCode)
      .map((code) => `<li id="${code.toLowerCase()}"><code>${code}</code></li>`)
      .join('');
    return `<!doctype html><title>Dema problem types</title><h1>Problem types</h1><p>Every error is answered as <code>application/problem+json</code> (RFC 9457) with one of these stable <code>code</code> values; <code>invalidParams</code> names each bad field.</p><ul>${rows}</ul>`;
  });
}
