import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEnvelope } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { orderCreated, productDeleted, products, startAnalytics, statusChanged, stockUpdated, users, type AnalyticsTestProcess } from './helpers.ts';

const { kettle, mug, tea } = products;

/**
 * A month of a small shop, as events. Sales in May (not cancelled or returned): o1 64.99, o2 0.30,
 * o3 99.98, o5 7.60. o4 is cancelled, o8 returned; o7 (April) and o6 (June) fall outside May.
 */
const o1 = orderCreated({
  userId: users.ada,
  timestamp: '2024-05-01T09:00:00.000Z',
  items: [
    { productId: kettle, quantity: 1, price: 49.99 },
    { productId: mug, quantity: 2, price: 7.5 },
  ],
});
const o2 = orderCreated({ userId: users.bob, timestamp: '2024-05-01T23:59:59.999Z', items: [{ productId: tea, quantity: 3, price: 0.1 }] });
const o3 = orderCreated({ userId: users.ada, timestamp: '2024-05-06T00:00:00.000Z', items: [{ productId: kettle, quantity: 2, price: 49.99 }] });
const o4 = orderCreated({ userId: users.bob, timestamp: '2024-05-15T12:00:00.000Z', items: [{ productId: mug, quantity: 10, price: 7.5 }] });
const o5 = orderCreated({
  userId: users.ada,
  timestamp: '2024-05-31T23:00:00.000Z',
  items: [
    { productId: tea, quantity: 1, price: 0.1 },
    { productId: mug, quantity: 1, price: 7.5 },
  ],
});
const o6 = orderCreated({ userId: users.bob, timestamp: '2024-06-01T00:00:00.000Z', items: [{ productId: kettle, quantity: 1, price: 49.99 }] });
const o7 = orderCreated({ userId: users.ada, timestamp: '2024-04-30T23:59:59.000Z', items: [{ productId: mug, quantity: 1, price: 7.5 }] });
const o8 = orderCreated({ userId: users.bob, timestamp: '2024-05-20T10:00:00.000Z', items: [{ productId: kettle, quantity: 1, price: 49.99 }] });

// Delivered out of order on purpose: o3's status changes newest first and before o3 itself, and
// the mug's June adjustment before its May sale. Figures must not depend on arrival order.
const history: EventEnvelope[] = [
  statusChanged(o3, 'SHIPPED', 'DELIVERED', '2024-05-09T10:00:00.000Z'),
  statusChanged(o3, 'CONFIRMED', 'SHIPPED', '2024-05-07T10:00:00.000Z'),
  o1,
  o2,
  o3,
  statusChanged(o3, 'PENDING', 'CONFIRMED', '2024-05-06T10:00:00.000Z'),
  o4,
  statusChanged(o4, 'PENDING', 'CANCELLED', '2024-05-16T10:00:00.000Z'),
  o5,
  statusChanged(o5, 'PENDING', 'CONFIRMED', '2024-06-01T08:00:00.000Z'),
  o6,
  o7,
  o8,
  statusChanged(o8, 'PENDING', 'CONFIRMED', '2024-05-20T11:00:00.000Z'),
  statusChanged(o8, 'CONFIRMED', 'SHIPPED', '2024-05-21T11:00:00.000Z'),
  statusChanged(o8, 'SHIPPED', 'RETURNED', '2024-05-25T11:00:00.000Z'),
  stockUpdated(kettle, 0, 20, 'MANUAL', '2024-04-28T08:00:00.000Z'),
  stockUpdated(kettle, 20, 19, 'ORDER', '2024-05-01T09:00:00.000Z'),
  stockUpdated(kettle, 19, 17, 'ORDER', '2024-05-06T00:00:00.000Z'),
  stockUpdated(kettle, 17, 16, 'ORDER', '2024-05-20T10:00:00.000Z'),
  stockUpdated(kettle, 16, 17, 'RETURN', '2024-05-25T11:00:00.000Z'),
  stockUpdated(mug, 0, 12, 'MANUAL', '2024-05-01T08:00:00.000Z'),
  stockUpdated(mug, 12, 10, 'ORDER', '2024-05-01T09:00:00.000Z'),
  stockUpdated(mug, 10, 0, 'ORDER', '2024-05-15T12:00:00.000Z'),
  stockUpdated(mug, 0, 10, 'RETURN', '2024-05-16T10:00:00.000Z'),
  stockUpdated(mug, 9, 4, 'MANUAL', '2024-06-02T08:00:00.000Z'),
  stockUpdated(mug, 10, 9, 'ORDER', '2024-05-31T23:00:00.000Z'),
  stockUpdated(tea, 0, 5, 'MANUAL', '2024-05-01T00:00:00.000Z'),
  stockUpdated(tea, 5, 2, 'ORDER', '2024-05-01T23:59:59.999Z'),
  stockUpdated(tea, 2, 1, 'ORDER', '2024-05-31T23:00:00.000Z'),
];

const may = 'from=2024-05-01&to=2024-05-31';

