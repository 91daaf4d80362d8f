import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorCode } from '@dema/contracts';
import { problemContentType } from '@dema/contracts';
import type { DemaApp } from './server.ts';

interface OpenApiDocument {
  paths?: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ in: string; required?: boolean; schema?: { default?: unknown } }>;
        responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
      }
    >
  >;
}

/**
 * Makes the document say what the server does: a query parameter with a default is optional, and
 * errors are sent as application/problem+json.
 */
function describeAsSent(document: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query' && parameter.schema?.default !== undefined) parameter.required = false;
      }
      for (const response of Object.values(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (json?.schema?.$ref?.endsWith('/Problem')) response.content = { [problemContentType]: json };
      }
    }
  }
  return document;
}

/**
 * The OpenAPI 3.1 document, generated from the same schemas that validate requests, served at
 * `/api/docs/openapi.json` with a browsable page at `/api/docs`. Register before any route.
 */
export async function registerDocs(app: DemaApp, info: { title: string; version: string; description?: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // The browser's refresh token (the cookie flow under /api/auth/cookie), never readable by scripts.
          refreshCookie: { type: 'apiKey', in: 'cookie', name: 'dema_refresh' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (document) => ('openapiObject' in document ? describeAsSent(document.openapiObject as OpenApiDocument) : document.swaggerObject) as never,
  });
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
