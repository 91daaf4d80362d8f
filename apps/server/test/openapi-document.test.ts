import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OpenApiDocument } from '@dema/gateway';
import { readOpenApiDocuments, type OpenApiDocuments } from './support/openapi-documents.ts';

/**
 * The OpenAPI documents are fit for any generator: every operation is named (a unique operationId),
 * summarised, tagged, declares its security (`[]` when public) and its 4xx problems as
 * application/problem+json; the server URL is relative to where the document was fetched.
 */

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

const methods = ['get', 'put', 'post', 'delete', 'patch'];

function operationsOf(document: OpenApiDocument): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations as Record<string, Operation>)
      .filter(([method]) => methods.includes(method))
      .map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation]),
  );
}

const operation = (document: OpenApiDocument, method: string, path: string) => (document.paths[path] as Record<string, Operation>)[method]!;

describe('the OpenAPI documents', () => {
  let documents: OpenApiDocuments;
  before(async () => {
    documents = await readOpenApiDocuments();
  });

  for (const name of ['allInOne', 'gateway'] as const) {
    describe(name, () => {
      test('sets servers to the host it is served from', () => {
        assert.deepEqual(documents[name].servers, [{ url: '/' }]);
      });

      test('every operation has a unique operationId, a summary and tags', () => {
        const operations = operationsOf(documents[name]);
        assert.ok(operations.length > 40, `${operations.length} operations`);
        const ids = operations.map(([route, operation]) => {
          assert.match(operation.operationId ?? '', /^[a-z][a-zA-Z]+$/, `${route} operationId`);
          assert.ok(operation.summary, `${route} summary`);
          assert.ok(operation.tags?.length, `${route} tags`);
          return operation.operationId;
        });
        assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
      });

      test('every operation declares its security: bearer (with its 401), or [] when public', () => {
        for (const [route, operation] of operationsOf(documents[name])) {
          assert.ok(Array.isArray(operation.security), `${route} declares security`);
          const bearer = operation.security!.length > 0;
          // The browser's cookie routes authenticate with the refresh cookie instead of a bearer token.
          if (bearer)
            assert.ok([JSON.stringify([{ bearer: [] }]), JSON.stringify([{ refreshCookie: [] }])].includes(JSON.stringify(operation.security)), route);
          // A public route may still answer 401 of its own (login with a wrong password).
          if (operation.security!.some((scheme) => 'bearer' in scheme)) assert.ok(operation.responses?.['401'], `${route} needs a token: 401`);
        }
        assert.deepEqual(operation(documents[name], 'get', '/api/products').security, []);
        assert.deepEqual(operation(documents[name], 'post', '/api/auth/login').security, []);
        assert.deepEqual(operation(documents[name], 'post', '/api/orders').security, [{ bearer: [] }]);
      });

      test('every operation documents its 4xx problems as application/problem+json', () => {
        for (const [route, operation] of operationsOf(documents[name])) {
          const problems = Object.entries(operation.responses ?? {}).filter(([status]) => /^4\d\d$/.test(status));
          assert.ok(problems.length > 0, `${route} documents a 4xx`);
          for (const [status, response] of problems) {
            assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${route} ${status}`);
            assert.equal(response.content!['application/problem+json']!.schema?.$ref, '#/components/schemas/Problem', `${route} ${status}`);
          }
          if (route.includes('{')) assert.ok(operation.responses?.['404'], `${route} names something: 404`);
          if (!route.includes(' /health/')) assert.ok(operation.responses?.['429'], `${route} is rate-limited: 429`);
        }
      });

      test('the catalog import documents its body as text/csv, a string, though the route reads it as a stream', () => {
        const { requestBody } = operation(documents[name], 'post', '/api/products/import') as Operation & {
          requestBody?: { required?: boolean; content?: Record<string, { schema?: { type?: string } }> };
        };
        assert.equal(requestBody?.required, true);
        assert.deepEqual(Object.keys(requestBody?.content ?? {}), ['text/csv']);
        assert.equal(requestBody?.content?.['text/csv']?.schema?.type, 'string');
      });

      test('keeps only the component schemas some operation uses', () => {
        const text = JSON.stringify(documents[name]);
        for (const schema of Object.keys(documents[name].components.schemas)) assert.ok(text.includes(`"#/components/schemas/${schema}"`), schema);
      });
    });
  }
});
