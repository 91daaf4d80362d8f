import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ApplicationMetrics } from '@dema/contracts';
import { waitFor } from '@dema/platform/testing';
import type { Cluster, ClusterProcess } from '../src/cluster-launcher.ts';
import { clusterSkip, startTestCluster } from './support/test-cluster.ts';

/**
 * Cluster mode on the real servers: the gateway and several instances per service, each its own
 * process. An instance is killed (SIGKILL: a crash) under load; the gateway must route around it at
 * once, report it down, and use it again once it is restarted — and orders placed meanwhile are
 * neither lost nor doubled.
 */

const admin = { email: 'admin@cluster.dema.dev', password: 'quartz-meadow-violin-73' };

interface Outcome {
  at: number;
  ok: boolean;
  detail: string;
}

/** Keeps `workers` requests in flight until `stop()`, recording each outcome with its time. */
function steadyLoad(workers: number, send: () => Promise<Response>): { outcomes: Outcome[]; stop(): Promise<void> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const response = await send();
        await response.arrayBuffer();
        outcomes.push({ at: Date.now(), ok: response.status === 200, detail: String(response.status) });
      } catch (error) {
        outcomes.push({ at: Date.now(), ok: false, detail: (error as Error).message });
      }
    }
  });
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function instanceState(cluster: Cluster, process: ClusterProcess): Promise<string | undefined> {
  const ready = (await (await fetch(`${cluster.gateway.url}/health/ready`)).json()) as { upstreams: Record<string, Array<{ url: string; state: string }>> };
  return ready.upstreams[process.service]?.find((i) => i.url === process.url)?.state;
}

