import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { EventEnvelope, OrderCreatedEvent } from '@dema/contracts';
import { createLogger, RabbitMqBus } from '@dema/platform';
import { assertEachOnce, behindProxies, realTarget, testAmqpUrl, waitFor, type Outages } from '@dema/platform/testing';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';
import { allInOneServices } from '../src/services.ts';

/**
 * RabbitMQ taken away from the all-in-one process for a minute (a proxy in front of the real broker
 * is cut) while 1,000 orders are placed: every order succeeds, its events wait in the outboxes, and
 * once the broker is back each is published once and counted by analytics once.
 */
const real = realTarget();
const amqpUrl = testAmqpUrl();
const orderCount = 1_000;
const outageMs = 60_000;
const placers = 8;

describe('RabbitMQ away for a minute while 1,000 orders are placed (real servers)', {
  skip: real && amqpUrl ? false : 'needs TEST_DATABASE_URL, TEST_REDIS_HOST and TEST_AMQP_URL',
}, () => {
  let outages: Outages;
  let dema: AllInOne;
  let watcher: RabbitMqBus;
  const delivered: EventEnvelope[] = [];
  let admin: string;
  let customers: string[];

  const api = (token: string, method: string, url: string, body?: unknown, signal?: AbortSignal) =>
    fetch(`${dema.url}${url}`, {
      method,
      signal,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    outages = await behindProxies(real!);
    dema = await startAllInOne(outages.target, allInOneServices(), { rateLimitAllowlist: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] });
    // A consumer of its own that reaches the broker directly, in the process's namespace: what was published, and how often.
    watcher = await RabbitMqBus.open(amqpUrl!, createLogger('silent', { name: 'outage-watcher' }), {
      namespace: dema.infra.config.amqpNamespace,
      expiresMs: 60_000,
    });
    await watcher.subscribe('outage-watcher', ['order.created', 'system.stock.updated'], async (event) => void delivered.push(event));
    const users = dema.services.user;
    const signIn = async (email: string, role: 'admin' | 'customer') => {
      await users.identity.createUser(email, 'correct-horse-battery-staple', role, role);
      return (await users.identity.login(email, 'correct-horse-battery-staple', '127.0.0.1')).tokens.accessToken;
    };
    admin = await signIn('admin@amqp-outage.dema.dev', 'admin');
    customers = await Promise.all(Array.from({ length: placers }, (_, i) => signIn(`buyer${i}@amqp-outage.dema.dev`, 'customer')));
  });

  after(async () => {
    await watcher?.close();
    await dema?.dispose();
    await outages?.close();
  });

  test('every order succeeds, every event is published once after, and analytics counts each order once', { timeout: 360_000 }, async (t) => {
    const category = (await (await api(admin, 'POST', '/api/categories', { name: 'Broker outage' })).json()) as { id: string };
    const created = await api(admin, 'POST', '/api/products', { name: 'Broker Lamp', price: 2.5, stock: 5_000, categoryId: category.id });
    assert.equal(created.status, 201, await created.clone().text());
    const productId = ((await created.json()) as { id: string }).id;
    await waitFor(
      "the product's first STOCK_UPDATED on the broker",
      () => delivered.some((e) => e.type === 'STOCK_UPDATED' && (e.payload as { productId: string }).productId === productId),
      15_000,
    );
    // The broker hands an event to consumers before its confirm reaches the publisher: cut in
    // between, and the relay, never told, rightly publishes it again after the return. Cut only
    // once every outbox has recorded its confirms, so that each event here is published once.
    const unconfirmed = async () => {
      let rows = 0;
      for (const service of ['product', 'order'] as const) {
        const db = await dema.infra.database(service);
        rows += (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0]!.n;
      }
      return rows;
    };
    await waitFor('every outbox to record its confirms', async () => (await unconfirmed()) === 0, 15_000);

    outages.rabbitmq!.cut();
    const cutAt = Date.now();
    const orderIds: string[] = [];
    const failures: string[] = [];
    let next = 0;
    const progress = setInterval(() => t.diagnostic(`${orderIds.length} placed, ${failures.length} failed after ${Date.now() - cutAt} ms`), 10_000);
    await Promise.all(
      customers.map(async (token) => {
        while (next < orderCount) {
          next += 1;
          const response = await api(token, 'POST', '/api/orders', { items: [{ productId, quantity: 1 }] }, AbortSignal.timeout(15_000));
          const text = await response.text();
          if (response.status === 201) orderIds.push((JSON.parse(text) as { id: string }).id);
          else failures.push(`${response.status} ${text.slice(0, 200)}`);
        }
      }),
    );
    clearInterval(progress);
    const placingMs = Date.now() - cutAt;
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} orders failed while the broker was away`);
    assert.equal(orderIds.length, orderCount);
    const stillAway = delivered.filter((e) => e.type === 'ORDER_CREATED').length;
    assert.equal(stillAway, 0, 'nothing was published while the broker was away');

    await delay(Math.max(0, outageMs - (Date.now() - cutAt)));
    outages.rabbitmq!.restore();
    const restoredAt = Date.now();
    const ordersOnBroker = () => delivered.filter((e) => e.type === 'ORDER_CREATED' && orderIds.includes((e as OrderCreatedEvent).payload.orderId));
    await waitFor(
      'every ORDER_CREATED and STOCK_UPDATED of the 1,000 orders on the broker',
      () => ordersOnBroker().length >= orderCount && delivered.filter((e) => e.type === 'STOCK_UPDATED').length >= orderCount + 1,
      120_000,
    );
    const publishedMs = Date.now() - restoredAt;
    const report = async () => (await (await api(admin, 'GET', '/api/analytics/orders-by-status')).json()) as { total: number };
    await waitFor('analytics to count the 1,000 orders', async () => (await report()).total >= orderCount, 120_000);
    const drainedMs = Date.now() - restoredAt;
    // Let any second delivery arrive before counting.
    await delay(2_000);

    const orders = await dema.infra.database('order');
    const products = await dema.infra.database('product');
    const analytics = await dema.infra.database('analytics');
    const one = async (db: typeof orders, sql: string) => (await db.query<{ n: number }>(sql)).rows[0]!.n;
    const publishedAfter =
      (await one(orders, `SELECT count(*)::int AS n FROM outbox WHERE published_at >= to_timestamp(${restoredAt / 1000})`)) +
      (await one(products, `SELECT count(*)::int AS n FROM outbox WHERE published_at >= to_timestamp(${restoredAt / 1000})`));
    const counted = (await report()).total;
    const facts = await one(analytics, 'SELECT count(*)::int AS n FROM order_facts');
    const movements = await one(analytics, `SELECT count(*)::int AS n FROM stock_movement_facts WHERE reason = 'ORDER'`);
    t.diagnostic(
      `RabbitMQ away ${Math.round((restoredAt - cutAt) / 1000)} s; ${orderIds.length} orders placed in ${Math.round(placingMs / 1000)} s, ${failures.length} failed; ` +
        `${publishedAfter} events published after its return (on the broker in ${Math.round(publishedMs / 100) / 10} s); analytics counts ${counted} orders, ` +
        `${facts} order facts, ${movements} ORDER stock movements; drained in ${Math.round(drainedMs / 100) / 10} s`,
    );

    // Events are not backed off for the broker's absence: they go as soon as it is back (reconnects every 5 s at most).
    assert.ok(publishedMs < 30_000, `events on the broker ${publishedMs} ms after its return`);
    assertEachOnce(
      ordersOnBroker().map((e) => (e as OrderCreatedEvent).payload.orderId),
      orderIds,
    );
    assertEachOnce(
      delivered.map((e) => e.id),
      [...new Set(delivered.map((e) => e.id))],
    );
    assert.equal(publishedAfter, 2 * orderCount, "each order's ORDER_CREATED and STOCK_UPDATED published after the return");
    assert.equal(counted, orderCount);
    assert.equal(facts, orderCount);
    assert.equal(movements, orderCount);
    assert.equal(await one(orders, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL'), 0);
    assert.equal(await one(products, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL'), 0);
  });
});
