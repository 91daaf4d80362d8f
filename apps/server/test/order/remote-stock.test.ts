import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Order, Product, StockReservation } from '@dema/contracts';
import { startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import { createProductService } from '@dema/product';
import { createUserService, type UserService } from '@dema/user';
import { createOrderService } from '@dema/order';
import { createPaymentService } from '@dema/payment';

const serviceToken = 'test-service-token-0123456789abcdef';

for (const target of testTargets()) {
  describe(`the Order service in its own process, reserving over HTTP (${target.name})`, () => {
    let catalog: TestProcess<{ user: UserService }>;
    let orders: TestProcess;
    let adminToken: string;
    let customerToken: string;
    let product: Product;

    before(async () => {
      // The Payment service beside the catalog: the order process opens each order's payment over HTTP too.
      catalog = await startTestProcess(target, { user: createUserService, product: createProductService, payment: createPaymentService }, { serviceToken });
      orders = await startTestProcess(target, [(infra) => createOrderService(infra)], {
        serviceToken,
        upstreams: { product: [catalog.url], payment: [catalog.url] },
        jwksUrl: `${catalog.url}/.well-known/jwks.json`,
      });
      const users = catalog.services.user;
      for (const [email, role] of [
        ['admin@remote.dema.dev', 'admin'],
        ['customer@remote.dema.dev', 'customer'],
      ] as const) {
        await users.identity.createUser(email, 'correct-horse-battery-staple', role, role);
      }
      adminToken = (await users.identity.login('admin@remote.dema.dev', 'correct-horse-battery-staple', '127.0.0.1')).tokens.accessToken;
      customerToken = (await users.identity.login('customer@remote.dema.dev', 'correct-horse-battery-staple', '127.0.0.1')).tokens.accessToken;
      const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const category = (await (await fetch(`${catalog.url}/api/categories`, { method: 'POST', headers, body: JSON.stringify({ name: 'Remote' }) })).json()) as {
        id: string;
      };
      product = (await (
        await fetch(`${catalog.url}/api/products`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: 'Remote Kettle', price: 31.5, stock: 10, categoryId: category.id }),
        })
      ).json()) as Product;
    });
    after(async () => {
      await orders?.dispose();
      await catalog?.dispose();
    });

    const place = (quantity: number) =>
      fetch(`${orders.url}/api/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ productId: product.id, quantity }] }),
      });
    const stockNow = async () => ((await (await fetch(`${catalog.url}/api/products/${product.id}`)).json()) as Product).stock;

    test('an order placed on the order process takes the stock in the product process, at the catalog price', async () => {
      const response = await place(3);
      assert.equal(response.status, 201);
      const order = (await response.json()) as Order;
      assert.equal(order.total, 94.5);
      assert.equal(order.items[0]!.name, 'Remote Kettle');
      assert.equal(await stockNow(), 7);
    });

    test('a refusal of the product process comes back as the same problem, naming the product', async () => {
      const response = await place(50);
      assert.equal(response.status, 409);
      const problem = (await response.json()) as { code: string; detail: string; invalidParams: Array<{ name: string }> };
      assert.equal(problem.code, 'INSUFFICIENT_STOCK');
      assert.match(problem.detail, /Remote Kettle/);
      assert.deepEqual(
        problem.invalidParams.map((p) => p.name),
        ['body.items.0.quantity'],
      );
      assert.equal(await stockNow(), 7);
    });

    test('cancelling puts the stock back across the processes', async () => {
      const order = (await (await place(2)).json()) as Order;
      assert.equal(await stockNow(), 5);
      const response = await fetch(`${orders.url}/api/orders/${order.id}/status`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'CANCELLED' }),
      });
      assert.equal(response.status, 200);
      assert.equal(await stockNow(), 7);
    });

    test('the stock routes answer only to the service token', async () => {
      const url = `${catalog.url}/internal/stock-reservations/${crypto.randomUUID()}`;
      const body = JSON.stringify({ lines: [{ productId: product.id, variantId: null, quantity: 1 }] });
      const json = { 'content-type': 'application/json' };
      assert.equal((await fetch(url, { method: 'PUT', headers: json, body })).status, 403);
      assert.equal((await fetch(url, { method: 'PUT', headers: { ...json, 'x-dema-service-token': 'wrong' }, body })).status, 403);
      assert.equal((await fetch(url, { method: 'PUT', headers: { ...json, authorization: `Bearer ${adminToken}` }, body })).status, 403);
      assert.equal(await stockNow(), 7);
      const docs = (await (await fetch(`${catalog.url}/api/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
      assert.ok(!Object.keys(docs.paths).some((p) => p.startsWith('/internal')), 'internal routes are not documented');
    });

    test("a reservation over HTTP carries each line's weight, as the in-process one does", async () => {
      const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const bottle = (await (
        await fetch(`${catalog.url}/api/products`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            name: 'Remote Bottle',
            price: 20,
            weightGrams: 340,
            variants: [
              { name: '500 ml', stock: 3 },
              { name: '1 L', stock: 3, weightGrams: 480 },
            ],
          }),
        })
      ).json()) as Product;
      const response = await fetch(`${catalog.url}/internal/stock-reservations/${crypto.randomUUID()}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-dema-service-token': serviceToken },
        body: JSON.stringify({ lines: bottle.variants.map((v) => ({ productId: bottle.id, variantId: v.id, quantity: 1 })) }),
      });
      assert.equal(response.status, 200);
      const reservation = (await response.json()) as StockReservation;
      assert.deepEqual(
        reservation.lines.map((l) => [l.name, l.weightGrams]),
        [
          ['Remote Bottle (500 ml)', 340],
          ['Remote Bottle (1 L)', 480],
        ],
      );
    });

    test('a return on the order process puts its units back in the product process (free units: nothing to refund)', async () => {
      const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const sample = (await (
        await fetch(`${catalog.url}/api/products`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ name: 'Free Sample', price: 0, stock: 5 }),
        })
      ).json()) as Product;
      const placed = await fetch(`${orders.url}/api/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ productId: sample.id, quantity: 3 }] }),
      });
      assert.equal(placed.status, 201, await placed.clone().text());
      const order = (await placed.json()) as Order;
      for (const status of ['CONFIRMED', 'SHIPPED']) {
        const moved = await fetch(`${orders.url}/api/orders/${order.id}/status`, { method: 'PUT', headers: admin, body: JSON.stringify({ status }) });
        assert.equal(moved.status, 200);
      }
      const sampleStock = async () => ((await (await fetch(`${catalog.url}/api/products/${sample.id}`)).json()) as Product).stock;
      assert.equal(await sampleStock(), 2);
      const returned = await fetch(`${orders.url}/api/orders/${order.id}/returns`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ lines: [{ productId: sample.id, quantity: 1 }], reason: 'Unopened' }),
      });
      assert.equal(returned.status, 201, await returned.clone().text());
      assert.deepEqual(((await returned.json()) as { amount: number; refundId: string | null }).refundId, null);
      assert.equal(await sampleStock(), 3);
      const tooMany = await fetch(`${orders.url}/api/orders/${order.id}/returns`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ lines: [{ productId: sample.id, quantity: 3 }], reason: 'Unopened' }),
      });
      assert.equal(tooMany.status, 422);
      assert.equal(await sampleStock(), 3);
    });

    test('with the product process unreachable, an order is refused with 503 and nothing is written', async () => {
      const stopped = await startTestProcess(target, [(infra) => createOrderService(infra)], {
        serviceToken,
        upstreams: { product: ['http://127.0.0.1:9'], payment: [catalog.url] },
        jwksUrl: `${catalog.url}/.well-known/jwks.json`,
      });
      try {
        const response = await fetch(`${stopped.url}/api/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ items: [{ productId: product.id, quantity: 1 }] }),
        });
        assert.equal(response.status, 503);
        assert.equal(((await response.json()) as { code: string }).code, 'UNAVAILABLE');
        const db = await stopped.infra.database('order');
        assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n, 0);
        // The saga log keeps the placement for the sweeper: the reservation's outcome is unknown.
        assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pending_orders')).rows[0]!.n, 1);
      } finally {
        await stopped.dispose();
      }
      assert.equal(await stockNow(), 7);
    });

    test('with the payment process unreachable, an order is refused with 503, its stock goes back at once and no order is written', async () => {
      const noPayments = await startTestProcess(target, [(infra) => createOrderService(infra)], {
        serviceToken,
        upstreams: { product: [catalog.url], payment: ['http://127.0.0.1:9'] },
        jwksUrl: `${catalog.url}/.well-known/jwks.json`,
      });
      try {
        const before = await stockNow();
        const response = await fetch(`${noPayments.url}/api/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${customerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ items: [{ productId: product.id, quantity: 2 }] }),
        });
        assert.equal(response.status, 503);
        const problem = (await response.json()) as { code: string; detail: string };
        assert.equal(problem.code, 'UNAVAILABLE');
        assert.match(problem.detail, /payment service/);
        assert.equal(await stockNow(), before, 'the reservation was released although the payment could not be cancelled');
        const db = await noPayments.infra.database('order');
        assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n, 0);
        // The cancel could not be made: the sweeper cancels the payment (if any) later.
        assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pending_orders')).rows[0]!.n, 1);
      } finally {
        await noPayments.dispose();
      }
    });

    test('the order placed on the order process has its payment in the payment process, for the order total', async () => {
      const response = await place(1);
      assert.equal(response.status, 201);
      const order = (await response.json()) as Order;
      assert.deepEqual([order.paymentProvider, order.paymentStatus, order.payment?.status], ['manual', 'unpaid', 'unpaid']);
      const payment = await fetch(`${catalog.url}/api/orders/${order.id}/payment`, { headers: { authorization: `Bearer ${customerToken}` } });
      assert.equal(payment.status, 200);
      const body = (await payment.json()) as { amount: number; currency: string; provider: string; status: string };
      assert.deepEqual([body.amount, body.currency, body.provider, body.status], [order.total, order.currency, 'manual', 'unpaid']);
    });
  });
}
