import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Address, Product, ShippingMethod, ShippingZone, TaxRate } from '@dema/contracts';
import { realTarget, startTestProcess, testTargets, type TestEnvironment, type TestProcess, type TestTarget } from '@dema/platform/testing';
import { createUserService } from '@dema/user';
import { productAndOrderServices } from '../../src/services.ts';
import { orderOf, problemOf, startOrderService, type OrderTestProcess, type TestUser } from './helpers.ts';

// Each instance of the Order service keeps the checkout configuration in memory, keyed by a version
// the database bumps with every change (migration 0008). These tests change the configuration and
// check that the very next order applies it, on this instance and on another one.

const seattle: Address = { firstName: 'Grace', lastName: 'Hopper', line1: '1 Pike St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' };

const created = async <T>(response: Response): Promise<T> => {
  if (response.status !== 201 && response.status !== 200) throw new Error(`expected 201 or 200, got ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

for (const target of testTargets()) {
  describe(`the checkout configuration cache (${target.name})`, () => {
    let dema: OrderTestProcess;
    let zone: ShippingZone;
    let method: ShippingMethod;
    let tax: TaxRate;
    let kettle: Product;

    before(async () => {
      dema = await startOrderService(target);
      zone = await created(await dema.admin.request('POST', '/api/shipping-zones', { name: 'West', countries: ['US'] }));
      method = await created(await dema.admin.request('POST', `/api/shipping-zones/${zone.id}/methods`, { name: 'Post', rate: { kind: 'flat', amount: 5 } }));
      tax = await created(await dema.admin.request('POST', '/api/tax-rates', { name: 'WA sales tax', country: 'US', region: 'WA', rate: '10' }));
      kettle = await dema.createProduct({ name: 'Cached Kettle', price: 100, stock: 1000 });
    });
    after(() => dema.dispose());

    const place = (user: TestUser, body: Record<string, unknown> = {}) =>
      user.request('POST', '/api/orders', { items: [{ productId: kettle.id, quantity: 1 }], shippingAddress: seattle, shippingMethodId: method.id, ...body });

    test('a tax rate changed between two orders: the second order is taxed at the new rate', async () => {
      const first = await orderOf(await place(dema.customer));
      assert.equal(first.taxTotal, 10);
      await created(await dema.admin.request('PATCH', `/api/tax-rates/${tax.id}`, { rate: '7.5' }));
      const second = await orderOf(await place(dema.customer));
      assert.equal(second.taxTotal, 7.5);
      await created(await dema.admin.request('PATCH', `/api/tax-rates/${tax.id}`, { rate: '10' }));
      assert.equal((await orderOf(await place(dema.customer))).taxTotal, 10);
    });

    test('shipping changed through the admin API is charged by the very next order, and a deactivated method is refused', async () => {
      assert.equal((await orderOf(await place(dema.customer))).shippingTotal, 5);
      await created(await dema.admin.request('PATCH', `/api/shipping-methods/${method.id}`, { rate: { kind: 'flat', amount: 8.25 } }));
      assert.equal((await orderOf(await place(dema.customer))).shippingTotal, 8.25);
      await created(await dema.admin.request('PATCH', `/api/shipping-methods/${method.id}`, { active: false }));
      assert.equal((await problemOf(await place(dema.customer), 422)).code, 'SHIPPING_METHOD_UNAVAILABLE');
      await created(await dema.admin.request('PATCH', `/api/shipping-methods/${method.id}`, { active: true, rate: { kind: 'flat', amount: 5 } }));
      assert.equal((await orderOf(await place(dema.customer))).shippingTotal, 5);
    });

    test('settings and zones changed through the admin API apply to the next order and the next shipping options', async () => {
      // The stored settings only: `shipsTo` follows from the zones, the payment options from the configuration.
      const {
        shipsTo: _zones,
        paymentProviders: _providers,
        stripePublishableKey: _key,
        ...settings
      } = await created<Record<string, unknown>>(await dema.anonymous('GET', '/api/checkout-settings'));
      await orderOf(await place(dema.customer));
      await created(await dema.admin.request('PUT', '/api/checkout-settings', { ...settings, pricesIncludeTax: true }));
      try {
        const order = await orderOf(await place(dema.customer));
        assert.deepEqual([order.pricesIncludeTax, order.subtotal, order.total], [true, 100, 105]);
      } finally {
        await created(await dema.admin.request('PUT', '/api/checkout-settings', settings));
      }
      const options = { address: seattle, items: [{ productId: kettle.id, quantity: 1 }] };
      assert.deepEqual(
        (await created<{ items: Array<{ id: string }> }>(await dema.customer.request('POST', '/api/checkout/shipping-options', options))).items.map(
          (o) => o.id,
        ),
        [method.id],
      );
      await created(await dema.admin.request('PATCH', `/api/shipping-zones/${zone.id}`, { countries: ['CA'] }));
      try {
        assert.equal((await problemOf(await place(dema.customer), 422)).code, 'SHIPPING_UNAVAILABLE');
        assert.equal((await problemOf(await dema.customer.request('POST', '/api/checkout/shipping-options', options), 422)).code, 'SHIPPING_UNAVAILABLE');
      } finally {
        await created(await dema.admin.request('PATCH', `/api/shipping-zones/${zone.id}`, { countries: ['US'] }));
      }
      assert.equal((await orderOf(await place(dema.customer))).shippingTotal, 5);
    });

    test('30 shoppers racing for a code with 5 uses, the configuration cached: exactly 5 orders use it', async () => {
      await orderOf(await place(dema.customer)); // the configuration is in the cache
      const code = await created<{ id: string; code: string }>(
        await dema.admin.request('POST', '/api/promotions', { code: `cache${randomUUID().slice(0, 6)}`, kind: 'percentage', value: '20', usageLimit: 5 }),
      );
      const shoppers = await Promise.all(Array.from({ length: 30 }, () => dema.newCustomer()));
      const answers = await Promise.all(shoppers.map((shopper) => place(shopper, { promotionCode: code.code })));
      const statuses = answers.map((a) => a.status);
      assert.equal(statuses.filter((s) => s === 201).length, 5, JSON.stringify(statuses));
      for (const answer of answers.filter((a) => a.status !== 201)) assert.equal((await problemOf(answer, 422)).code, 'PROMOTION_NOT_APPLICABLE');
      assert.equal(await dema.count('order', 'SELECT 1 FROM promotion_redemptions WHERE promotion_id = $1', [code.id]), 5);
      assert.equal((await created<{ timesUsed: number }>(await dema.admin.request('GET', `/api/promotions/${code.id}`))).timesUsed, 5);
    });

    test('a code without limits is applied to every order and its uses are still recorded', async () => {
      const code = await created<{ id: string; code: string }>(
        await dema.admin.request('POST', '/api/promotions', { code: `open${randomUUID().slice(0, 6)}`, kind: 'fixed', value: 3 }),
      );
      const orders = await Promise.all(Array.from({ length: 4 }, () => place(dema.customer, { promotionCode: code.code }).then(orderOf)));
      assert.deepEqual(
        orders.map((o) => o.discountTotal),
        [3, 3, 3, 3],
      );
      assert.equal((await created<{ timesUsed: number }>(await dema.admin.request('GET', `/api/promotions/${code.id}`))).timesUsed, 4);
    });
  });
}

const real = realTarget();
if (real) {
  describe('the checkout configuration cache across two instances on one database (postgres+redis)', () => {
    let shared: TestEnvironment;
    let first: OrderTestProcess;
    let second: TestProcess<{ user: Awaited<ReturnType<typeof createUserService>> }>;
    let secondAdmin: string;

    before(async () => {
      shared = await real.environment();
      // Both processes get the same database and key prefix; only the test drops them, at the end.
      const same: TestTarget = { name: real.name, environment: async () => ({ ...shared, dispose: async () => undefined }) };
      first = await startOrderService(same);
      second = await startTestProcess(same, { user: createUserService, ...productAndOrderServices() });
      const identity = second.services.user.identity;
      await identity.createUser('second-admin@cache.dema.dev', 'correct-horse-battery-staple', 'Admin', 'admin');
      secondAdmin = (await identity.login('second-admin@cache.dema.dev', 'correct-horse-battery-staple', '10.2.0.1')).tokens.accessToken;
    });
    after(async () => {
      await second?.dispose();
      await first?.dispose();
      await shared?.dispose();
    });

    const onSecond = (method: string, url: string, body?: unknown) =>
      fetch(`${second.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${secondAdmin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    test('a tax rate and a shipping rate changed through the second instance are charged by the first at its next order', async () => {
      const zone = await created<ShippingZone>(await first.admin.request('POST', '/api/shipping-zones', { name: 'Shared', countries: ['US'] }));
      const method = await created<ShippingMethod>(
        await first.admin.request('POST', `/api/shipping-zones/${zone.id}/methods`, { name: 'Post', rate: { kind: 'flat', amount: 5 } }),
      );
      const tax = await created<TaxRate>(await first.admin.request('POST', '/api/tax-rates', { name: 'WA', country: 'US', region: 'WA', rate: '10' }));
      const lamp = await first.createProduct({ name: 'Shared Lamp', price: 100, stock: 100 });
      const place = () =>
        first.customer.request('POST', '/api/orders', { items: [{ productId: lamp.id, quantity: 1 }], shippingAddress: seattle, shippingMethodId: method.id });

      const before = await orderOf(await place());
      assert.deepEqual([before.taxTotal, before.shippingTotal], [10, 5], 'the first instance has the configuration in its cache');
      await created(await onSecond('PATCH', `/api/tax-rates/${tax.id}`, { rate: '6.5' }));
      await created(await onSecond('PATCH', `/api/shipping-methods/${method.id}`, { rate: { kind: 'flat', amount: 9 } }));
      const after = await orderOf(await place());
      assert.deepEqual([after.taxTotal, after.shippingTotal], [6.5, 9]);
      assert.equal((await onSecond('DELETE', `/api/tax-rates/${tax.id}`)).status, 204);
      assert.equal((await orderOf(await place())).taxTotal, 0);
    });
  });
}
