import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import pino from 'pino';
import { Metrics, type ApplicationReading } from '@dema/platform';
import { startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import { createProductService } from '@dema/product';
import { createUserService } from '@dema/user';
import { InstanceTotals, upstreamApplication, UpstreamPool, type InstanceReading } from '@dema/gateway';

/**
 * A cluster's gateway has no database or cache of its own: its ApplicationMetrics (dashboard,
 * alert rules) take those figures from the instances behind it, and its requests from itself.
 */

const reading = (process: number, at: number, queries: number, hits: number, misses = 0): InstanceReading => ({
  process,
  at,
  requests: { total: 0, failed: 0, latencySeconds: 0 },
  database: { connections: 1, poolSize: 4, queries, querySeconds: queries / 100 },
  cache: { hits, misses },
});

describe('the running totals of instance counters', () => {
  test('add what each instance counted since its last reading', () => {
    const totals = new InstanceTotals();
    totals.add('a', reading(1, 1_000, 10, 5, 1));
    totals.add('b', reading(2, 1_000, 3, 0, 2));
    totals.add('a', reading(1, 2_000, 15, 9, 1));
    assert.deepEqual(totals.totals, { queries: 18, querySeconds: 0.18, hits: 9, misses: 3 });
  });

  test('count a restarted instance from zero instead of subtracting its new counters from the old', () => {
    const totals = new InstanceTotals();
    totals.add('a', reading(1, 1_000, 100, 50));
    // A new process that has already counted more than the old one had: only its start time tells.
    totals.add('a', reading(7, 2_000, 120, 60));
    assert.deepEqual([totals.totals.queries, totals.totals.hits], [220, 110]);
    // Counters that went down in what claims to be the same process: counted from zero too.
    totals.add('a', reading(7, 3_000, 4, 2));
    assert.deepEqual([totals.totals.queries, totals.totals.hits], [224, 112]);
  });

  test('ignore a reading older than one already counted (two reads that crossed)', () => {
    const totals = new InstanceTotals();
    totals.add('a', reading(1, 2_000, 20, 10));
    totals.add('a', reading(1, 1_000, 10, 5));
    totals.add('a', reading(1, 3_000, 25, 10));
    assert.deepEqual([totals.totals.queries, totals.totals.hits], [25, 10]);
  });
});

/** A local port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

for (const target of testTargets()) {
  describe(`a gateway's application reading over a real product instance (${target.name})`, () => {
    const serviceToken = randomBytes(16).toString('hex');
    const log = pino({ level: 'silent' });
    let product: TestProcess;
    let deadUrl: string;
    let pool: UpstreamPool;

    before(async () => {
      product = await startTestProcess(target, [createUserService, createProductService], { serviceToken });
      // Nothing listens there: an instance that is down.
      deadUrl = `http://127.0.0.1:${await closedPort()}`;
      pool = new UpstreamPool('product', [product.url, deadUrl], { log });
    });

    after(async () => {
      await pool?.close();
      await product?.dispose();
    });

    const instanceReading = async (): Promise<InstanceReading> =>
      (await (await fetch(`${product.url}/internal/metrics/application`, { headers: { 'x-dema-service-token': serviceToken } })).json()) as InstanceReading;
    const cacheUses = (r: ApplicationReading) => r.cache.hits + r.cache.misses;

    test('takes database and cache from the instances that answer, requests from the gateway itself', async () => {
      const metrics = new Metrics();
      const read = upstreamApplication({ product: pool }, { serviceToken, metrics, log, timeoutMs: 500 });
      const before = await read();
      const instance = await instanceReading();
      assert.ok(instance.database.poolSize > 0, 'the instance has a pool');
      assert.equal(before.database.poolSize, instance.database.poolSize, 'only the instance that answered adds its pool');

      for (let i = 0; i < 3; i++) assert.equal((await fetch(`${product.url}/api/products?limit=5`)).status, 200);
      const afterReads = await read();
      // A page is two look-ups: which products it shows (its tags), then the page.
      assert.equal(cacheUses(afterReads) - cacheUses(before), 6, 'each catalog page read used the cache twice');
      assert.ok(afterReads.database.queries >= before.database.queries);
      // The three reads went to the instance directly: the gateway answered none of them.
      assert.equal(afterReads.requests.total, 0);
      metrics.observeRequest('GET', '/api/*', 200, 'gateway', 0.01);
      assert.equal((await read()).requests.total, 1);
    });

    test('with a wrong service token the instances are left out, and the gateway keeps serving its own figures', async () => {
      const metrics = new Metrics();
      const read = upstreamApplication({ product: pool }, { serviceToken: 'not-the-token', metrics, log, timeoutMs: 500 });
      const reading = await read();
      assert.deepEqual([reading.database.poolSize, reading.database.queries, cacheUses(reading)], [0, 0, 0]);
    });

    test('the instance refuses its reading to a caller without the service token', async () => {
      const response = await fetch(`${product.url}/internal/metrics/application`);
      assert.equal(response.status, 403);
    });
  });
}
