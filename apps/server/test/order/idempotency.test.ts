import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Order } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { orderOf, problemOf, startOrderService, type OrderTestProcess } from './helpers.ts';

for (const target of testTargets()) {
  describe(`Idempotency-Key on POST /api/orders (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target);
    });
    after(() => dema.dispose());

    const ordersOf = (userId: string) => dema.count('order', 'SELECT 1 FROM orders WHERE user_id = $1', [userId]);
    const withKey = (key: string) => ({ 'idempotency-key': key });

    test('a retry with the same key and body returns the same order, marked idempotent-replayed, and places nothing more', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Retried Toaster', price: 29.99, stock: 10 });
      const key = randomUUID();
      const first = await dema.placeOrder(shopper, [{ productId: product.id, quantity: 2 }], withKey(key));
      assert.equal(first.status, 201);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      const placed = (await first.json()) as Order;

      const retry = await dema.placeOrder(shopper, [{ productId: product.id, quantity: 2 }], withKey(key));
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal(retry.headers.get('location'), `/api/orders/${placed.id}`);
      // The order as placed; the placement's `payment` summary (with a card's client secret) is the first answer's only.
      const { payment: _first, ...placedOrder } = placed as Order & { payment?: unknown };
      const { payment: _replayed, ...replayedOrder } = (await retry.json()) as Order & { payment?: unknown };
      assert.deepEqual(replayedOrder, placedOrder);

      assert.equal(await ordersOf(shopper.id), 1);
      assert.equal((await dema.product(product.id)).stock, 8);
    });

    test('the same body with its fields in another order is the same request', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Reordered Fields', stock: 10 });
      const key = randomUUID();
      const placed = await orderOf(await shopper.request('POST', '/api/orders', { items: [{ productId: product.id, quantity: 1 }] }, withKey(key)));
      const retry = await shopper.request('POST', '/api/orders', `{"items":[{"quantity":1,"productId":"${product.id.toUpperCase()}"}]}`, withKey(key));
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal((await orderOf(retry)).id, placed.id);
      assert.equal(await ordersOf(shopper.id), 1);
    });

    test('the same key with another body is refused: 422 IDEMPOTENCY_KEY_REUSED, nothing placed', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Key Reuse', stock: 10 });
      const key = randomUUID();
      await orderOf(await dema.placeOrder(shopper, [{ productId: product.id, quantity: 1 }], withKey(key)));
      const problem = await problemOf(await dema.placeOrder(shopper, [{ productId: product.id, quantity: 2 }], withKey(key)), 422);
      assert.equal(problem.code, 'IDEMPOTENCY_KEY_REUSED');
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['header.idempotency-key'],
      );
      const cartProblem = await problemOf(await shopper.request('POST', '/api/orders', { fromCart: true }, withKey(key)), 422);
      assert.equal(cartProblem.code, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(await ordersOf(shopper.id), 1);
      assert.equal((await dema.product(product.id)).stock, 9);
    });

    test('20 concurrent requests with one key place one order, and every response carries its id', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Double Click', price: 5.5, stock: 100 });
      const key = randomUUID();
      const responses = await Promise.all(Array.from({ length: 20 }, () => dema.placeOrder(shopper, [{ productId: product.id, quantity: 3 }], withKey(key))));
      assert.deepEqual(
        responses.map((r) => r.status),
        Array(20).fill(201),
      );
      const orders = await Promise.all(responses.map(orderOf));
      assert.equal(new Set(orders.map((o) => o.id)).size, 1);
      assert.equal(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 19);
      assert.equal(await ordersOf(shopper.id), 1);
      assert.equal((await dema.product(product.id)).stock, 97);
      assert.equal(await dema.count('product', "SELECT 1 FROM stock_reservations WHERE status = 'RESERVED' AND order_id = $1", [orders[0]!.id]), 1);
    });

    test('a key whose first attempt was refused for stock can be retried after restocking, and then places the order', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Back In Stock', stock: 1 });
      const key = randomUUID();
      const refused = await problemOf(await dema.placeOrder(shopper, [{ productId: product.id, quantity: 3 }], withKey(key)), 409);
      assert.equal(refused.code, 'INSUFFICIENT_STOCK');
      assert.equal(await ordersOf(shopper.id), 0);

      assert.equal((await dema.admin.request('POST', `/api/products/${product.id}/stock-adjustments`, { delta: 5 })).status, 200);
      const retry = await dema.placeOrder(shopper, [{ productId: product.id, quantity: 3 }], withKey(key));
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), null, 'the retry placed the order; it is not a replay of a failure');
      const order = await orderOf(retry);
      assert.equal(order.status, 'PENDING');
      assert.equal((await dema.product(product.id)).stock, 3);

      const replay = await dema.placeOrder(shopper, [{ productId: product.id, quantity: 3 }], withKey(key));
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal((await orderOf(replay)).id, order.id);
      assert.equal(await ordersOf(shopper.id), 1);
    });

    test('keys are per user: two customers may use the same key for their own orders', async () => {
      const [alice, bob] = [await dema.newCustomer(), await dema.newCustomer()];
      const product = await dema.createProduct({ name: 'Shared Key', stock: 10 });
      const key = 'checkout-1';
      const forAlice = await dema.placeOrder(alice, [{ productId: product.id, quantity: 1 }], withKey(key));
      const forBob = await dema.placeOrder(bob, [{ productId: product.id, quantity: 2 }], withKey(key));
      assert.deepEqual([forAlice.status, forBob.status], [201, 201]);
      assert.equal(forBob.headers.get('idempotent-replayed'), null);
      const [a, b] = [await orderOf(forAlice), await orderOf(forBob)];
      assert.notEqual(a.id, b.id);
      assert.deepEqual([a.userId, b.userId], [alice.id, bob.id]);
      assert.equal((await dema.product(product.id)).stock, 7);
    });

    test('checking out the cart with a key: a retry after success replays the order instead of ordering the refilled cart', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Cart Key', stock: 10 });
      const key = randomUUID();
      await shopper.request('PUT', `/api/cart/items/${product.id}`, { quantity: 2 });
      const placed = await orderOf(await shopper.request('POST', '/api/orders', { fromCart: true }, withKey(key)));
      await shopper.request('PUT', `/api/cart/items/${product.id}`, { quantity: 4 });
      const retry = await shopper.request('POST', '/api/orders', { fromCart: true }, withKey(key));
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal((await orderOf(retry)).id, placed.id);
      assert.equal((await dema.product(product.id)).stock, 8);
      assert.equal(await ordersOf(shopper.id), 1);
    });

    test('a key whose cart checkout found the cart empty can be used again once the cart is filled', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Empty Then Full', stock: 10 });
      const key = randomUUID();
      const empty = await problemOf(await shopper.request('POST', '/api/orders', { fromCart: true }, withKey(key)), 422);
      assert.equal(empty.code, 'CART_EMPTY');
      assert.equal(await dema.count('order', 'SELECT 1 FROM idempotency_keys WHERE user_id = $1', [shopper.id]), 0, 'the refused attempt holds no key');
      await shopper.request('PUT', `/api/cart/items/${product.id}`, { quantity: 1 });
      const started = Date.now();
      const order = await orderOf(await shopper.request('POST', '/api/orders', { fromCart: true }, withKey(key)));
      // Waiting for the failed request would take the full duplicate wait (10 s).
      assert.ok(Date.now() - started < 8_000, 'the retry did not wait for a request that had already failed');
      assert.equal(order.items[0]!.productId, product.id);
      assert.equal((await dema.product(product.id)).stock, 9);
    });

    test('a request refused before reserving (unknown product) frees its key', async () => {
      const shopper = await dema.newCustomer();
      const key = randomUUID();
      const problem = await problemOf(await dema.placeOrder(shopper, [{ productId: randomUUID(), quantity: 1 }], withKey(key)), 422);
      assert.equal(problem.code, 'PRODUCT_NOT_FOUND');
      assert.equal(await dema.count('order', 'SELECT 1 FROM idempotency_keys WHERE user_id = $1', [shopper.id]), 0);
      const product = await dema.createProduct({ name: 'Second Try', stock: 2 });
      // Same key, another body: the failed attempt left no claim, so this is a fresh request.
      assert.equal((await dema.placeOrder(shopper, [{ productId: product.id, quantity: 1 }], withKey(key))).status, 201);
    });
  });
}
