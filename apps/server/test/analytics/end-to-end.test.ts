import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Order, Product } from '@dema/contracts';
import { startTestProcess, testTargets, waitFor, type TestProcess } from '@dema/platform/testing';
import { createUserService, type UserService } from '@dema/user';
import { createAnalyticsService } from '@dema/analytics';
import { productAndOrderServices } from '../../src/services.ts';
import { bearerSender, signInAdminAndCustomer } from './helpers.ts';

/**
 * The real producers: the Product service's STOCK_UPDATED and the Order service's ORDER_CREATED
 * and ORDER_STATUS_CHANGED reach analytics through their outboxes and the bus, as in `npm start`.
 */
for (const target of testTargets()) {
  describe(`analytics follows the shop's real events (${target.name})`, () => {
    let dema: TestProcess<{ user: UserService }>;
    let send: (token: string, method: string, url: string, body?: unknown) => Promise<Response>;
    let admin: string;
    let customer: string;

    before(async () => {
      dema = await startTestProcess(target, { user: createUserService, ...productAndOrderServices(), analytics: createAnalyticsService });
      ({ admin, customer } = await signInAdminAndCustomer(dema.services.user));
      send = bearerSender(dema.url);
    });
    after(() => dema?.dispose());

    async function json<T>(response: Response, status: number): Promise<T> {
      const text = await response.text();
      assert.equal(response.status, status, text);
      return JSON.parse(text) as T;
    }

    test('a product, two orders and a cancellation show up in every report', async () => {
      const category = await json<{ id: string }>(await send(admin, 'POST', '/api/categories', { name: 'Kitchen' }), 201);
      const product = await json<Product>(await send(admin, 'POST', '/api/products', { name: 'Kettle', price: 12.5, stock: 6, categoryId: category.id }), 201);
      const first = await json<Order>(await send(customer, 'POST', '/api/orders', { items: [{ productId: product.id, quantity: 2 }] }), 201);
      await json<Order>(await send(admin, 'PUT', `/api/orders/${first.id}/status`, { status: 'CANCELLED' }), 200);
      await json<Order>(await send(customer, 'POST', '/api/orders', { items: [{ productId: product.id, quantity: 3 }] }), 201);

      const report = async (path: string) => json<any>(await send(admin, 'GET', path), 200);
      // MANUAL 0→6, ORDER 6→4, ORDER_CREATED, ORDER_STATUS_CHANGED, RETURN 4→6, ORDER 6→3, ORDER_CREATED.
      await waitFor(
        "the shop's seven events in analytics",
        async () => {
          const movements = await report(`/api/analytics/stock-movements?productId=${product.id}`);
          const byStatus = await report('/api/analytics/orders-by-status');
          return (
            movements.items.reduce((n: number, i: any) => n + i.movements, 0) === 4 &&
            byStatus.total === 2 &&
            byStatus.items.find((i: any) => i.status === 'CANCELLED').orders === 1
          );
        },
        20_000,
      );

      const summary = await report('/api/analytics/summary');
      assert.deepEqual([summary.orders, summary.revenue, summary.averageOrderValue, summary.unitsSold, summary.customers], [1, 37.5, 37.5, 3, 1]);
      const top = await report('/api/analytics/top-products?by=revenue');
      assert.deepEqual(top.items, [{ productId: product.id, units: 3, revenue: 37.5, orders: 1 }]);
      const movements = await report(`/api/analytics/stock-movements?productId=${product.id}`);
      assert.deepEqual(movements.items, [
        { reason: 'ORDER', movements: 2, unitsIn: 0, unitsOut: 5, net: -5 },
        { reason: 'MANUAL', movements: 1, unitsIn: 6, unitsOut: 0, net: 6 },
        { reason: 'RETURN', movements: 1, unitsIn: 2, unitsOut: 0, net: 2 },
      ]);
      const low = await report('/api/analytics/low-stock?threshold=3');
      assert.deepEqual(
        low.items.map((i: any) => [i.productId, i.stock]),
        [[product.id, 3]],
      );
    });
  });
}
