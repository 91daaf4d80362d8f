import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { behindProxies, keepBusy, leakPattern, statusCounts, realTarget, waitFor, type Outages, type Outcome } from '@dema/platform/testing';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';
import { allInOneServices } from '../src/services.ts';

/**
 * PostgreSQL taken away from the all-in-one process (a proxy in front of the real server is cut)
 * while customers browse, fill carts and place orders: every refusal is a 503 problem with
 * Retry-After, nothing is half-written, and it serves again soon after PostgreSQL is back.
 */
const real = realTarget();
const outageMs = 6_000;
const initialStock = 1_000;

describe('PostgreSQL cut under load (real servers)', { skip: real ? false : 'needs TEST_DATABASE_URL and TEST_REDIS_HOST' }, () => {
  let outages: Outages;
  let dema: AllInOne;
  let productId: string;
  let tokens: string[];

  const api = (token: string | undefined, method: string, url: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${dema.url}${url}`, {
      method,
      signal,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    outages = await behindProxies(real!);
    // One client address for all the load: the allowlist keeps rate limits out of this test.
    dema = await startAllInOne(outages.target, allInOneServices(), { rateLimitAllowlist: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] });
    const users = dema.services.user;
    const signIn = async (email: string, role: 'admin' | 'customer') => {
      await users.identity.createUser(email, 'correct-horse-battery-staple', role, role);
      return (await users.identity.login(email, 'correct-horse-battery-staple', '127.0.0.1')).tokens.accessToken;
    };
    const admin = await signIn('admin@outage.dema.dev', 'admin');
    tokens = await Promise.all(Array.from({ length: 6 }, (_, i) => signIn(`buyer${i}@outage.dema.dev`, 'customer')));
    const category = (await (await api(admin, 'POST', '/api/categories', { name: 'Outage' })).json()) as { id: string };
    const created = await api(admin, 'POST', '/api/products', { name: 'Outage Lamp', price: 10, stock: initialStock, categoryId: category.id });
    assert.equal(created.status, 201, await created.clone().text());
    productId = ((await created.json()) as { id: string }).id;
  });

  after(async () => {
    await dema?.dispose();
    await outages?.close();
  });

  test('503 problems with Retry-After while it is away, nothing half-written, one order per Idempotency-Key, serving again within 30 s', {
    timeout: 180_000,
  }, async (t) => {
    // Catalog reads that miss the cache (a search nobody made before) and ones it may answer.
    const catalog = keepBusy(4, (signal, worker) =>
      api(undefined, 'GET', worker % 2 === 0 ? `/api/products?q=${randomUUID().slice(0, 8)}` : `/api/products/${productId}`, undefined, {}, signal),
    );
    const carts = keepBusy(2, (signal, worker) =>
      api(tokens[worker]!, 'PUT', `/api/cart/items/${productId}`, { quantity: 1 + Math.floor(Math.random() * 3) }, {}, signal),
    );

    // Clients as they should be written: a key per order, the same key again until it is placed.
    const placed = new Map<string, { orderId: string; quantity: number }>();
    const attempts: Outcome[] = [];
    let placing = true;
    const place = async (token: string, key: string, quantity: number) => {
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
        const began = Date.now();
        try {
          const response = await api(
            token,
            'POST',
            '/api/orders',
            { items: [{ productId, quantity }] },
            { 'idempotency-key': key },
            AbortSignal.timeout(20_000),
          );
          const text = await response.text();
          attempts.push({
            at: Date.now(),
            ms: Date.now() - began,
            status: response.status,
            detail: response.ok ? '' : text,
            retryAfter: response.headers.get('retry-after'),
            contentType: response.headers.get('content-type'),
          });
          if (response.status === 201 || response.status === 200) {
            const { id } = JSON.parse(text) as { id: string };
            const earlier = placed.get(key);
            assert.ok(!earlier || earlier.orderId === id, `key ${key} answered with two orders`);
            placed.set(key, { orderId: id, quantity });
            return;
          }
        } catch (error) {
          attempts.push({ at: Date.now(), ms: Date.now() - began, status: 0, detail: (error as Error).message, retryAfter: null, contentType: null });
        }
        await delay(200);
      }
      throw new Error(`key ${key} was never placed`);
    };
    const keys: string[] = [];
    const buyers = tokens.slice(2).map(async (token) => {
      while (placing) {
        const key = randomUUID();
        keys.push(key);
        await place(token, key, 1 + Math.floor(Math.random() * 3));
      }
    });

    await delay(2_000);
    const cutAt = Date.now();
    outages.postgres.cut();
    await delay(outageMs);
    outages.postgres.restore();
    const restoredAt = Date.now();
    // Serving again: a catalog read that only the database can answer, and a new order.
    let last = '';
    try {
      await waitFor(
        'an uncached catalog read and a new order to succeed',
        async () => {
          const read = await api(undefined, 'GET', `/api/products?q=${randomUUID().slice(0, 8)}`);
          last = `read ${read.status} ${await read.clone().text()}`;
          if (read.status !== 200) return false;
          const key = `probe-${randomUUID()}`;
          const order = await api(tokens[0]!, 'POST', '/api/orders', { items: [{ productId, quantity: 1 }] }, { 'idempotency-key': key });
          last = `order ${order.status} ${await order.clone().text()}`;
          if (order.status !== 201) return false;
          placed.set(key, { orderId: ((await order.json()) as { id: string }).id, quantity: 1 });
          return true;
        },
        30_000,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last answer: ${last.slice(0, 500)}`);
    } finally {
      const recoveredMs = Date.now() - restoredAt;
      await delay(2_000);
      placing = false;
      await Promise.all([catalog.stop(), carts.stop(), ...buyers]);
      t.diagnostic(`serving again ${recoveredMs} ms after PostgreSQL returned`);
    }
    const everything = [...catalog.outcomes, ...carts.outcomes, ...attempts];
    const refused = everything.filter((o) => o.status >= 300 || o.status === 0);
    t.diagnostic(
      `PostgreSQL away ${outageMs} ms; ${everything.length} requests (${statusCounts(everything)}); ${keys.length} keyed orders, ${attempts.length} attempts`,
    );

    assert.ok(refused.length > 0, 'the outage was noticed');
    for (const o of refused) {
      // A duplicate still waiting for its first attempt is a 409 with Retry-After too.
      assert.ok(
        o.status === 503 || (o.status === 409 && o.detail.includes('IDEMPOTENCY_KEY_IN_FLIGHT')),
        `refused with ${o.status} ${o.detail.slice(0, 300)} (${o.at - cutAt} ms after the cut)`,
      );
      assert.match(o.contentType ?? '', /^application\/problem\+json/, `${o.status} ${o.detail.slice(0, 200)}`);
      assert.ok(o.retryAfter && Number(o.retryAfter) > 0, `${o.status} without Retry-After: ${o.detail.slice(0, 200)}`);
      assert.doesNotMatch(o.detail, leakPattern);
      assert.ok(typeof (JSON.parse(o.detail) as { code?: string }).code === 'string');
    }
    assert.ok(
      refused.every((o) => o.at < restoredAt + 30_000 || o.status === 409),
      'no 503 later than 30 s after the return',
    );

    // One order per key, and the customers' order lists say the same.
    assert.equal(new Set([...placed.values()].map((p) => p.orderId)).size, placed.size, 'no two keys share an order');
    for (const key of keys) assert.ok(placed.has(key), `key ${key} placed`);
    const orders = await dema.infra.database('order');
    const rows = (
      await orders.query<{ id: string; units: number; items: number }>(
        `SELECT o.id, COALESCE(sum(i.quantity), 0)::int AS units, count(i.*)::int AS items FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id`,
      )
    ).rows;
    assert.deepEqual(
      rows.filter((r) => r.items === 0).map((r) => r.id),
      [],
      'no order without its items',
    );
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set([...placed.values()].map((p) => p.orderId)), 'exactly the orders the clients were given');
    const units = rows.reduce((n, r) => n + r.units, 0);
    assert.equal(
      units,
      [...placed.values()].reduce((n, p) => n + p.quantity, 0),
    );
    // Reservations of placements the cut interrupted are released by the sweeper (stale after 30 s).
    await waitFor(
      'stock to equal the initial stock less the units of placed orders',
      async () => {
        const product = (await (await api(undefined, 'GET', `/api/products/${productId}`, undefined, { 'cache-control': 'no-cache' })).json()) as {
          stock: number;
        };
        const {
          rows: [row],
        } = await (await dema.infra.database('product')).query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId]);
        return row!.stock === initialStock - units && product.stock >= 0;
      },
      60_000,
    );
    assert.equal((await orders.query<{ n: number }>('SELECT count(*)::int AS n FROM pending_orders')).rows[0]!.n, 0, 'no placement left on the saga log');
  });
});