/** Requests an instance answered on `route`, from its own Prometheus counter. */
async function answered(cluster: Cluster, process: ClusterProcess, route: string): Promise<number> {
  const text = await (await fetch(`${process.url}/metrics`, { headers: { authorization: `Bearer ${cluster.serviceToken}` } })).text();
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('http_requests_total{') && line.includes(`route="${route}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

describe('cluster mode (postgres+redis+rabbitmq)', { skip: clusterSkip }, () => {
  let cluster: Cluster;
  let suffix: string;
  let closeCluster: (() => Promise<void>) | undefined;
  let customer: string;
  let adminToken: string;

  const api = (pathname: string, init: RequestInit = {}) => fetch(`${cluster.gateway.url}${pathname}`, init);
  const json = async <T>(response: Response) => (await response.json()) as T;

  before(async () => {
    ({
      cluster,
      suffix,
      close: closeCluster,
    } = await startTestCluster('cluster', {
      services: [
        { name: 'user', instances: 1 },
        { name: 'product', instances: 2 },
        { name: 'order', instances: 2, calls: ['product', 'payment'] },
        { name: 'payment', instances: 1 },
      ],
      admin,
      // All load comes from this one address: the allowlist exists for exactly this.
      gatewayEnv: { DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1' },
    }));
    const login = async (body: object) =>
      (
        await json<{ tokens: { accessToken: string } }>(
          await api('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        )
      ).tokens.accessToken;
    adminToken = await login(admin);
    const buyer = { email: `buyer-${suffix}@cluster.dema.dev`, password: 'tidal-orchid-lantern-42' };
    const signup = await api('/api/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...buyer, name: 'Buyer' }),
    });
    assert.equal(signup.status, 202);
    customer = await login(buyer);
  });

  after(async () => {
    await closeCluster?.();
  });

  test('the gateway balances over every instance, each with its own database per service', async () => {
    const ready = await json<{ status: string; upstreams: Record<string, Array<{ state: string }>> }>(await api('/health/ready'));
    assert.equal(ready.status, 'up');
    assert.deepEqual(Object.fromEntries(Object.entries(ready.upstreams).map(([s, list]) => [s, list.length])), { user: 1, product: 2, order: 2, payment: 1 });
    const [first, second] = [cluster.instance('product', 1), cluster.instance('product', 2)];
    const before = [await answered(cluster, first, '/api/categories'), await answered(cluster, second, '/api/categories')];
    for (let i = 0; i < 20; i++) assert.equal((await api('/api/categories')).status, 200);
    assert.deepEqual(
      [(await answered(cluster, first, '/api/categories')) - before[0]!, (await answered(cluster, second, '/api/categories')) - before[1]!],
      [10, 10],
    );
  });

  test('/metrics of the gateway and of every instance is for the scraper with the service token, never for anonymous clients', async () => {
    for (const process of [cluster.gateway, ...cluster.instances]) {
      const anonymous = await fetch(`${process.url}/metrics`);
      assert.equal(anonymous.status, 401, process.name);
      assert.equal(((await anonymous.json()) as { code: string }).code, 'UNAUTHENTICATED');
      const scraped = await fetch(`${process.url}/metrics`, { headers: { authorization: `Bearer ${cluster.serviceToken}` } });
      assert.equal(scraped.status, 200, process.name);
      assert.match(await scraped.text(), /^# TYPE http_requests_total counter$/m);
    }
  });

  test("the gateway's monitoring reads the instances' database and cache, and counts requests at the edge", async () => {
    const application = async () => json<ApplicationMetrics>(await api('/api/monitoring/application', { headers: { authorization: `Bearer ${adminToken}` } }));
    const before = await application();
    for (let i = 0; i < 6; i++) assert.equal((await api('/api/products?limit=5')).status, 200);
    const after = await application();
    // Five service processes with a database each; the gateway itself has none.
    assert.ok(after.database.poolSize >= 5, `pool size ${after.database.poolSize}`);
    assert.ok(after.database.connections >= 0);
    // A page is two look-ups: which products it shows (its tags), then the page.
    assert.equal(
      after.cache.hits + after.cache.misses - (before.cache.hits + before.cache.misses),
      12,
      'each catalog page read used a product instance cache twice',
    );
    // The six reads and the first monitoring request were answered through the gateway.
    assert.ok(after.requests.total - before.requests.total >= 7, `${after.requests.total - before.requests.total} requests counted`);
  });

  test('a product instance killed under steady reads: after the first seconds no request fails; it is shown down, and takes traffic again once restarted', async (t) => {
    const victim = cluster.instance('product', 1);
    const load = steadyLoad(16, () => api('/api/products?limit=5'));
    await delay(2_000);
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    await waitFor('the gateway to show product-1 down', async () => (await instanceState(cluster, victim)) === 'down', 5_000);
    await delay(4_000);

    await victim.start();
    await waitFor('the gateway to show product-1 up', async () => (await instanceState(cluster, victim)) === 'up', 10_000);
    const served = await answered(cluster, victim, '/api/products');
    await delay(2_000);
    await load.stop();

    const failures = load.outcomes.filter((o) => !o.ok);
    const late = failures.filter((o) => o.at > killedAt + 2_000);
    t.diagnostic(
      `${load.outcomes.length} reads under load, ${failures.length} failed: ${JSON.stringify(failures.map((f) => ({ ms: f.at - killedAt, detail: f.detail })))}`,
    );
    assert.ok(load.outcomes.length > 200, `${load.outcomes.length} requests under load`);
    assert.deepEqual(
      late.map((o) => o.detail),
      [],
      'no request failed after the first two seconds',
    );
    assert.ok(failures.length <= 16, `${failures.length} failed in the first seconds (at most those in flight)`);
    assert.ok((await answered(cluster, victim, '/api/products')) > served, 'the restarted instance answers requests again');
  });

  test('an order instance killed while orders are placed: no order is lost or doubled', async (t) => {
    const category = await json<{ id: string }>(
      await api('/api/categories', {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Cluster ${suffix}` }),
      }),
    );
    const created = await api('/api/products', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Cluster Mug', price: 9.5, stock: 1000, categoryId: category.id }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const productId = (await json<{ id: string }>(created)).id;

    // Clients as they should be written: one key per order, the same key again until it succeeds.
    const placed = new Map<string, string>();
    let placing = true;
    let attempts = 0;
    const place = async (key: string) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        attempts += 1;
        try {
          const response = await api('/api/orders', {
            method: 'POST',
            headers: { authorization: `Bearer ${customer}`, 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify({ items: [{ productId, quantity: 1 }] }),
          });
          const body = (await response.json()) as { id?: string; code?: string };
          if (response.status === 201) return placed.set(key, body.id!);
          assert.ok(response.status >= 500 || body.code === 'IDEMPOTENCY_KEY_IN_FLIGHT', `${key}: ${response.status} ${JSON.stringify(body)}`);
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error;
        }
        if (Date.now() > deadline) throw new Error(`${key} was never placed`);
        await delay(250);
      }
    };
    const keys: string[] = [];
    const workers = Array.from({ length: 4 }, async () => {
      while (placing && keys.length < 100) {
        const key = randomUUID();
        keys.push(key);
        await place(key);
        await delay(250);
      }
    });
    await delay(2_000);
    const victim = cluster.instance('order', 1);
    await victim.kill('SIGKILL');
    await waitFor('the gateway to show order-1 down', async () => (await instanceState(cluster, victim)) === 'down', 5_000);
    await delay(3_000);
    placing = false;
    await Promise.all(workers);

    t.diagnostic(`${keys.length} orders, ${attempts} attempts (${attempts - keys.length} repeated after a failure)`);
    assert.ok(keys.length >= 10, `${keys.length} orders attempted`);
    assert.equal(placed.size, keys.length, 'every order was placed in the end');
    assert.equal(new Set(placed.values()).size, keys.length, 'one order per key');
    const mine = await json<{ items: Array<{ id: string }>; total: number }>(
      await api('/api/orders?limit=100', { headers: { authorization: `Bearer ${customer}` } }),
    );
    assert.equal(mine.total, keys.length, 'the customer has exactly one order per key');
    assert.deepEqual(new Set(mine.items.map((o) => o.id)), new Set(placed.values()));
    await waitFor(
      'stock to settle at 1000 minus the orders',
      async () => {
        const product = await json<{ stock: number }>(await api(`/api/products/${productId}`));
        return product.stock === 1000 - keys.length;
      },
      60_000,
    );

    await victim.start();
    await waitFor('the gateway to show order-1 up', async () => (await instanceState(cluster, victim)) === 'up', 10_000);
  });
});
