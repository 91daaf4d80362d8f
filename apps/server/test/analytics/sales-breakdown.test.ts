import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { toCents, fromCents, type Address, type EventEnvelope, type Order, type Payment, type Product } from '@dema/contracts';
import { startTestProcess, testTargets, waitFor, type TestProcess } from '@dema/platform/testing';
import { createAnalyticsService } from '@dema/analytics';
import { createUserService, type UserService } from '@dema/user';
import { productAndOrderServices } from '../../src/services.ts';
import { signInAdminAndCustomer } from './helpers.ts';

const serviceToken = 'analytics-sales-service-token';
const newYork: Address = { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main St', city: 'New York', region: 'NY', postalCode: '10001', country: 'US' };
const austin: Address = { firstName: 'Bob', lastName: 'Byte', line1: '2 Congress Ave', city: 'Austin', region: 'TX', postalCode: '73301', country: 'US' };

/**
 * The sales breakdown from the shop's real events: orders placed through checkout (a shipping zone,
 * a tax rate, a promotion configured by the admin) and a refund made by the admin on the Payment
 * service, each reaching analytics through its outbox and the bus, as in `npm start`.
 */
for (const target of testTargets()) {
  describe(`analytics sales breakdown from real checkouts and refunds (${target.name})`, () => {
    let dema: TestProcess<{ user: UserService }>;
    let send: (token: string | undefined, method: string, url: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;
    let admin: string;
    let customer: string;

    before(async () => {
      dema = await startTestProcess(target, { user: createUserService, ...productAndOrderServices(), analytics: createAnalyticsService }, { serviceToken });
      ({ admin, customer } = await signInAdminAndCustomer(dema.services.user));
      send = (token, method, url, body, headers = {}) =>
        fetch(`${dema.url}${url}`, {
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : { 'x-dema-service-token': serviceToken }),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
    });
    after(() => dema?.dispose());

    async function json<T>(response: Response, ...statuses: number[]): Promise<T> {
      const text = await response.text();
      assert.ok(statuses.includes(response.status), `${response.status} ${text}`);
      return JSON.parse(text) as T;
    }

    test('gross sales, discounts, shipping, tax, refunds and net revenue, exact to the cent; a refund delivered twice counts once', async () => {
      const refundEvents: EventEnvelope[] = [];
      await dema.infra.bus.subscribe(`sales-breakdown-test-${randomUUID()}`, ['payment.refunded'], async (event) => {
        refundEvents.push(event);
      });
      const mug = await json<Product>(await send(admin, 'POST', '/api/products', { name: 'Mug', price: 19.99, stock: 20 }), 201);
      const lamp = await json<Product>(await send(admin, 'POST', '/api/products', { name: 'Lamp', price: 120, stock: 5 }), 201);
      const place = async (body: Record<string, unknown>) => json<Order>(await send(customer, 'POST', '/api/orders', body), 201);
      // Before any zone exists an order needs no address: no shipping, no tax.
      const bare = await place({ items: [{ productId: mug.id, quantity: 1 }] });

      const zone = await json<{ id: string }>(await send(admin, 'POST', '/api/shipping-zones', { name: 'Domestic', countries: ['US'] }), 201);
      const flat = await json<{ id: string }>(
        await send(admin, 'POST', `/api/shipping-zones/${zone.id}/methods`, { name: 'Standard', rate: { kind: 'flat', amount: 4.99 } }),
        201,
      );
      await json(await send(admin, 'POST', '/api/tax-rates', { name: 'NY sales tax', country: 'US', region: 'NY', rate: '8.875' }), 201);
      const code = await json<{ code: string }>(
        await send(admin, 'POST', '/api/promotions', { code: `ten${randomUUID().slice(0, 6)}`, kind: 'percentage', value: '10' }),
        201,
      );
      // With a code, shipping and tax (NY); with shipping and no tax (TX has no rate).
      const coded = await place({ items: [{ productId: mug.id, quantity: 3 }], shippingAddress: newYork, shippingMethodId: flat.id, promotionCode: code.code });
      const untaxed = await place({ items: [{ productId: lamp.id, quantity: 1 }], shippingAddress: austin, shippingMethodId: flat.id });
      const cancelled = await place({ items: [{ productId: lamp.id, quantity: 2 }], shippingAddress: newYork, shippingMethodId: flat.id });
      await json(await send(admin, 'PUT', `/api/orders/${cancelled.id}/status`, { status: 'CANCELLED' }), 200);
      // The Order service's own numbers, as placed: 3 × 19.99 = 59.97, 10% off = 6.00, 4.99 shipping,
      // 8.875% of 53.97 = 4.79 tax; 120.00 + 4.99; 19.99.
      assert.deepEqual(
        [coded, untaxed, bare].map((o) => [o.subtotal, o.discountTotal, o.shippingTotal, o.taxTotal, o.total]),
        [
          [59.97, 6, 4.99, 4.79, 63.75],
          [120, 0, 4.99, 0, 124.99],
          [19.99, 0, 0, 0, 19.99],
        ],
      );

      // The Order service opens the payment (internal call); the admin marks it paid and refunds part of it.
      await json<Payment>(
        await send(undefined, 'PUT', `/internal/payments/${coded.id}`, { userId: coded.userId, amount: coded.total, currency: 'USD', provider: 'manual' }),
        200,
      );
      await json<Payment>(await send(admin, 'POST', `/api/orders/${coded.id}/payment/mark-paid`), 200);
      await json(await send(admin, 'POST', `/api/orders/${coded.id}/refunds`, { amount: 10.01, reason: 'one mug arrived chipped' }), 201);

      const today = new Date().toISOString().slice(0, 10);
      const sales = async () => json<any>(await send(admin, 'GET', `/api/analytics/sales?from=${today}&to=${today}`), 200);
      await waitFor('the orders, the cancellation and the refund in analytics', async () => (await sales()).refunds > 0 && refundEvents.length === 1, 20_000);
      const expected = {
        from: today,
        to: today,
        orders: 3,
        grossSales: 199.96,
        discounts: 6,
        shipping: 9.98,
        tax: 4.79,
        taxInPrices: 0,
        refunds: 10.01,
        refundedTax: 0.75,
        // 199.96 − 6.00 + 9.98 − (10.01 − 0.75): prices exclude tax, so tax is not in it, nor the tax the
        // refund paid back: its order's 4.79 of tax in proportion to its 63.75 total, 10.01 × 4.79 / 63.75 = 0.7521… → 0.75.
        netRevenue: 194.68,
      };
      assert.deepEqual(await sales(), expected);
      // The same figures from the orders' own breakdown, summed in cents.
      const sum = (pick: (o: Order) => number) => Number(fromCents([coded, untaxed, bare].reduce((n, o) => n + toCents(pick(o)), 0n)));
      assert.deepEqual(
        [sum((o) => o.subtotal), sum((o) => o.discountTotal), sum((o) => o.shippingTotal), sum((o) => o.taxTotal)],
        [expected.grossSales, expected.discounts, expected.shipping, expected.tax],
      );

      // The bus delivers the refund again: nothing changes.
      const consumed = dema.infra.metrics.registry.getSingleMetric('dema_analytics_events_total')!;
      const duplicates = async () => (await consumed.get()).values.filter((v) => v.labels.outcome === 'duplicate').reduce((n, v) => n + v.value, 0);
      const before = await duplicates();
      await dema.infra.bus.publish(refundEvents[0]!, 'payment.refunded');
      await waitFor('the redelivered refund handled', async () => (await duplicates()) > before, 20_000);
      assert.deepEqual(await sales(), expected);
    });
  });
}
