import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { idempotencyKeyRoutes } from '@dema/contracts';
import { createMonitoring } from '@dema/monitoring';
import type { ServiceName } from '@dema/platform';
import { startTestProcess, testTargets, waitFor, type TestProcess } from '@dema/platform/testing';
import { createAnalyticsService } from '@dema/analytics';
import { createOrderService } from '@dema/order';
import { createPaymentService } from '@dema/payment';
import { createProductService } from '@dema/product';
import { createUserService } from '@dema/user';
import { serviceFor, type OpenApiDocument, type RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';

/**
 * The gateway's `/api/docs`: every service's OpenAPI document merged into one, each service running
 * as its own process. Also the check that keeps the gateway's route table honest: every path a
 * service documents is forwarded to that service.
 */

const methods = ['get', 'put', 'post', 'delete', 'patch'];
const operationsOf = (document: Partial<OpenApiDocument>, path: string) =>
  Object.keys(document.paths?.[path] ?? {})
    .filter((m) => methods.includes(m))
    .sort();

for (const target of testTargets()) {
  describe(`merged OpenAPI document (${target.name})`, () => {
    const processes = {} as Record<ServiceName, TestProcess>;
    const documents = {} as Record<ServiceName, Partial<OpenApiDocument>>;
    let gateway: RunningGateway;
    let merged: OpenApiDocument;

    before(async () => {
      processes.user = await startTestProcess(target, [createUserService]);
      processes.product = await startTestProcess(target, [createProductService]);
      processes.payment = await startTestProcess(target, [createPaymentService]);
      processes.order = await startTestProcess(target, [(infra) => createOrderService(infra)], {
        upstreams: { product: [processes.product.url], payment: [processes.payment.url] },
      });
      processes.analytics = await startTestProcess(target, [createAnalyticsService]);
      for (const [service, running] of Object.entries(processes)) {
        documents[service as ServiceName] = (await (await fetch(`${running.url}/api/docs/openapi.json`)).json()) as Partial<OpenApiDocument>;
      }
      gateway = await startTestGateway(
        {},
        {
          upstreams: Object.fromEntries(Object.entries(processes).map(([service, running]) => [service, [running.url]])),
          modules: [(infra) => createMonitoring(infra, { rules: [] })],
          docsCacheMs: 200,
        },
      );
      const response = await fetch(`${gateway.url}/api/docs/openapi.json`);
      assert.equal(response.status, 200);
      merged = (await response.json()) as OpenApiDocument;
    });
    after(async () => {
      await gateway?.close();
      for (const running of Object.values(processes)) await running.dispose();
    });

    test('the gateway forwards every path each service documents to that service', () => {
      for (const [service, document] of Object.entries(documents)) {
        const paths = Object.keys(document.paths ?? {}).filter((p) => p.startsWith('/api/') || p.startsWith('/.well-known/'));
        assert.ok(paths.length > 0, `${service} documents paths`);
        for (const path of paths.filter((p) => !p.startsWith('/api/docs'))) assert.equal(serviceFor(path), service, `${path} of ${service}`);
      }
    });

    test('has every path of every service, with the same operations', () => {
      for (const [service, document] of Object.entries(documents)) {
        for (const path of Object.keys(document.paths ?? {}).filter((p) => serviceFor(p) === service)) {
          assert.deepEqual(operationsOf(merged, path), operationsOf(document, path), `${service}: ${path}`);
        }
      }
      for (const path of [
        '/api/products',
        '/api/auth/login',
        '/api/orders',
        '/api/cart',
        '/api/analytics/summary',
        '/api/orders/{orderId}/payment',
        '/api/orders/{orderId}/refunds',
        '/.well-known/jwks.json',
      ])
        assert.ok(merged.paths[path], path);
    });

    test('the routes the gateway retries with an Idempotency-Key are exactly those that document the header', () => {
      const documented: string[] = [];
      for (const [path, operations] of Object.entries(merged.paths)) {
        for (const [method, operation] of Object.entries(operations as Record<string, { parameters?: Array<{ in: string; name: string }> }>)) {
          if (operation.parameters?.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'))
            documented.push(`${method.toUpperCase()} ${path}`);
        }
      }
      assert.deepEqual(documented.sort(), idempotencyKeyRoutes.map((r) => `${r.method} ${r.path}`).sort());
    });

    test('has every schema the services refer to, so each $ref resolves', () => {
      for (const document of Object.values(documents)) {
        for (const name of Object.keys(document.components?.schemas ?? {})) assert.ok(merged.components.schemas[name], name);
      }
      const refs = [...JSON.stringify(merged.paths).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(refs.length > 0);
      for (const ref of new Set(refs)) assert.ok(merged.components.schemas[ref], `$ref ${ref}`);
      assert.ok(merged.components.securitySchemes.bearer);
    });

    test("documents the gateway's own routes (readiness, monitoring) and never a service's health or internal routes", () => {
      assert.ok(merged.paths['/health/ready']);
      assert.ok(merged.paths['/api/monitoring/alerts']);
      assert.deepEqual(
        Object.keys(merged.paths).filter((p) => p.startsWith('/internal')),
        [],
      );
      assert.equal(merged.openapi, '3.1.0');
      assert.equal(merged['x-dema-unavailable'], undefined);
    });

    test('the Swagger UI at /api/docs shows the merged document', async () => {
      const page = await fetch(`${gateway.url}/api/docs/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /swagger/i);
      const shown = (await (await fetch(`${gateway.url}/api/docs/json`)).json()) as OpenApiDocument;
      assert.deepEqual(Object.keys(shown.paths).sort(), Object.keys(merged.paths).sort());
    });

    test('with a service down the others are still documented, the missing one named; once back it is complete', async () => {
      const port = Number(new URL(processes.analytics.url).port);
      await processes.analytics.dispose();
      await gateway.gateway.pools.analytics!.checkAll();
      await delay(250); // past the document's cache time
      const partial = (await (await fetch(`${gateway.url}/api/docs/openapi.json`)).json()) as OpenApiDocument;
      assert.deepEqual(partial['x-dema-unavailable'], ['analytics']);
      assert.ok(partial.paths['/api/products']);
      assert.equal(partial.paths['/api/analytics/summary'], undefined);

      processes.analytics = await startTestProcess(target, [createAnalyticsService], { port });
      await waitFor('analytics back in the pool', async () => {
        await gateway.gateway.pools.analytics!.checkAll();
        return gateway.gateway.pools.analytics!.instances[0]!.state === 'up';
      });
      await delay(250);
      const complete = (await (await fetch(`${gateway.url}/api/docs/openapi.json`)).json()) as OpenApiDocument;
      assert.equal(complete['x-dema-unavailable'], undefined);
      assert.ok(complete.paths['/api/analytics/summary']);
    });
  });
}
