import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { routingKeys, type EventEnvelope, type Order, type OrderStatusChangedEvent, type Payment, type UpdateCheckoutSettings } from '@dema/contracts';
import type { FakeStripe } from '@dema/payment/testing';
import { createEvent } from '@dema/platform';
import { testTargets, waitFor } from '@dema/platform/testing';
import { orderOf, problemOf, startOrderService, startWithStripe, type OrderTestProcess } from './helpers.ts';

/** ORDER_STATUS_CHANGED to CANCELLED for an order, as the Order service would publish it. */
const cancelledEvent = (orderId: string) =>
  createEvent<OrderStatusChangedEvent>('ORDER_STATUS_CHANGED', {
    orderId,
    userId: randomUUID(),
    oldStatus: 'PENDING',
    newStatus: 'CANCELLED',
    timestamp: new Date().toISOString(),
  });

const settings: UpdateCheckoutSettings = { pricesIncludeTax: false, currency: 'USD', paymentTimeoutMinutes: 60, captureOn: 'shipment' };

/** Helpers over one running process, for the describes below. */
function shop(get: () => { dema: OrderTestProcess; stripe?: FakeStripe }) {
  const orderRead = async (id: string) => orderOf(await get().dema.admin.request('GET', `/api/orders/${id}`));
  return {
    orderRead,
    /** Waits for GET /api/orders/{id} to show `status` as its paymentStatus (events cross the bus asynchronously). */
    async paymentStatusBecomes(id: string, status: Order['paymentStatus']) {
      await waitFor(`order ${id} paymentStatus ${status}`, async () => (await orderRead(id)).paymentStatus === status);
    },
    payment: (orderId: string): Promise<Payment> => get().dema.services.payment.payments.readPayment(orderId),
    async place(provider: 'manual' | 'stripe', price = 20, quantity = 1) {
      const { dema } = get();
      const product = await dema.createProduct({ name: `Flow ${provider} ${price}`, price, stock: 10 });
      const order = await orderOf(
        await dema.customer.request('POST', '/api/orders', { items: [{ productId: product.id, quantity }], paymentProvider: provider }),
      );
      return { order, product };
    },
    /** The shopper's card authorized at Stripe and Stripe's webhook delivered. */
    async authorize(order: Order) {
      const { stripe } = get();
      const intentId = (await this.payment(order.id)).providerRef!;
      assert.equal(await stripe!.confirm(intentId), 200);
      for (const event of stripe!.eventsOf('payment_intent.amount_capturable_updated', intentId)) assert.equal((await stripe!.deliver(event)).status, 200);
      return intentId;
    },
    move: (id: string, status: string) => get().dema.admin.request('PUT', `/api/orders/${id}/status`, { status }),
  };
}

