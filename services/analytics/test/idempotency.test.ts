import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { connect } from 'amqplib';
import type { EventEnvelope } from '@dema/contracts';
import { createEvent, EventDeliveryError } from '@dema/platform';
import { testAmqpUrl, testTargets, waitFor } from '@dema/platform/testing';
import { analyticsConsumer } from '../src/app.ts';
import { orderCreated, products, startAnalytics, statusChanged, stockUpdated, users, type AnalyticsTestProcess } from './helpers.ts';

const { kettle, mug, tea } = products;

/** Each test works on a day of its own, so its figures are its own. */
let days = 0;
function nextDay(): string {
  days += 1;
  return new Date(Date.UTC(2022, 0, days)).toISOString().slice(0, 10);
}

for (const target of testTargets()) {
  describe(`analytics counts each event once (${target.name})`, () => {
    let dema: AnalyticsTestProcess;

    before(async () => {
      dema = await startAnalytics(target);
    });
    after(() => dema?.dispose());

    async function summary(day: string): Promise<any> {
      const reply = await dema.admin(`/api/analytics/summary?from=${day}&to=${day}`);
      assert.equal(reply.status, 200);
      return reply.body;
    }

    async function logged(ids: string[]): Promise<number> {
      const { rows } = await (await dema.db()).query<{ n: number }>('SELECT count(*)::int AS n FROM event_log WHERE id = ANY($1::uuid[])', [ids]);
      return rows[0]!.n;
    }

    test('an event delivered twice counts once', async () => {
      const day = nextDay();
      const order = orderCreated({ timestamp: `${day}T10:00:00Z`, items: [{ productId: kettle, quantity: 3, price: 19.99 }] });
      const mark = await dema.mark();
      await dema.publish(order);
      await dema.publish(order);
      await dema.settled(mark, 2);
      assert.deepEqual(await summary(day), { from: day, to: day, orders: 1, revenue: 59.97, averageOrderValue: 59.97, unitsSold: 3, customers: 1 });
      assert.equal(await logged([order.id]), 1);
      const { rows } = await (await dema.db()).query<{ n: number }>('SELECT count(*)::int AS n FROM processed_events WHERE consumer = $1 AND event_id = $2', [
        analyticsConsumer,
        order.id,
      ]);
      assert.equal(rows[0]!.n, 1);
    });

    test('the same events delivered many times at once count once', async () => {
      const day = nextDay();
      const order = orderCreated({ timestamp: `${day}T10:00:00Z`, items: [{ productId: mug, quantity: 2, price: 0.35 }] });
      const stock = stockUpdated(mug, 50, 48, 'ORDER', `${day}T10:00:00Z`);
      const mark = await dema.mark();
      await Promise.all(Array.from({ length: 8 }, () => [dema.publish(order), dema.publish(stock)]).flat());
      await dema.settled(mark, 16);
      const s = await summary(day);
      assert.equal(s.orders, 1);
      assert.equal(s.revenue, 0.7);
      const movements = (await dema.admin(`/api/analytics/stock-movements?from=${day}&to=${day}`)).body;
      assert.deepEqual(movements.items[0], { reason: 'ORDER', movements: 1, unitsIn: 0, unitsOut: 2, net: -2 });
      assert.equal(await logged([order.id, stock.id]), 2);
    });

    test('many different events at once are each counted, exactly', async () => {
      const day = nextDay();
      const orders = Array.from({ length: 25 }, (_, i) =>
        orderCreated({
          userId: i % 2 ? users.ada : users.bob,
          timestamp: `${day}T${String(i % 24).padStart(2, '0')}:00:00Z`,
          items: [
            { productId: tea, quantity: 1, price: 0.1 },
            { productId: kettle, quantity: 1, price: 0.2 },
          ],
        }),
      );
      const mark = await dema.mark();
      await Promise.all(orders.map((o) => dema.publish(o)));
      await dema.settled(mark, orders.length);
      const s = await summary(day);
      // 25 × 0.30: in binary floating point this sum is 7.499999999999998.
      assert.deepEqual([s.orders, s.revenue, s.averageOrderValue, s.unitsSold, s.customers], [25, 7.5, 0.3, 50, 2]);
    });

    test("a status change racing its order's creation still leaves the order in its latest status", async () => {
      const day = nextDay();
      const pairs = Array.from({ length: 10 }, () => {
        const order = orderCreated({ timestamp: `${day}T08:00:00Z`, items: [{ productId: kettle, quantity: 1, price: 10 }] });
        return [order, statusChanged(order, 'PENDING', 'CANCELLED', `${day}T09:00:00Z`)] as EventEnvelope[];
      });
      const mark = await dema.mark();
      await Promise.all(pairs.flat().map((e) => dema.publish(e)));
      await dema.settled(mark, 20);
      const byStatus = (await dema.admin(`/api/analytics/orders-by-status?from=${day}&to=${day}`)).body;
      assert.equal(byStatus.total, 10);
      assert.deepEqual(
        byStatus.items.filter((i: any) => i.orders > 0),
        [{ status: 'CANCELLED', orders: 10, value: 100 }],
      );
      assert.equal((await summary(day)).orders, 0);
    });

    test('an order announced again under a new event id counts its lines once', async () => {
      const day = nextDay();
      const order = orderCreated({ timestamp: `${day}T10:00:00Z`, items: [{ productId: tea, quantity: 4, price: 2.5 }] });
      const again = { ...order, id: createEvent('ORDER_CREATED', order.payload).id };
      const mark = await dema.mark();
      await dema.publish(order);
      await dema.publish(again);
      await dema.settled(mark, 2);
      const s = await summary(day);
      assert.deepEqual([s.orders, s.revenue, s.unitsSold], [1, 10, 4]);
      const top = (await dema.admin(`/api/analytics/top-products?from=${day}&to=${day}`)).body;
      assert.deepEqual(top.items, [{ productId: tea, units: 4, revenue: 10, orders: 1 }]);
    });

    test('an event analytics cannot use is retried and set aside without blocking the others', async () => {
      const day = nextDay();
      const bad = orderCreated({ timestamp: `${day}T10:00:00Z`, items: [{ productId: kettle, quantity: 1, price: 1.005 }], total: 1.005 });
      const good = Array.from({ length: 3 }, () => orderCreated({ timestamp: `${day}T11:00:00Z`, items: [{ productId: mug, quantity: 1, price: 5 }] }));
      const mark = await dema.mark();
      // Not awaited: on the embedded bus, publish settles only once the bad event is given up on
      // (and then rejects, for the outbox to keep it dead-lettered).
      const badDelivery = dema.publish(bad).then(
        () => undefined,
        (error: unknown) => error,
      );
      await Promise.all(good.map((o) => dema.publish(o)));
      await dema.settled(mark, good.length);
      const s = await summary(day);
      assert.deepEqual([s.orders, s.revenue], [3, 15]);
      const refusal = await badDelivery;

      if (dema.busKind === 'memory') {
        assert.ok(refusal instanceof EventDeliveryError);
        assert.equal(refusal.eventId, bad.id);
        assert.deepEqual(
          refusal.failures.map((f) => f.consumer),
          [analyticsConsumer],
        );
        assert.match(refusal.failures[0]!.error, /items\.0\.price/);
      } else {
        const connection = await connect(testAmqpUrl()!);
        const channel = await connection.createChannel();
        const queue = `${dema.infra.config.amqpNamespace}dema.${analyticsConsumer}.dead`;
        try {
          const messageIds: string[] = [];
          await waitFor(
            'the bad event in the dead-letter queue',
            async () => {
              const message = await channel.get(queue, { noAck: true });
              if (message) messageIds.push(String(message.properties.messageId));
              return messageIds.includes(bad.id);
            },
            30_000,
          );
          assert.deepEqual(messageIds, [bad.id]);
        } finally {
          await channel.close();
          await connection.close();
        }
      }
      assert.equal(await logged([bad.id]), 0, 'a refused event is not part of the history');
      assert.equal((await summary(day)).orders, 3);
    });

    test('events of other types are kept in the history and change no figure', async () => {
      const day = nextDay();
      const other: EventEnvelope = { id: randomUUID(), type: 'PRODUCT_RENAMED', version: 1, payload: { productId: kettle, timestamp: `${day}T10:00:00Z` } };
      const newer: EventEnvelope = { ...orderCreated({ timestamp: `${day}T10:00:00Z`, items: [{ productId: kettle, quantity: 1, price: 3 }] }), version: 2 };
      const mark = await dema.mark();
      await dema.publish(other, 'system.product.renamed');
      await dema.publish(newer);
      await dema.settled(mark, 2);
      assert.equal(await logged([other.id, newer.id]), 2);
      assert.equal((await summary(day)).orders, 0);
    });

    test('events on keys analytics is not bound to never reach it', async () => {
      const event: EventEnvelope = { id: randomUUID(), type: 'USER_CREATED', version: 1, payload: { userId: users.ada } };
      await dema.publish(event, 'user.created');
      await delay(300);
      assert.equal(await logged([event.id]), 0);
    });
  });
}