for (const target of testTargets()) {
  describe(`analytics figures from events (${target.name})`, () => {
    let dema: AnalyticsTestProcess;

    before(async () => {
      dema = await startAnalytics(target);
      const mark = await dema.mark();
      for (const event of history) await dema.publish(event);
      await dema.settled(mark, history.length);
    });
    after(() => dema?.dispose());

    async function get(path: string): Promise<any> {
      const reply = await dema.admin(path);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.match(reply.contentType, /^application\/json/);
      return reply.body;
    }

    test('every consumed event is kept in the history, once', async () => {
      assert.equal(await dema.count('event_log'), history.length);
      const db = await dema.db();
      const { rows } = await db.query<{ id: string }>('SELECT id FROM event_log ORDER BY seq');
      assert.deepEqual(rows.map((r) => r.id).sort(), history.map((e) => e.id).sort());
    });

    test('the summary counts sales only, with exact revenue and average order value', async () => {
      assert.deepEqual(await get(`/api/analytics/summary?${may}`), {
        from: '2024-05-01',
        to: '2024-05-31',
        orders: 4,
        revenue: 172.87,
        averageOrderValue: 43.22,
        unitsSold: 10,
        customers: 2,
      });
    });

    test('revenue per day lists every day of the range, the last millisecond of a day in that day', async () => {
      const body = await get(`/api/analytics/revenue?${may}&interval=day`);
      assert.equal(body.interval, 'day');
      assert.equal(body.points.length, 31);
      assert.equal(body.points[0].period, '2024-05-01');
      assert.equal(body.points[30].period, '2024-05-31');
      const nonZero = body.points.filter((p: any) => p.orders > 0);
      assert.deepEqual(nonZero, [
        { period: '2024-05-01', orders: 2, revenue: 65.29 },
        { period: '2024-05-06', orders: 1, revenue: 99.98 },
        { period: '2024-05-31', orders: 1, revenue: 7.6 },
      ]);
      for (const point of body.points) if (point.orders === 0) assert.equal(point.revenue, 0);
      assert.deepEqual(body.totals, { orders: 4, revenue: 172.87 });
    });

    test('revenue per ISO week starts on Mondays and counts only days inside the range', async () => {
      const body = await get(`/api/analytics/revenue?${may}&interval=week`);
      assert.deepEqual(body.points, [
        // The week of 29 April: o7 on 30 April is outside the range, so only o1 and o2.
        { period: '2024-04-29', orders: 2, revenue: 65.29 },
        { period: '2024-05-06', orders: 1, revenue: 99.98 },
        { period: '2024-05-13', orders: 0, revenue: 0 },
        { period: '2024-05-20', orders: 0, revenue: 0 },
        { period: '2024-05-27', orders: 1, revenue: 7.6 },
      ]);
    });

    test('revenue per month', async () => {
      const body = await get('/api/analytics/revenue?from=2024-04-01&to=2024-06-30&interval=month');
      assert.deepEqual(body.points, [
        { period: '2024-04-01', orders: 1, revenue: 7.5 },
        { period: '2024-05-01', orders: 4, revenue: 172.87 },
        { period: '2024-06-01', orders: 1, revenue: 49.99 },
      ]);
      assert.deepEqual(body.totals, { orders: 6, revenue: 230.36 });
    });

    test('a cancelled or returned order is not revenue, but its placing still shows in orders by status', async () => {
      const body = await get(`/api/analytics/orders-by-status?${may}`);
      assert.equal(body.total, 6);
      assert.deepEqual(body.items, [
        { status: 'PENDING', orders: 2, value: 65.29 },
        { status: 'CONFIRMED', orders: 1, value: 7.6 },
        { status: 'SHIPPED', orders: 0, value: 0 },
        // o3's status changes arrived newest first and before the order: it is still DELIVERED.
        { status: 'DELIVERED', orders: 1, value: 99.98 },
        { status: 'CANCELLED', orders: 1, value: 75 },
        { status: 'RETURNED', orders: 1, value: 49.99 },
      ]);
    });

    test('top products by units, ties broken by revenue', async () => {
      const body = await get(`/api/analytics/top-products?${may}&by=units`);
      assert.equal(body.by, 'units');
      assert.deepEqual(body.items, [
        { productId: tea, units: 4, revenue: 0.4, orders: 2 },
        { productId: kettle, units: 3, revenue: 149.97, orders: 2 },
        { productId: mug, units: 3, revenue: 22.5, orders: 2 },
      ]);
    });

    test('top products by revenue, limited', async () => {
      const body = await get(`/api/analytics/top-products?${may}&by=revenue&limit=2`);
      assert.deepEqual(
        body.items.map((i: any) => [i.productId, i.revenue]),
        [
          [kettle, 149.97],
          [mug, 22.5],
        ],
      );
    });

    test('stock movements by reason, zeros included', async () => {
      const body = await get(`/api/analytics/stock-movements?${may}`);
      assert.equal(body.productId, null);
      assert.deepEqual(body.items, [
        { reason: 'ORDER', movements: 8, unitsIn: 0, unitsOut: 21, net: -21 },
        { reason: 'MANUAL', movements: 2, unitsIn: 17, unitsOut: 0, net: 17 },
        { reason: 'RETURN', movements: 2, unitsIn: 11, unitsOut: 0, net: 11 },
      ]);
      const june = await get('/api/analytics/stock-movements?from=2024-06-01&to=2024-06-30');
      assert.deepEqual(
        june.items.map((i: any) => [i.reason, i.movements, i.net]),
        [
          ['ORDER', 0, 0],
          ['MANUAL', 1, -5],
          ['RETURN', 0, 0],
        ],
      );
    });

    test('stock movements of one product', async () => {
      const body = await get(`/api/analytics/stock-movements?${may}&productId=${mug}`);
      assert.equal(body.productId, mug);
      assert.deepEqual(body.items, [
        { reason: 'ORDER', movements: 3, unitsIn: 0, unitsOut: 13, net: -13 },
        { reason: 'MANUAL', movements: 1, unitsIn: 12, unitsOut: 0, net: 12 },
        { reason: 'RETURN', movements: 1, unitsIn: 10, unitsOut: 0, net: 10 },
      ]);
    });

    test("low stock is each product's latest stock by when it changed, not by when the event arrived", async () => {
      const body = await get('/api/analytics/low-stock');
      assert.equal(body.threshold, 5);
      assert.deepEqual(body.items, [
        { productId: tea, stock: 1, updatedAt: '2024-05-31T23:00:00.000Z' },
        { productId: mug, stock: 4, updatedAt: '2024-06-02T08:00:00.000Z' },
      ]);
      assert.deepEqual((await get('/api/analytics/low-stock?threshold=0')).items, []);
      const all = await get('/api/analytics/low-stock?threshold=20');
      assert.deepEqual(
        all.items.map((i: any) => [i.productId, i.stock]),
        [
          [tea, 1],
          [mug, 4],
          [kettle, 17],
        ],
      );
      assert.equal((await get('/api/analytics/low-stock?threshold=20&limit=1')).items.length, 1);
    });

    test('a deleted product leaves low stock, and a stock change of it that arrives after the deletion does not bring it back', async () => {
      const discontinued = 'c0ffee00-4444-4000-8000-000000000001';
      const listed = async () => (await get('/api/analytics/low-stock?threshold=20')).items.map((i: any) => i.productId);
      let mark = await dema.mark();
      await dema.publish(stockUpdated(discontinued, 0, 2, 'MANUAL', '2024-06-10T08:00:00.000Z'));
      await dema.settled(mark, 1);
      assert.deepEqual(await listed(), [tea, discontinued, mug, kettle]);

      mark = await dema.mark();
      await dema.publish(productDeleted(discontinued, 'Discontinued Mug', '2024-06-12T08:00:00.000Z'));
      await dema.settled(mark, 1);
      assert.deepEqual(await listed(), [tea, mug, kettle]);

      mark = await dema.mark();
      await dema.publish(stockUpdated(discontinued, 2, 1, 'ORDER', '2024-06-11T08:00:00.000Z'));
      await dema.settled(mark, 1);
      assert.deepEqual(await listed(), [tea, mug, kettle]);
      // Its history stays: what moved while it was sold still counts.
      const movements = await get(`/api/analytics/stock-movements?from=2024-06-01&to=2024-06-30&productId=${discontinued}`);
      assert.deepEqual(
        movements.items.map((i: any) => [i.reason, i.movements]),
        [
          ['ORDER', 1],
          ['MANUAL', 1],
          ['RETURN', 0],
        ],
      );
    });

    test('a range without events gives zeros, not errors', async () => {
      const range = 'from=2023-01-01&to=2023-01-31';
      assert.deepEqual(await get(`/api/analytics/summary?${range}`), {
        from: '2023-01-01',
        to: '2023-01-31',
        orders: 0,
        revenue: 0,
        averageOrderValue: 0,
        unitsSold: 0,
        customers: 0,
      });
      assert.deepEqual((await get(`/api/analytics/top-products?${range}`)).items, []);
      assert.equal((await get(`/api/analytics/orders-by-status?${range}`)).total, 0);
    });

    test('without dates a report covers the 30 days ending today', async () => {
      const now = new Date();
      const today = now.toISOString().slice(0, 10);
      const from = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
      const before = await get('/api/analytics/summary');
      assert.equal(before.to, today);
      assert.equal(before.from, from);
      const mark = await dema.mark();
      await dema.publish(orderCreated({ userId: users.bob, timestamp: now.toISOString(), items: [{ productId: tea, quantity: 2, price: 12.34 }] }));
      await dema.settled(mark, 1);
      const after = await get('/api/analytics/summary');
      assert.equal(after.orders, before.orders + 1);
      assert.equal(Math.round(after.revenue * 100) - Math.round(before.revenue * 100), 2468);
      const series = await get('/api/analytics/revenue');
      assert.equal(series.points.length, 30);
      assert.equal(series.points[29].period, today);
      assert.ok(series.points[29].orders >= 1);
    });
  });
}
