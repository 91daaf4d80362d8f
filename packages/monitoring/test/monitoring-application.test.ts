import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import type { ApplicationMetrics, SystemMetrics } from '@dema/contracts';
import type { ServiceFactory } from '@dema/platform';
import { startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import { createMonitoring, type Monitor } from '../src/index.ts';
import { testIdentity } from './alerting-receivers.ts';

const scrapeToken = 'monitoring-test-service-token';
const scrape = { authorization: `Bearer ${scrapeToken}` };

/** Sum of every sample of `name` whose labels include `labels` in Prometheus text. */
function sum(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(/,(?=\w+=")/);
    if (Object.entries(labels).every(([k, v]) => present.includes(`${k}="${v}"`))) total += Number(match[3]);
  }
  return total;
}

/** Routes that answer, fail, query the database and use the cache, for real readings to count. */
const probe: ServiceFactory = async (infra) => {
  const db = await infra.database('analytics');
  return {
    name: 'probe',
    schemas: [],
    async routes(app) {
      app.get('/api/test/ok', async () => ({ ok: true }));
      app.get('/api/test/fail', async () => {
        throw new Error('deliberate failure');
      });
      app.get('/api/test/sleep', async (request) => {
        await db.query('SELECT pg_sleep($1)', [Number((request.query as { s: string }).s)]);
        return { ok: true };
      });
      app.get('/api/test/cached', async () => infra.cache.get({ name: 'probe', key: 'probe', ttl: 60 }, 'one', async () => '{"cached":true}'));
    },
    start: () => undefined,
    close: async () => undefined,
  };
};

const seedShape = {
  system: { cpu: ['load', 'usage'], memory: ['free', 'total', 'used'], disk: ['free', 'total', 'used'], network: ['bytesIn', 'bytesOut', 'connections'] },
  application: { requests: ['failed', 'latency', 'success', 'total'], database: ['connections', 'poolSize', 'queryTime'], cache: ['hits', 'misses', 'ratio'] },
};
const shapeOf = (value: object) => Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Object.keys(v as object).sort()]));

