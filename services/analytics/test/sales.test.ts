import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testTargets } from '@dema/platform/testing';
import { orderCreated, paymentRefunded, products, startAnalytics, statusChanged, users, type AnalyticsTestProcess } from './helpers.ts';

const { kettle, mug } = products;

/** Each test works on a day of its own, so its figures are its own. */
let days = 0;
function nextDay(): string {
  days += 1;
  return new Date(Date.UTC(2023, 2, days)).toISOString().slice(0, 10);
}

for (const target of testTargets()) {
  describe(`analytics sales breakdown: gross, discounts, shipping, tax, refunds, net (${target.name})`, () => {
    let dema: AnalyticsTestProcess;

    before(async () => {
      dema = await startAnalytics(target);
    });
    after(() => dema?.dispose());

    async function sales(day: string): Promise<any> {
      const reply = await dema.admin(`/api/analytics/sales?from=${day}&to=${day}`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body;
    }

    async function deliver(...events: Parameters<AnalyticsTestProcess['publish']>[0][]): Promise<void> {
      const mark = await dema.mark();
      for (const event of events) await dema.publish(event);
      await dema.settled(mark, events.length);
    }

    test('orders with and without a code, shipping and tax, and one placed before checkout, add up to the cent', async () => {
      const day = nextDay();
      // Prices without tax: 3 × 19.99 = 59.97, 10% off (6.00), 5.00 shipping, 8.875% tax on 53.97 = 4.79.
      const withCode = orderCreated({
        timestamp: `${day}T09:00:00Z`,
        items: [{ productId: kettle, quantity: 3, price: 19.99 }],
        total: 63.76,
        breakdown: { subtotal: 59.97, discountTotal: 6, shippingTotal: 5, taxTotal: 4.79, pricesIncludeTax: false, currency: 'USD' },
      });
      // Prices with tax: 119.00 holding 19.00 of tax (and 1.90 in the 11.90 of shipping).
      const taxInside = orderCreated({
        userId: users.bob,
        timestamp: `${day}T10:00:00Z`,
        items: [{ productId: mug, quantity: 1, price: 119 }],
        total: 130.9,
        breakdown: { subtotal: 119, discountTotal: 0, shippingTotal: 11.9, taxTotal: 20.9, pricesIncludeTax: true, currency: 'USD' },
      });
      const plain = orderCreated({
        timestamp: `${day}T11:00:00Z`,
        items: [{ productId: mug, quantity: 1, price: 0.1 }],
        total: 0.1,
        breakdown: { subtotal: 0.1, discountTotal: 0, shippingTotal: 0, taxTotal: 0, pricesIncludeTax: false, currency: 'USD' },
      });
      // The shape of ORDER_CREATED before checkout: no breakdown at all.
      const old = orderCreated({ timestamp: `${day}T12:00:00Z`, items: [{ productId: kettle, quantity: 2, price: 0.2 }] });
      assert.equal('subtotal' in old.payload, false);
      await deliver(withCode, taxInside, plain, old);
      assert.deepEqual(await sales(day), {
        from: day,
        to: day,
        orders: 4,
        // 59.97 + 119.00 + 0.10 + 0.40 (the old order's total)
        grossSales: 179.47,
        discounts: 6,
        shipping: 16.9,
        tax: 25.69,
        refunds: 0,
        // 179.47 − 6.00 + 16.90 − 0 − 20.90 (the tax inside the tax-inclusive order)
        netRevenue: 169.47,
      });
    });

    test('a refund delivered twice, or announced again under another event id, counts once', async () => {
      const day = nextDay();
      const order = orderCreated({
        timestamp: `${day}T09:00:00Z`,
        items: [{ productId: kettle, quantity: 1, price: 49.99 }],
        total: 54.99,
        breakdown: { subtotal: 49.99, discountTotal: 0, shippingTotal: 5, taxTotal: 0, pricesIncludeTax: false, currency: 'USD' },
      });
      const refund = paymentRefunded(order, 12.34, `${day}T15:00:00Z`);
      const again = paymentRefunded(order, 12.34, `${day}T15:00:01Z`, refund.payload.refundId);
      const second = paymentRefunded(order, 0.01, `${day}T16:00:00Z`);
      await deliver(order, refund, refund, again, second);
      assert.equal(await dema.count(`refund_facts WHERE order_id = '${order.payload.orderId}'`), 2);
      const s = await sales(day);
      assert.deepEqual([s.grossSales, s.shipping, s.refunds, s.netRevenue], [49.99, 5, 12.35, 42.64]);
    });

    test('a refund belongs to its order: counted on the day the order was placed, even when it came first', async () => {
      const day = nextDay();
      const order = orderCreated({ timestamp: `${day}T09:00:00Z`, items: [{ productId: mug, quantity: 1, price: 30 }] });
      // The refund overtakes its order on the bus: kept, and counted once the order is known.
      await deliver(paymentRefunded(order, 10, `${nextDay()}T09:00:00Z`));
      assert.equal((await sales(day)).orders, 0);
      await deliver(order);
      const s = await sales(day);
      assert.deepEqual([s.orders, s.refunds, s.netRevenue], [1, 10, 20]);
    });

    test('a cancelled order is out of every figure, with its refund, as it is out of the summary revenue', async () => {
      const day = nextDay();
      const kept = orderCreated({ timestamp: `${day}T09:00:00Z`, items: [{ productId: mug, quantity: 1, price: 7.5 }] });
      const cancelled = orderCreated({
        timestamp: `${day}T10:00:00Z`,
        items: [{ productId: kettle, quantity: 1, price: 40 }],
        total: 47.6,
        breakdown: { subtotal: 40, discountTotal: 0, shippingTotal: 0, taxTotal: 7.6, pricesIncludeTax: false, currency: 'USD' },
      });
      await deliver(
        kept,
        cancelled,
        statusChanged(cancelled, 'PENDING', 'CANCELLED', `${day}T11:00:00Z`),
        paymentRefunded(cancelled, 47.6, `${day}T11:00:00Z`),
      );
      const summary = (await dema.admin(`/api/analytics/summary?from=${day}&to=${day}`)).body;
      assert.deepEqual(await sales(day), { from: day, to: day, orders: 1, grossSales: 7.5, discounts: 0, shipping: 0, tax: 0, refunds: 0, netRevenue: 7.5 });
      assert.equal(summary.revenue, 7.5);
    });

    test('a customer may not read the breakdown', async () => {
      assert.equal((await dema.customer('/api/analytics/sales')).status, 403);
      assert.equal((await dema.anonymous('/api/analytics/sales')).status, 401);
    });
  });
}
