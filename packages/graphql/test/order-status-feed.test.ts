import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { routingKeys } from '@dema/contracts';
import { createLogger, MemoryBus } from '@dema/platform';
import { sampleOrderCreated, sampleOrderStatusChanged } from '@dema/platform/testing';
import { OrderStatusFeed } from '../src/order-status-feed.ts';

const log = createLogger('silent');
const orderId = (n: number) => sampleOrderStatusChanged(n).payload.orderId;

async function feedOnBus() {
  const bus = new MemoryBus(log);
  const feed = new OrderStatusFeed(bus, log);
  await feed.start();
  const change = (n: number, from: string, to: string) => {
    const event = sampleOrderStatusChanged(n, from, to);
    return bus.publish(event, routingKeys.ORDER_STATUS_CHANGED).then(() => event);
  };
  return { bus, feed, change };
}

describe('OrderStatusFeed', () => {
  test("a watcher gets its order's changes in order, with the previous status and when, and no other order's", async () => {
    const { feed, change } = await feedOnBus();
    const changes = feed.watch(orderId(1));
    const first = await change(1, 'PENDING', 'CONFIRMED');
    await change(2, 'PENDING', 'CANCELLED');
    const second = await change(1, 'CONFIRMED', 'SHIPPED');
    assert.deepEqual((await changes.next()).value, {
      orderId: orderId(1),
      status: 'CONFIRMED',
      previousStatus: 'PENDING',
      changedAt: '2024-05-01T12:00:00.000Z',
      eventId: first.id,
    });
    assert.deepEqual((await changes.next()).value, {
      orderId: orderId(1),
      status: 'SHIPPED',
      previousStatus: 'CONFIRMED',
      changedAt: '2024-05-01T12:00:00.000Z',
      eventId: second.id,
    });
  });

  test('a change waits for the watcher that asks before it happens', async () => {
    const { feed, change } = await feedOnBus();
    const changes = feed.watch(orderId(1).toUpperCase());
    const next = changes.next();
    await change(1, 'PENDING', 'CONFIRMED');
    assert.equal((await next).value?.status, 'CONFIRMED', 'order ids compare without case');
  });

  test('every watcher of an order gets each change; one that returns stops alone and is forgotten', async () => {
    const { feed, change } = await feedOnBus();
    const [a, b] = [feed.watch(orderId(1)), feed.watch(orderId(1))];
    assert.equal(feed.size, 2);
    await change(1, 'PENDING', 'CONFIRMED');
    assert.equal((await a.next()).value?.status, 'CONFIRMED');
    assert.equal((await b.next()).value?.status, 'CONFIRMED');
    assert.deepEqual(await a.return!(), { value: undefined, done: true });
    assert.equal(feed.size, 1);
    await change(1, 'CONFIRMED', 'SHIPPED');
    assert.equal((await a.next()).done, true);
    assert.equal((await b.next()).value?.status, 'SHIPPED');
    await b.return!();
    assert.equal(feed.size, 0);
  });

  test('an event delivered twice is shown once; one with an unknown status or another type not at all', async () => {
    const { bus, feed, change } = await feedOnBus();
    const changes = feed.watch(orderId(1));
    const event = await change(1, 'PENDING', 'CONFIRMED');
    await bus.publish(event, routingKeys.ORDER_STATUS_CHANGED);
    await change(1, 'CONFIRMED', 'TELEPORTED');
    await bus.publish(sampleOrderCreated(1), routingKeys.ORDER_STATUS_CHANGED);
    const odd = await change(1, 'SOMETHING', 'SHIPPED');
    assert.equal((await changes.next()).value?.eventId, event.id);
    const last = (await changes.next()).value;
    assert.equal(last?.eventId, odd.id);
    assert.equal(last?.previousStatus, null, 'an unknown previous status reads as none');
  });

  test('close ends every watcher, a waiting one too, and stops following the bus', async () => {
    const { feed, change } = await feedOnBus();
    const waiting = feed.watch(orderId(1)).next();
    const idle = feed.watch(orderId(2));
    await feed.close();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    assert.equal((await idle.next()).done, true);
    assert.equal(feed.size, 0);
    const after = feed.watch(orderId(1));
    await change(1, 'PENDING', 'CONFIRMED');
    const nothing = await Promise.race([after.next(), new Promise((resolve) => setTimeout(() => resolve('nothing'), 50))]);
    assert.equal(nothing, 'nothing');
  });
});
