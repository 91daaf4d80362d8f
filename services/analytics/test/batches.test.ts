import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { restockingStatuses, type EventEnvelope, type OrderCreatedEvent, type OrderStatus } from '@dema/contracts';
import { createEvent, platformMigrations, runMigrations } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { Analytics, analyticsMigrations, recordEvents } from '../src/app.ts';
import { allReports, freshDatabase, orderCreated, startAnalytics, statusChanged, stockUpdated, users, type AnalyticsTestProcess } from './helpers.ts';

const march = { from: '2023-03-01', to: '2023-03-31' };
const productIds = Array.from({ length: 6 }, (_, i) => `c0ffee00-3333-4000-8000-${String(i + 1).padStart(12, '0')}`);
/** Each order's lifecycle after PENDING: every path of it occurs. */
const lifecycles: OrderStatus[][] = [
  ['CONFIRMED', 'SHIPPED', 'DELIVERED'],
  ['CANCELLED'],
  ['CONFIRMED'],
  [],
  ['CONFIRMED', 'SHIPPED', 'RETURNED'],
  ['CONFIRMED', 'CANCELLED'],
];

/** A seeded shuffle, so a failure can be run again as it was. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Shop {
  /** Every delivery, repeats included, in the order the test generated them. */
  deliveries: EventEnvelope[];
  repeats: number;
  orders: Array<{ event: OrderCreatedEvent; final: OrderStatus }>;
  /** Each product's stock after the last of its STOCK_UPDATED events. */
  stock: Map<string, number>;
}

/**
 * Sixty orders over three March days, each with one STOCK_UPDATED per line (stock of six products
 * going down a minute apart) and its status changes; every fifth event is delivered twice and
 * every tenth order is announced again under a new event id.
 */
function shop(): Shop {
  const stock = new Map(productIds.map((id) => [id, 10_000]));
  const deliveries: EventEnvelope[] = [];
  const orders: Shop['orders'] = [];
  let minute = 0;
  for (let i = 0; i < 60; i += 1) {
    const day = `2023-03-0${1 + (i % 3)}`;
    const lines = [productIds[i % 6]!, ...(i % 2 ? [productIds[(i + 3) % 6]!] : [])];
    const order = orderCreated({
      userId: i % 3 ? users.ada : users.bob,
      timestamp: `${day}T${String(8 + (i % 10)).padStart(2, '0')}:00:00.000Z`,
      items: lines.map((productId, n) => ({ productId, quantity: 1 + ((i + n) % 3), price: [12.5, 0.35, 7.99][(i + n) % 3]! })),
    });
    const events: EventEnvelope[] = [order];
    if (i % 10 === 0) events.push({ ...order, id: createEvent('ORDER_CREATED', order.payload).id });
    for (const item of order.payload.items) {
      const before = stock.get(item.productId)!;
      stock.set(item.productId, before - item.quantity);
      minute += 1;
      events.push(stockUpdated(item.productId, before, before - item.quantity, 'ORDER', new Date(Date.UTC(2023, 2, 1, 0, minute)).toISOString()));
    }
    const lifecycle = lifecycles[i % lifecycles.length]!;
    let from: OrderStatus = 'PENDING';
    for (const [n, to] of lifecycle.entries()) {
      events.push(statusChanged(order, from, to, `${day}T20:0${n}:00.000Z`));
      from = to;
    }
    orders.push({ event: order, final: from });
    deliveries.push(...events);
  }
  const repeated = deliveries.filter((_, i) => i % 5 === 0);
  return { deliveries: [...deliveries, ...repeated], repeats: repeated.length, orders, stock };
}

for (const target of testTargets()) {
  describe(`analytics handles concurrent deliveries in batches (${target.name})`, () => {
    let dema: AnalyticsTestProcess;

    before(async () => {
      dema = await startAnalytics(target);
    });
    after(() => dema?.dispose());

    async function outcomes(): Promise<Record<string, number>> {
      const { values } = await dema.infra.metrics.registry.getSingleMetric('dema_analytics_events_total')!.get();
      const totals: Record<string, number> = {};
      for (const v of values) totals[String(v.labels.outcome)] = (totals[String(v.labels.outcome)] ?? 0) + v.value;
      return totals;
    }

    test('hundreds of deliveries at once, repeated and out of order, give the figures of handling them one at a time', async () => {
      const { deliveries, repeats, orders, stock } = shop();
      const before = await outcomes();
      const mark = await dema.mark();
      // Status changes before their orders, the last stock level before the first: any order goes.
      await Promise.all(shuffled(deliveries, 7).map((event) => dema.publish(event)));
      await dema.settled(mark, deliveries.length);
      const live = await allReports(dema.analyticsService.analytics, march);

      const after = await outcomes();
      const delta = (outcome: string) => (after[outcome] ?? 0) - (before[outcome] ?? 0);
      assert.deepEqual([delta('counted'), delta('duplicate'), delta('failed')], [deliveries.length - repeats, repeats, 0]);
      const { rows } = await (await dema.db()).query<{ events: number; transactions: number }>(
        'SELECT count(*)::int AS events, count(DISTINCT processed_at)::int AS transactions FROM processed_events',
      );
      assert.equal(rows[0]!.events, deliveries.length - repeats);
      assert.ok(rows[0]!.transactions < rows[0]!.events / 2, `${rows[0]!.events} events took ${rows[0]!.transactions} transactions`);

      // The same events recorded one per transaction, in the order they were generated.
      const fresh = await freshDatabase(target);
      try {
        await runMigrations(fresh.db, [platformMigrations, analyticsMigrations]);
        for (const event of deliveries) await fresh.db.transaction((tx) => recordEvents(tx, [event]));
        assert.deepEqual(live, await allReports(new Analytics(fresh.db), march));
      } finally {
        await fresh.dispose();
      }

      // And the figures themselves, from the orders as generated.
      const byStatus = new Map<string, number>();
      for (const { final } of orders) byStatus.set(final, (byStatus.get(final) ?? 0) + 1);
      assert.deepEqual(new Map(live.byStatus.items.filter((i) => i.orders > 0).map((i) => [i.status, i.orders])), byStatus);
      const sales = orders.filter((o) => !(restockingStatuses as readonly string[]).includes(o.final));
      const cents = sales.reduce((n, o) => n + Math.round(o.event.payload.total * 100), 0);
      assert.deepEqual([live.summary.orders, live.summary.revenue], [sales.length, cents / 100]);
      assert.deepEqual(new Map(live.lowStock.items.map((i) => [i.productId, i.stock])), stock);
      const movements = new Set(deliveries.filter((e) => e.type === 'STOCK_UPDATED').map((e) => e.id));
      assert.equal(live.movements.items.find((i) => i.reason === 'ORDER')!.movements, movements.size);
    });
  });
}
