import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { routingKeys, type EventEnvelope } from '@dema/contracts';
import { createLogger, EventDeliveryError, MemoryBus } from '@dema/platform';
import { sampleOrderCreated, sampleOrderStatusChanged, sampleStockUpdated } from '@dema/platform/testing';

const log = createLogger('silent');

describe('MemoryBus.follow (the embedded live feed)', () => {
  test('every feed sees every matching event, beside a consumer that also gets it', async () => {
    const bus = new MemoryBus(log);
    const first: EventEnvelope[] = [];
    const second: EventEnvelope[] = [];
    const consumed: string[] = [];
    await bus.follow(['order.#'], (event) => void first.push(event));
    await bus.follow([routingKeys.ORDER_STATUS_CHANGED], (event) => void second.push(event));
    await bus.subscribe('analytics', ['order.#'], async (event) => void consumed.push(event.id));

    const created = sampleOrderCreated();
    const changed = sampleOrderStatusChanged();
    await bus.publish(created, routingKeys.ORDER_CREATED);
    await bus.publish(changed, routingKeys.ORDER_STATUS_CHANGED);
    await bus.publish(sampleStockUpdated(), routingKeys.STOCK_UPDATED);

    assert.deepEqual(first, [created, changed]);
    assert.deepEqual(second, [changed]);
    assert.deepEqual(consumed, [created.id, changed.id]);
  });

  test('a feed handler that throws or rejects neither fails the publish nor stops the feed', async () => {
    const bus = new MemoryBus(log);
    const seen: string[] = [];
    await bus.follow(['order.#'], () => {
      throw new Error('synchronous failure');
    });
    await bus.follow(['order.#'], async (event) => {
      seen.push(event.id);
      throw new Error('asynchronous failure');
    });
    const one = sampleOrderStatusChanged(1);
    const two = sampleOrderStatusChanged(2);
    await bus.publish(one, routingKeys.ORDER_STATUS_CHANGED);
    await bus.publish(two, routingKeys.ORDER_STATUS_CHANGED);
    assert.deepEqual(seen, [one.id, two.id]);
  });

  test('the feed does not wait for slow consumers', async () => {
    const bus = new MemoryBus(log);
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    await bus.subscribe('slow', ['order.#'], () => slow);
    const seen: string[] = [];
    await bus.follow(['order.#'], (event) => void seen.push(event.id));
    const event = sampleOrderStatusChanged();
    const publishing = bus.publish(event, routingKeys.ORDER_STATUS_CHANGED);
    assert.deepEqual(seen, [event.id], 'seen while the consumer still runs');
    release();
    await publishing;
  });

  test('a dead-lettered event published again is not shown to feeds a second time', async () => {
    const bus = new MemoryBus(log, 1, 0);
    let fail = true;
    await bus.subscribe('flaky', ['order.#'], async () => {
      if (fail) throw new Error('not yet');
    });
    const seen: string[] = [];
    await bus.follow(['order.#'], (event) => void seen.push(event.id));
    const event = sampleOrderStatusChanged();
    await assert.rejects(bus.publish(event, routingKeys.ORDER_STATUS_CHANGED), EventDeliveryError);
    fail = false;
    await bus.publish(event, routingKeys.ORDER_STATUS_CHANGED);
    assert.deepEqual(seen, [event.id]);
  });

  test('a stopped feed sees nothing more; the others go on', async () => {
    const bus = new MemoryBus(log);
    const stopped: string[] = [];
    const kept: string[] = [];
    const stop = await bus.follow(['order.#'], (event) => void stopped.push(event.id));
    await bus.follow(['order.#'], (event) => void kept.push(event.id));
    const before = sampleOrderStatusChanged(1);
    await bus.publish(before, routingKeys.ORDER_STATUS_CHANGED);
    await stop();
    await stop();
    const after = sampleOrderStatusChanged(2);
    await bus.publish(after, routingKeys.ORDER_STATUS_CHANGED);
    assert.deepEqual(stopped, [before.id]);
    assert.deepEqual(kept, [before.id, after.id]);
  });
});
