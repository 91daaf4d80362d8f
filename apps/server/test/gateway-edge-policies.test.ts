import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { problemContentType } from '@dema/contracts';
import { startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import { createProductService } from '@dema/product';
import { createUserService } from '@dema/user';
import type { RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';

/**
 * CORS, security headers and request ids hold the same on both public entries: the proxying
 * gateway and the all-in-one process of embedded mode.
 */

const webApp = 'http://localhost:3000';
const policies = { corsOrigins: [webApp, 'https://shop.example'], rateLimitAllowlist: ['127.0.0.0/8', '::1'] };
const serviceToken = 'edge-test-service-token-8d1f0c2a';

for (const target of testTargets()) {
  for (const kind of ['gateway', 'all-in-one'] as const) {
    describe(`edge policies (${kind}, ${target.name})`, () => {
      let upstream: TestProcess | undefined;
      let gateway: RunningGateway | undefined;
      let allInOne: AllInOne<object> | undefined;
      let base: string;

      before(async () => {
        if (kind === 'gateway') {
          upstream = await startTestProcess(target, [createUserService, createProductService]);
          gateway = await startTestGateway({ serviceToken }, { upstreams: { user: [upstream.url], product: [upstream.url] }, policies });
          base = gateway.url;
        } else {
          allInOne = await startAllInOne(target, { user: createUserService, product: createProductService }, policies, { serviceToken });
          base = allInOne.url;
        }
      });
      after(async () => {
        await gateway?.close();
        await upstream?.dispose();
        await allInOne?.dispose();
      });

      test('a preflight from the web app is answered with the methods and headers it may use', async () => {
        const response = await fetch(`${base}/api/orders`, {
          method: 'OPTIONS',
          headers: {
            origin: webApp,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type, idempotency-key',
          },
        });
        assert.equal(response.status, 204);
        assert.equal(response.headers.get('access-control-allow-origin'), webApp);
        assert.match(response.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
        for (const header of ['authorization', 'content-type', 'idempotency-key'])
          assert.match(response.headers.get('access-control-allow-headers') ?? '', new RegExp(`\\b${header}\\b`));
        assert.ok(Number(response.headers.get('access-control-max-age')) > 0);
        assert.match(response.headers.get('vary') ?? '', /origin/i);
      });

      test('a preflight from an origin not on the list gets a 403 problem and no CORS grant', async () => {
        const response = await fetch(`${base}/api/products`, {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
        });
        assert.equal(response.status, 403);
        assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType);
        assert.equal(response.headers.get('access-control-allow-origin'), null);
      });

      test('answers to an allowed origin grant it and expose the rate-limit and request-id headers; others get no grant', async () => {
        const allowed = await fetch(`${base}/api/products?limit=1`, { headers: { origin: 'https://shop.example' } });
        assert.equal(allowed.status, 200);
        assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
        assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /x-request-id/);
        assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /ratelimit/);
        const other = await fetch(`${base}/api/products?limit=1`, { headers: { origin: 'https://evil.example' } });
        assert.equal(other.status, 200, 'CORS is the browser’s to enforce; the answer itself is the same');
        assert.equal(other.headers.get('access-control-allow-origin'), null);
        assert.match(other.headers.get('vary') ?? '', /origin/i);
      });

      test('a 401 from authentication carries the CORS grant and the security headers too', async () => {
        const response = await fetch(`${base}/api/users/me`, { headers: { origin: webApp, authorization: 'Bearer expired.or.bad' } });
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('access-control-allow-origin'), webApp, 'the web app can read the 401 and refresh');
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('x-frame-options'), 'DENY');
      });

      test('every answer carries the security headers; JSON gets a CSP that allows nothing', async () => {
        for (const path of ['/api/products?limit=1', '/api/nothing-here', '/health/ready']) {
          const response = await fetch(`${base}${path}`);
          assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
          assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
          assert.match(response.headers.get('strict-transport-security') ?? '', /max-age=\d+/, path);
          assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'", path);
        }
      });

      test('the API docs page gets a CSP that lets it load its own scripts and styles', async () => {
        const response = await fetch(`${base}/api/docs/`);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      });

      test('demo media may be embedded by other sites; API answers only by the same site', async () => {
        const products = await fetch(`${base}/api/products?limit=1`);
        assert.equal(products.headers.get('cross-origin-resource-policy'), 'same-site');
        const media = await fetch(`${base}/media/none.svg`);
        assert.equal(media.headers.get('cross-origin-resource-policy'), 'cross-origin');
      });

      test('/metrics is refused to anonymous clients of the entry (401 problem) and served to the scraper with the service token', async () => {
        for (const authorization of [undefined, 'Bearer not-the-token', `Basic ${Buffer.from(`x:${serviceToken}`).toString('base64')}`]) {
          const refused = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
          assert.equal(refused.status, 401, authorization);
          assert.equal(refused.headers.get('content-type')?.split(';')[0], problemContentType);
          const text = await refused.text();
          assert.equal(JSON.parse(text).code, 'UNAUTHENTICATED');
          assert.doesNotMatch(text, /http_requests_total|system_/);
        }
        const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${serviceToken}` } });
        assert.equal(scraped.status, 200);
        assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain/);
        assert.match(await scraped.text(), /^# TYPE http_requests_total counter$/m);
      });

      test('a process configured without a service token has no /metrics for anyone', { skip: kind !== 'gateway' }, async () => {
        // The upstream of the gateway entry is started without one.
        for (const authorization of [undefined, `Bearer ${serviceToken}`]) {
          const response = await fetch(`${upstream!.url}/metrics`, { headers: authorization ? { authorization } : {} });
          assert.equal(response.status, 404);
          assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType);
        }
      });

      test("a method a path does not take is a 405 naming the path's methods in Allow; a path nothing has is a 404", async () => {
        for (const [method, path, allow] of [
          ['PATCH', '/api/products', 'GET, HEAD, POST'],
          ['PATCH', '/api/categories/kitchen', 'GET, HEAD, PUT, DELETE'],
          ['DELETE', '/health/ready', 'GET, HEAD'],
        ] as const) {
          const response = await fetch(`${base}${path}`, { method });
          const problem = (await response.json()) as { code: string };
          assert.equal(response.status, 405, `${method} ${path}`);
          assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
          assert.equal(problem.code, 'METHOD_NOT_ALLOWED');
        }
        const missing = await fetch(`${base}/api/nothing-here`, { method: 'PATCH' });
        assert.equal(missing.status, 404);
        assert.equal(missing.headers.get('allow'), null);
      });

      test('a request id is echoed when sane and made up otherwise', async () => {
        const kept = await fetch(`${base}/api/categories`, { headers: { 'x-request-id': 'abc-123' } });
        assert.equal(kept.headers.get('x-request-id'), 'abc-123');
        const replaced = await fetch(`${base}/api/categories`, { headers: { 'x-request-id': 'x'.repeat(300) } });
        assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      });
    });
  }
}
