import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { maxAnalyticsRangeDays, type Problem } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { orderCreated, products, startAnalytics, type AnalyticsTestProcess, type Reply } from './helpers.ts';

const routes = [
  '/api/analytics/revenue',
  '/api/analytics/summary',
  '/api/analytics/top-products',
  '/api/analytics/orders-by-status',
  '/api/analytics/stock-movements',
  '/api/analytics/low-stock',
];

function assertProblem(reply: Reply, status: number, code: string, fields?: string[]): Problem {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.match(reply.contentType, /^application\/problem\+json/);
  const problem = reply.body as Problem;
  assert.equal(problem.status, status);
  assert.equal(problem.code, code);
  if (fields) {
    assert.deepEqual([...new Set((problem.invalidParams ?? []).map((p) => p.name))].sort(), [...fields].sort(), JSON.stringify(problem.invalidParams));
    for (const param of problem.invalidParams ?? []) assert.ok(param.reason.length > 0);
  }
  return problem;
}

for (const target of testTargets()) {
  describe(`analytics is for admins and refuses bad input (${target.name})`, () => {
    let dema: AnalyticsTestProcess;

    before(async () => {
      dema = await startAnalytics(target);
      const mark = await dema.mark();
      await dema.publish(orderCreated({ timestamp: '2024-05-01T10:00:00Z', items: [{ productId: products.kettle, quantity: 1, price: 9.99 }] }));
      await dema.settled(mark, 1);
    });
    after(() => dema?.dispose());

    for (const route of routes) {
      test(`GET ${route}: admin 200, customer 403, anonymous 401`, async () => {
        assert.equal((await dema.admin(route)).status, 200);
        assertProblem(await dema.customer(route), 403, 'FORBIDDEN');
        const anonymous = await dema.anonymous(route);
        assertProblem(anonymous, 401, 'UNAUTHENTICATED');
      });
    }

    test('a refused caller learns nothing of the figures', async () => {
      const reply = await dema.customer('/api/analytics/summary?from=2024-05-01&to=2024-05-01');
      assert.equal(reply.status, 403);
      assert.equal(JSON.stringify(reply.body).includes('9.99'), false);
    });

    const bad: Array<[string, number, string, string[]]> = [
      ['/api/analytics/summary?from=2024-05-02&to=2024-05-01', 400, 'VALIDATION_FAILED', ['query.from']],
      ['/api/analytics/revenue?from=2024-05-02&to=2024-05-01&interval=week', 400, 'VALIDATION_FAILED', ['query.from']],
      [`/api/analytics/summary?from=1990-01-01&to=2024-05-01`, 400, 'VALIDATION_FAILED', ['query.from']],
      ['/api/analytics/summary?to=1970-01-01&from=1970-01-02', 400, 'VALIDATION_FAILED', ['query.from']],
      ['/api/analytics/summary?from=01/05/2024', 400, 'VALIDATION_FAILED', ['query.from']],
      ['/api/analytics/summary?to=2024-02-30', 400, 'VALIDATION_FAILED', ['query.to']],
      ['/api/analytics/summary?from=2024-05-01T00:00:00Z', 400, 'VALIDATION_FAILED', ['query.from']],
      ['/api/analytics/revenue?interval=year', 400, 'VALIDATION_FAILED', ['query.interval']],
      ['/api/analytics/top-products?by=price', 400, 'VALIDATION_FAILED', ['query.by']],
      ['/api/analytics/top-products?limit=0', 400, 'VALIDATION_FAILED', ['query.limit']],
      ['/api/analytics/top-products?limit=101', 400, 'VALIDATION_FAILED', ['query.limit']],
      ['/api/analytics/top-products?limit=ten', 400, 'VALIDATION_FAILED', ['query.limit']],
      ['/api/analytics/low-stock?threshold=-1', 400, 'VALIDATION_FAILED', ['query.threshold']],
      ['/api/analytics/low-stock?threshold=2.5', 400, 'VALIDATION_FAILED', ['query.threshold']],
      ['/api/analytics/stock-movements?productId=kettle', 400, 'VALIDATION_FAILED', ['query.productId']],
      ['/api/analytics/orders-by-status?status=PENDING', 400, 'VALIDATION_FAILED', ['query.status']],
    ];
    for (const [url, status, code, fields] of bad) {
      test(`GET ${url} → ${status} naming ${fields.join(', ')}`, async () => {
        assertProblem(await dema.admin(url), status, code, fields);
      });
    }

    test(`the longest range, ${maxAnalyticsRangeDays} days, is accepted with one bucket per day`, async () => {
      const to = '2024-05-01';
      const from = new Date(Date.parse(`${to}T00:00:00Z`) - (maxAnalyticsRangeDays - 1) * 86_400_000).toISOString().slice(0, 10);
      const reply = await dema.admin(`/api/analytics/revenue?from=${from}&to=${to}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.points.length, maxAnalyticsRangeDays);
      assert.deepEqual(reply.body.totals, { orders: 1, revenue: 9.99 });
    });

    test('the first and last days there are answer every report, not a 400 naming no field', async () => {
      for (const range of ['from=9999-12-30&to=9999-12-31', 'to=0001-01-05']) {
        for (const route of routes.filter((r) => r !== '/api/analytics/low-stock')) {
          const reply = await dema.admin(`${route}?${range}`);
          assert.equal(reply.status, 200, `${route}?${range}: ${JSON.stringify(reply.body)}`);
        }
        for (const interval of ['week', 'month']) assert.equal((await dema.admin(`/api/analytics/revenue?${range}&interval=${interval}`)).status, 200);
      }
    });

    test('the reports are in the OpenAPI document, each needing a bearer token', async () => {
      const response = await fetch(`${dema.url}/api/docs/json`);
      assert.equal(response.status, 200);
      const doc = (await response.json()) as { paths: Record<string, { get?: { security?: unknown[] } }> };
      for (const route of routes) {
        assert.ok(doc.paths[route]?.get, `${route} documented`);
        assert.deepEqual(doc.paths[route]!.get!.security, [{ bearer: [] }]);
      }
    });
  });
}