for (const target of testTargets()) {
  describe(`monitoring routes and application metrics (${target.name})`, () => {
    let dema: TestProcess;
    let monitor: Monitor;
    let adminToken: string;
    let customerToken: string;
    /** GET as the admin, or as `token`; `null` sends no credentials. */
    const get = async (url: string, token: string | null = adminToken) =>
      fetch(`${dema.url}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const application = async () => (await (await get('/api/monitoring/application')).json()) as ApplicationMetrics;

    before(async () => {
      const identity = await testIdentity();
      dema = await startTestProcess(target, [async () => identity.module, probe, (infra) => createMonitoring(infra, { intervalMs: 200, windowMs: 1000 })], {
        serviceToken: scrapeToken,
      });
      monitor = (dema.services[2] as unknown as { monitor: Monitor }).monitor;
      adminToken = await identity.token('admin');
      customerToken = await identity.token('customer');
    });
    after(() => dema.dispose());

    test('are for admins only: 401 without a token, 403 for a customer, as problem+json', async () => {
      for (const path of ['/api/monitoring/system', '/api/monitoring/application', '/api/monitoring/alerts']) {
        const anonymous = await get(path, null);
        assert.equal(anonymous.status, 401, path);
        assert.match(anonymous.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const customer = await get(path, customerToken);
        assert.equal(customer.status, 403, path);
        assert.match(((await customer.json()) as { detail: string }).detail, /analytics:read/);
        assert.equal((await get(path)).status, 200, path);
      }
    });

    test("answer with the seed's field names exactly", async () => {
      const system = (await (await get('/api/monitoring/system')).json()) as SystemMetrics;
      assert.deepEqual(shapeOf(system), seedShape.system);
      assert.deepEqual(shapeOf(await application()), seedShape.application);
      assert.deepEqual(Object.keys((await (await get('/api/monitoring/alerts')).json()) as object).sort(), ['active', 'recent']);
    });

    test('system metrics over HTTP are this machine: memory as os reports it, usage a percentage', async () => {
      const system = (await (await get('/api/monitoring/system')).json()) as SystemMetrics;
      assert.equal(system.memory.total, os.totalmem());
      assert.ok(system.cpu.usage >= 0 && system.cpu.usage <= 100);
      assert.ok(system.disk.total > system.disk.free && system.disk.free > 0);
    });

    test('request counts follow real requests: success below 500, failed from 500', async () => {
      const first = await application();
      for (let i = 0; i < 5; i++) assert.equal((await get('/api/test/ok', null)).status, 200);
      for (let i = 0; i < 3; i++) assert.equal((await get('/api/test/fail', null)).status, 500);
      for (let i = 0; i < 2; i++) assert.equal((await get('/api/test/nowhere', null)).status, 404);
      const second = await application();
      // The first /application request is itself counted once it has been answered.
      assert.equal(second.requests.total - first.requests.total, 11);
      assert.equal(second.requests.failed - first.requests.failed, 3);
      assert.equal(second.requests.success - first.requests.success, 8);
      assert.equal(second.requests.total, second.requests.success + second.requests.failed);
      assert.ok(second.requests.latency > 0);
    });

    test('cache hits and misses follow real look-ups', async () => {
      const first = await application();
      await get('/api/test/cached', null);
      await get('/api/test/cached', null);
      await get('/api/test/cached', null);
      const second = await application();
      assert.equal(second.cache.misses - first.cache.misses, 1);
      assert.equal(second.cache.hits - first.cache.hits, 2);
      assert.equal(second.cache.ratio, second.cache.hits / (second.cache.hits + second.cache.misses));
    });

    test('database numbers follow real statements and connections', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await get('/api/test/sleep?s=0.02', null)).status, 200);
      const slow = get('/api/test/sleep?s=1', null);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const during = await application();
      await slow;
      assert.ok(during.database.queryTime > 0);
      assert.ok(during.database.poolSize >= 1, `poolSize ${during.database.poolSize}`);
      // The embedded database is one connection that reports itself idle; PostgreSQL shows the busy one.
      if (target.name !== 'embedded') assert.ok(during.database.connections >= 1, `connections ${during.database.connections}`);
      assert.ok(during.database.connections <= during.database.poolSize);
    });

    test('application metrics are what /metrics says, read at the same moment', async () => {
      await get('/api/test/ok', null);
      await get('/api/test/cached', null);
      const text = await dema.infra.metrics.registry.metrics();
      const metrics = await monitor.applicationMetrics();
      assert.equal(metrics.requests.total, sum(text, 'http_requests_total'));
      const failed = ['500'].reduce((n, status) => n + sum(text, 'http_requests_total', { status_code: status }), 0);
      assert.equal(metrics.requests.failed, failed);
      assert.ok(
        Math.abs(metrics.requests.latency - (1000 * sum(text, 'http_request_duration_seconds_sum')) / sum(text, 'http_request_duration_seconds_count')) < 1e-9,
      );
      assert.ok(
        Math.abs(metrics.database.queryTime - (1000 * sum(text, 'db_query_duration_seconds_sum')) / sum(text, 'db_query_duration_seconds_count')) < 1e-9,
      );
      assert.equal(metrics.database.poolSize, sum(text, 'db_pool_connections', { state: 'total' }));
      assert.equal(metrics.cache.hits, sum(text, 'cache_requests_total', { outcome: 'hit' }) + sum(text, 'cache_requests_total', { outcome: 'stale' }));
      assert.equal(metrics.cache.misses, sum(text, 'cache_requests_total', { outcome: 'miss' }) + sum(text, 'cache_requests_total', { outcome: 'bypass' }));
    });

    test('/metrics exposes the machine series the exported rules read', async () => {
      const text = await (await fetch(`${dema.url}/metrics`, { headers: scrape })).text();
      assert.equal(sum(text, 'system_memory_bytes', { state: 'total' }), os.totalmem());
      for (const mode of ['user', 'system', 'idle']) assert.ok(sum(text, 'system_cpu_seconds_total', { mode }) > 0, mode);
      for (const period of ['1m', '5m', '15m']) assert.match(text, new RegExp(`^system_load_average\\{period="${period}"\\} `, 'm'));
      assert.ok(sum(text, 'system_disk_bytes', { state: 'total' }) > 0);
      assert.match(text, /^system_network_bytes_total\{direction="in"\} /m);
      assert.ok(sum(text, 'system_network_connections') >= 1);
      // A second scrape adds what the kernel counted meanwhile: a counter never goes back.
      const again = await (await fetch(`${dema.url}/metrics`, { headers: scrape })).text();
      assert.ok(sum(again, 'system_cpu_seconds_total') >= sum(text, 'system_cpu_seconds_total'));
    });

    test('the OpenAPI document lists the monitoring routes with their schemas and bearer security', async () => {
      const doc = (await (await fetch(`${dema.url}/api/docs/openapi.json`)).json()) as {
        paths: Record<string, { get: { security: unknown[]; responses: Record<string, unknown> } }>;
        components: { schemas: Record<string, unknown> };
      };
      for (const path of ['/api/monitoring/system', '/api/monitoring/application', '/api/monitoring/alerts']) {
        assert.ok(doc.paths[path]?.get, path);
        assert.deepEqual(doc.paths[path]!.get.security, [{ bearer: [] }]);
        // 400: a query parameter the route does not read.
        assert.deepEqual(Object.keys(doc.paths[path]!.get.responses).sort(), ['200', '400', '401', '403', '429']);
      }
      for (const schema of ['SystemMetrics', 'ApplicationMetrics', 'Alert', 'AlertList']) assert.ok(doc.components.schemas[schema], schema);
    });
  });
}
