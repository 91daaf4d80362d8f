import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OrderCreatedEvent } from '@dema/contracts';
import { createLogger, RabbitMqBus } from '@dema/platform';
import { assertEachOnce, realTarget, TcpProxy, testAmqpUrl, waitFor } from '@dema/platform/testing';
import { orderOf, startOrderService, type OrderTestProcess } from './helpers.ts';

const amqpUrl = testAmqpUrl();
const target = realTarget();

describe('orders while RabbitMQ is unreachable (real broker)', { skip: amqpUrl && target ? false : 'needs TEST_AMQP_URL and the real servers' }, () => {
  let proxy: TcpProxy;
  let dema: OrderTestProcess;
  let consumerBus: RabbitMqBus;
  const received: OrderCreatedEvent[] = [];

  before(async () => {
    const broker = new URL(amqpUrl!);
    proxy = await TcpProxy.start({ host: broker.hostname, port: Number(broker.port || 5672) });
    const viaProxy = new URL(amqpUrl!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    dema = await startOrderService(target!, { amqpUrl: viaProxy.toString() });
    // A consumer that reaches the broker directly, in the process's namespace: it stays connected
    // while the process's own connection is cut.
    consumerBus = await RabbitMqBus.open(amqpUrl!, createLogger('silent', { name: 'outage-consumer' }), {
      namespace: dema.environment.config.amqpNamespace,
      expiresMs: 60_000,
    });
    await consumerBus.subscribe('outage-analytics', ['order.created'], async (event) => {
      received.push(event as OrderCreatedEvent);
    });
  });

  after(async () => {
    await consumerBus?.close();
    await dema?.dispose();
    await proxy?.close();
  });

  test('orders still succeed, and each ORDER_CREATED is delivered once when the broker is back', async () => {
    const product = await dema.createProduct({ name: 'Outage Lamp', stock: 100 });
    const before = await orderOf(await dema.placeOrder(dema.customer, [{ productId: product.id, quantity: 1 }]));
    await waitFor('the event of the order placed while connected', () => received.some((e) => e.payload.orderId === before.id), 15_000);
    // A consumer can see an event before the relay, on the broker's confirm, marks its row published.
    await waitFor(
      'the outbox marked what it published',
      async () => (await dema.count('order', 'SELECT 1 FROM outbox WHERE published_at IS NULL')) === 0,
      15_000,
    );

    proxy.cut();
    const during: string[] = [];
    for (let i = 0; i < 20; i++) {
      const order = await orderOf(await dema.placeOrder(dema.customer, [{ productId: product.id, quantity: 1 }]));
      during.push(order.id);
    }
    assert.equal((await dema.product(product.id)).stock, 100 - 21);
    // Nothing can have been published: the events wait in the outbox.
    assert.equal(await dema.count('order', "SELECT 1 FROM outbox WHERE type = 'ORDER_CREATED' AND published_at IS NULL"), 20);
    assert.ok(!received.some((e) => during.includes(e.payload.orderId)));

    proxy.restore();
    await waitFor('the 20 events held while the broker was away', () => during.every((id) => received.some((e) => e.payload.orderId === id)), 60_000);
    // Give duplicates, if any, time to show up before asserting once-each.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assertEachOnce(
      received.map((e) => e.id),
      received.map((e) => e.id).filter((id, i, all) => all.indexOf(id) === i),
    );
    assertEachOnce(
      received.map((e) => e.payload.orderId).filter((id) => during.includes(id)),
      during,
    );
    assert.equal(await dema.count('order', 'SELECT 1 FROM outbox WHERE published_at IS NULL'), 0);
  });
});
