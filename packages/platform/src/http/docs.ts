import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorCode } from '@dema/contracts';
import type { DemaApp } from './server.ts';

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
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
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