for (const target of testTargets()) {
  describe(`the order follows its payment (${target.name})`, () => {
    let dema: OrderTestProcess;
    let stripe: FakeStripe;
    let paymentEvents: EventEnvelope[] = [];
    const s = shop(() => ({ dema, stripe }));

    before(async () => {
      ({ dema, stripe } = await startWithStripe(target, 'sk_test_dema'));
      paymentEvents = await dema.recordEvents(`test-flow-${target.name.replace('+', '-')}`, ['payment.#']);
    });
    after(async () => {
      await dema?.dispose();
      await stripe?.close();
    });

    test('an admin marks a manual payment paid: the order shows paid', async () => {
      const { order } = await s.place('manual');
      assert.equal(order.paymentStatus, 'unpaid');
      assert.equal((await dema.admin.request('POST', `/api/orders/${order.id}/payment/mark-paid`)).status, 200);
      await s.paymentStatusBecomes(order.id, 'paid');
    });

    test("Stripe's webhook authorizes the card: the order shows authorized; a repeated or late event changes nothing", async () => {
      const { order } = await s.place('stripe');
      await s.authorize(order);
      await s.paymentStatusBecomes(order.id, 'authorized');
      await waitFor('PAYMENT_AUTHORIZED', () =>
        paymentEvents.some((e) => e.type === 'PAYMENT_AUTHORIZED' && (e.payload as { orderId: string }).orderId === order.id),
      );
      const authorized = paymentEvents.find((e) => e.type === 'PAYMENT_AUTHORIZED' && (e.payload as { orderId: string }).orderId === order.id)!;
      assert.equal((await s.move(order.id, 'CONFIRMED')).status, 200);
      assert.equal((await s.move(order.id, 'SHIPPED')).status, 200);
      assert.equal((await s.orderRead(order.id)).paymentStatus, 'paid');
      // The authorization delivered again, after the capture: behind the order's status, ignored.
      await dema.infra.bus.publish(authorized, routingKeys.PAYMENT_AUTHORIZED);
      await dema.infra.bus.publish(authorized, routingKeys.PAYMENT_AUTHORIZED);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await s.orderRead(order.id)).paymentStatus, 'paid');
    });

    test('events in any order: a refund reported before its capture leaves the order refunded, the capture after it changes nothing', async () => {
      const { order } = await s.place('manual', 12);
      assert.equal((await dema.admin.request('POST', `/api/orders/${order.id}/payment/mark-paid`)).status, 200);
      assert.equal((await dema.admin.request('POST', `/api/orders/${order.id}/refunds`, { reason: 'changed mind' })).status, 201);
      await s.paymentStatusBecomes(order.id, 'refunded');
      await waitFor('PAYMENT_REFUNDED', () =>
        paymentEvents.some((e) => e.type === 'PAYMENT_REFUNDED' && (e.payload as { orderId: string }).orderId === order.id),
      );
      const ofOrder = paymentEvents.filter((e) => (e.payload as { orderId: string }).orderId === order.id);
      const captured = ofOrder.find((e) => e.type === 'PAYMENT_CAPTURED')!;
      const refunded = ofOrder.find((e) => e.type === 'PAYMENT_REFUNDED')!;
      await dema.query('order', "UPDATE orders SET payment_status = 'unpaid' WHERE id = $1", [order.id]);
      await dema.infra.bus.publish(refunded, routingKeys.PAYMENT_REFUNDED);
      await s.paymentStatusBecomes(order.id, 'refunded');
      await dema.infra.bus.publish(captured, routingKeys.PAYMENT_CAPTURED);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await s.orderRead(order.id)).paymentStatus, 'refunded');
    });

    test('shipping captures an authorized card payment first', async () => {
      const { order } = await s.place('stripe', 35);
      const intentId = await s.authorize(order);
      assert.equal((await s.move(order.id, 'CONFIRMED')).status, 200);
      const shipped = await orderOf(await s.move(order.id, 'SHIPPED'));
      assert.deepEqual([shipped.status, shipped.paymentStatus], ['SHIPPED', 'paid']);
      assert.equal(stripe.intents.get(intentId)!.status, 'succeeded');
      assert.equal((await s.payment(order.id)).amountCaptured, 35);
    });

    test('a card payment neither authorized nor paid: shipping is a 409 naming why, and nothing changes', async () => {
      const { order } = await s.place('stripe');
      assert.equal((await s.move(order.id, 'CONFIRMED')).status, 200);
      const problem = await problemOf(await s.move(order.id, 'SHIPPED'), 409);
      assert.equal(problem.code, 'PAYMENT_INVALID_STATE');
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.status'],
      );
      assert.match(problem.detail ?? '', /unpaid/);
      const read = await s.orderRead(order.id);
      assert.deepEqual([read.status, read.paymentStatus], ['CONFIRMED', 'unpaid']);
      assert.equal((await s.payment(order.id)).status, 'unpaid');
    });

    test('a manual order ships unpaid (cash on delivery)', async () => {
      const { order } = await s.place('manual');
      assert.equal((await s.move(order.id, 'CONFIRMED')).status, 200);
      const shipped = await orderOf(await s.move(order.id, 'SHIPPED'));
      assert.deepEqual([shipped.status, shipped.paymentStatus], ['SHIPPED', 'unpaid']);
    });

    test('cancelling voids an authorized card payment and releases the card', async () => {
      const { order, product } = await s.place('stripe', 15, 2);
      const intentId = await s.authorize(order);
      const cancelled = await orderOf(await s.move(order.id, 'CANCELLED'));
      assert.deepEqual([cancelled.status, cancelled.paymentStatus], ['CANCELLED', 'voided']);
      assert.equal((await s.payment(order.id)).status, 'voided');
      assert.equal(stripe.intents.get(intentId)!.status, 'canceled');
      await waitFor('stock back', async () => (await dema.product(product.id)).stock === 10);
    });

    test('cancelling refunds what was captured, once, though the Payment service also hears of it', async () => {
      const { order } = await s.place('stripe', 40);
      await s.authorize(order);
      assert.equal((await s.move(order.id, 'CONFIRMED')).status, 200);
      // Captured by the shipment's move, then the shipment falls through: the order is cancelled.
      await dema.services.payment.payments.capture(order.id, undefined);
      const cancelled = await orderOf(await s.move(order.id, 'CANCELLED'));
      assert.deepEqual([cancelled.status, cancelled.paymentStatus], ['CANCELLED', 'refunded']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const payment = await s.payment(order.id);
      assert.deepEqual(
        payment.refunds.map((r) => [r.amount, r.createdBy, r.reason]),
        [[40, null, 'Order cancelled']],
      );
      assert.equal(payment.amountRefunded, 40);
    });

    test("the Payment service's consumer of ORDER_STATUS_CHANGED cancels the payment on its own, and a repeat changes nothing", async () => {
      const { order } = await s.place('manual', 9);
      assert.equal((await dema.admin.request('POST', `/api/orders/${order.id}/payment/mark-paid`)).status, 200);
      // As if the Order service's own call had failed: only the event says so.
      const event = cancelledEvent(order.id);
      await dema.infra.bus.publish(event, routingKeys.ORDER_STATUS_CHANGED);
      await dema.infra.bus.publish(event, routingKeys.ORDER_STATUS_CHANGED);
      await waitFor('payment refunded', async () => (await s.payment(order.id)).status === 'refunded');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await s.payment(order.id)).refunds.length, 1);
      await s.paymentStatusBecomes(order.id, 'refunded');
    });

    test("an unpaid payment voided by the Payment service's consumer alone: the order hears of it (PAYMENT_VOIDED) and shows voided", async () => {
      const { order } = await s.place('manual', 6);
      await dema.infra.bus.publish(cancelledEvent(order.id), routingKeys.ORDER_STATUS_CHANGED);
      await s.paymentStatusBecomes(order.id, 'voided');
      await waitFor('PAYMENT_VOIDED', () => paymentEvents.some((e) => e.type === 'PAYMENT_VOIDED' && (e.payload as { orderId: string }).orderId === order.id));
    });
  });

  describe(`capture at checkout (${target.name})`, () => {
    let dema: OrderTestProcess;
    let stripe: FakeStripe;
    const s = shop(() => ({ dema, stripe }));

    before(async () => {
      ({ dema, stripe } = await startWithStripe(target, 'sk_test_dema'));
      assert.equal((await dema.admin.request('PUT', '/api/checkout-settings', { ...settings, captureOn: 'checkout' })).status, 200);
    });
    after(async () => {
      await dema?.dispose();
      await stripe?.close();
    });

    test('the card is captured as soon as it is authorized', async () => {
      const { order } = await s.place('stripe', 25);
      const intentId = await s.authorize(order);
      await s.paymentStatusBecomes(order.id, 'paid');
      assert.equal(stripe.intents.get(intentId)!.status, 'succeeded');
      assert.equal((await s.payment(order.id)).amountCaptured, 25);
    });
  });

  describe(`the unpaid-order timeout (${target.name})`, () => {
    let dema: OrderTestProcess;
    const s = shop(() => ({ dema }));

    before(async () => {
      dema = await startOrderService(target);
      assert.equal((await dema.admin.request('PUT', '/api/checkout-settings', { ...settings, paymentTimeoutMinutes: 30 })).status, 200);
    });
    after(() => dema?.dispose());

    const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);

    test('racing sweeps cancel an order unpaid past the timeout exactly once: one ORDER_STATUS_CHANGED, stock back once; a paid one stays', async () => {
      const unpaid = await s.place('manual', 5, 3);
      const paid = await s.place('manual', 5, 1);
      assert.equal((await dema.admin.request('POST', `/api/orders/${paid.order.id}/payment/mark-paid`)).status, 200);
      await s.paymentStatusBecomes(paid.order.id, 'paid');
      assert.equal(await dema.orders.cancelUnpaidOrders(minutesFromNow(29)), 0, 'not yet');
      assert.equal((await s.orderRead(unpaid.order.id)).status, 'PENDING');

      const swept = await Promise.all([1, 2, 3].map(() => dema.orders.cancelUnpaidOrders(minutesFromNow(31))));
      assert.equal(
        swept.reduce((a, b) => a + b, 0),
        1,
      );
      const read = await s.orderRead(unpaid.order.id);
      assert.deepEqual([read.status, read.paymentStatus], ['CANCELLED', 'voided']);
      const changes = await dema.query<{ payload: { newStatus: string } }>(
        'order',
        "SELECT payload FROM outbox WHERE type = 'ORDER_STATUS_CHANGED' AND payload->>'orderId' = $1",
        [unpaid.order.id],
      );
      assert.deepEqual(
        changes.map((c) => c.payload.newStatus),
        ['CANCELLED'],
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await dema.product(unpaid.product.id)).stock, 10);
      assert.equal(
        await dema.count('product', "SELECT 1 FROM outbox WHERE type = 'STOCK_UPDATED' AND payload->>'productId' = $1 AND payload->>'reason' = 'RETURN'", [
          unpaid.product.id,
        ]),
        1,
      );
      assert.equal((await s.payment(unpaid.order.id)).status, 'voided');
      assert.deepEqual((await s.orderRead(paid.order.id)).status, 'PENDING');
      assert.equal(await dema.orders.cancelUnpaidOrders(minutesFromNow(120)), 0, 'nothing left to cancel');
    });
  });
}
