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
        taxInPrices: 20.9,
        refunds: 0,
        refundedTax: 0,
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

    test('a fully refunded order nets 0, whether its prices exclude tax or include it', async () => {
      // Tax on top: 59.97 − 6.00 + 5.00 + 4.79 of tax = 63.76, all paid back; the 4.79 of tax with it.
      const onTopDay = nextDay();
      const onTop = orderCreated({
        timestamp: `${onTopDay}T09:00:00Z`,
        items: [{ productId: kettle, quantity: 3, price: 19.99 }],
        total: 63.76,
        breakdown: { subtotal: 59.97, discountTotal: 6, shippingTotal: 5, taxTotal: 4.79, pricesIncludeTax: false, currency: 'USD' },
      });
      // Tax inside: 119.00 + 11.90 = 130.90 holding 20.90 of tax, all paid back.
      const insideDay = nextDay();
      const inside = orderCreated({
        timestamp: `${insideDay}T09:00:00Z`,
        items: [{ productId: mug, quantity: 1, price: 119 }],
        total: 130.9,
        breakdown: { subtotal: 119, discountTotal: 0, shippingTotal: 11.9, taxTotal: 20.9, pricesIncludeTax: true, currency: 'USD' },
      });
      // Still PENDING: the orders count as sales, their refunds with them.
      await deliver(onTop, inside, paymentRefunded(onTop, 63.76, `${onTopDay}T10:00:00Z`), paymentRefunded(inside, 130.9, `${insideDay}T10:00:00Z`));
      assert.deepEqual(await sales(onTopDay), {
        from: onTopDay,
        to: onTopDay,
        orders: 1,
        grossSales: 59.97,
        discounts: 6,
        shipping: 5,
        tax: 4.79,
        taxInPrices: 0,
        refunds: 63.76,
        refundedTax: 4.79,
        // 59.97 − 6.00 + 5.00 − (63.76 − 4.79 of tax paid back)
        netRevenue: 0,
      });
      assert.deepEqual(await sales(insideDay), {
        from: insideDay,
        to: insideDay,
        orders: 1,
        grossSales: 119,
        discounts: 0,
        shipping: 11.9,
        tax: 20.9,
        taxInPrices: 20.9,
        refunds: 130.9,
        refundedTax: 20.9,
        // 119.00 + 11.90 − (130.90 − 20.90 of tax paid back) − 20.90 of tax inside the prices
        netRevenue: 0,
      });
    });

    test("a partial refund takes out its share of the order's tax, rounded to the cent", async () => {
      const day = nextDay();
      // Tax inside, 130.90 holding 20.90: half paid back, 65.45 × 20.90 / 130.90 = 10.45 of it tax.
      const inside = orderCreated({
        timestamp: `${day}T09:00:00Z`,
        items: [{ productId: mug, quantity: 1, price: 119 }],
        total: 130.9,
        breakdown: { subtotal: 119, discountTotal: 0, shippingTotal: 11.9, taxTotal: 20.9, pricesIncludeTax: true, currency: 'USD' },
      });
      // Tax on top, 63.76 holding 4.79: half paid back, 31.88 × 4.79 / 63.76 = 2.395, so 2.40 of it tax.
      const onTop = orderCreated({
        timestamp: `${day}T10:00:00Z`,
        items: [{ productId: kettle, quantity: 3, price: 19.99 }],
        total: 63.76,
        breakdown: { subtotal: 59.97, discountTotal: 6, shippingTotal: 5, taxTotal: 4.79, pricesIncludeTax: false, currency: 'USD' },
      });
      // A free order: a refund of it carries no tax (and divides by nothing).
      const free = orderCreated({
        timestamp: `${day}T11:00:00Z`,
        items: [{ productId: mug, quantity: 1, price: 0 }],
        total: 0,
        breakdown: { subtotal: 0, discountTotal: 0, shippingTotal: 0, taxTotal: 0, pricesIncludeTax: false, currency: 'USD' },
      });
      await deliver(
        inside,
        onTop,
        free,
        paymentRefunded(inside, 65.45, `${day}T12:00:00Z`),
        paymentRefunded(onTop, 31.88, `${day}T12:00:00Z`),
        paymentRefunded(free, 0, `${day}T12:00:00Z`),
      );
      const s = await sales(day);
      // Nets before the refunds: 110.00 and 58.97. After: 110.00 − (65.45 − 10.45) = 55.00, half of it;
      // 58.97 − (31.88 − 2.40) = 29.49, half to the cent. 55.00 + 29.49 = 84.49.
      assert.deepEqual([s.orders, s.tax, s.refunds, s.netRevenue], [3, 25.69, 97.33, 84.49]);
    });

    test('the breakdown says the tax inside its refunds and its prices, so its figures add up to net revenue', async () => {
      const day = nextDay();
      // The two orders of the test above, half refunded: 10.45 and 2.40 of the refunds were tax.
      const inside = orderCreated({
        timestamp: `${day}T09:00:00Z`,
        items: [{ productId: mug, quantity: 1, price: 119 }],
        total: 130.9,
        breakdown: { subtotal: 119, discountTotal: 0, shippingTotal: 11.9, taxTotal: 20.9, pricesIncludeTax: true, currency: 'USD' },
      });
      const onTop = orderCreated({
        timestamp: `${day}T10:00:00Z`,
        items: [{ productId: kettle, quantity: 3, price: 19.99 }],
        total: 63.76,
        breakdown: { subtotal: 59.97, discountTotal: 6, shippingTotal: 5, taxTotal: 4.79, pricesIncludeTax: false, currency: 'USD' },
      });
      await deliver(inside, onTop, paymentRefunded(inside, 65.45, `${day}T12:00:00Z`), paymentRefunded(onTop, 31.88, `${day}T12:00:00Z`));
      const s = await sales(day);
      assert.deepEqual([s.tax, s.taxInPrices, s.refunds, s.refundedTax, s.netRevenue], [25.69, 20.9, 97.33, 12.85, 84.49]);
      const cents = (n: number) => Math.round(n * 100);
      assert.equal(
        cents(s.grossSales) - cents(s.discounts) + cents(s.shipping) - (cents(s.refunds) - cents(s.refundedTax)) - cents(s.taxInPrices),
        cents(s.netRevenue),
      );
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
      assert.deepEqual(await sales(day), {
        from: day,
        to: day,
        orders: 1,
        grossSales: 7.5,
        discounts: 0,
        shipping: 0,
        tax: 0,
        taxInPrices: 0,
        refunds: 0,
        refundedTax: 0,
        netRevenue: 7.5,
      });
      assert.equal(summary.revenue, 7.5);
    });

    test('a customer may not read the breakdown', async () => {
      assert.equal((await dema.customer('/api/analytics/sales')).status, 403);
      assert.equal((await dema.anonymous('/api/analytics/sales')).status, 401);
    });
  });
}
