import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Cart, Product } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { orderOf, problemOf, startOrderService, type OrderTestProcess, type Refusal, type TestUser } from './helpers.ts';

for (const target of testTargets()) {
  describe(`bad input to orders and carts (${target.name})`, () => {
    let dema: OrderTestProcess;
    let plain: Product;
    let shirt: Product;
    let otherShirt: Product;
    let order: string;

    before(async () => {
      dema = await startOrderService(target);
      plain = await dema.createProduct({ name: 'Plain Product', stock: 50 });
      shirt = await dema.createProduct({ name: 'Sized Shirt', variants: [{ name: 'M', stock: 5, options: { size: 'M' } }] });
      otherShirt = await dema.createProduct({ name: 'Other Shirt', variants: [{ name: 'L', stock: 5, options: { size: 'L' } }] });
      order = (await orderOf(await dema.placeOrder(dema.customer, [{ productId: plain.id, quantity: 1 }]))).id;
    });
    after(() => dema.dispose());

    /** Everything a refused request could have written, in both databases. */
    async function written() {
      const orderCounts = await dema.query<Record<string, number>>(
        'order',
        `SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_items) AS items,
                (SELECT count(*)::int FROM pending_orders) AS pending, (SELECT count(*)::int FROM idempotency_keys) AS keys,
                (SELECT string_agg(status, ',' ORDER BY id) FROM orders) AS statuses`,
      );
      const productCounts = await dema.query<Record<string, number>>(
        'product',
        `SELECT (SELECT count(*)::int FROM stock_reservations) AS reservations,
                (SELECT sum(stock)::int FROM products) AS stock, (SELECT sum(stock)::int FROM product_variants) AS variant_stock`,
      );
      const cart = (await (await dema.customer.request('GET', '/api/cart')).json()) as Cart;
      return { ...orderCounts[0], ...productCounts[0], cart: cart.items.map((i) => [i.productId, i.variantId, i.quantity]) };
    }

    async function assertRefused(refusals: Refusal[]): Promise<void> {
      for (const refusal of refusals) {
        const before = await written();
        const problem = await problemOf(await refusal.send(), refusal.status).catch((error: Error) => assert.fail(`${refusal.what}: ${error.message}`));
        assert.equal(problem.code, refusal.code, refusal.what);
        // A field may be named more than once, with one reason per rule it breaks.
        assert.deepEqual([...new Set(problem.invalidParams?.map((p) => p.name))], refusal.fields, refusal.what);
        assert.deepEqual(await written(), before, `${refusal.what} wrote nothing`);
      }
    }

    const post = (body: unknown, headers?: Record<string, string>) => () => dema.customer.request('POST', '/api/orders', body, headers);
    const items = (...lines: unknown[]) => post({ items: lines });

    test('an unknown product is a 422 PRODUCT_NOT_FOUND naming body.items.N.productId', async () => {
      await assertRefused([
        {
          what: 'unknown product',
          send: items({ productId: randomUUID(), quantity: 1 }),
          status: 422,
          code: 'PRODUCT_NOT_FOUND',
          fields: ['body.items.0.productId'],
        },
        {
          what: 'unknown product second',
          send: items({ productId: plain.id, quantity: 1 }, { productId: randomUUID(), quantity: 1 }),
          status: 422,
          code: 'PRODUCT_NOT_FOUND',
          fields: ['body.items.1.productId'],
        },
      ]);
    });

    test('a variant of another product, or none for a product sold by variant, is a 422 naming body.items.N.variantId', async () => {
      await assertRefused([
        {
          what: 'variant of another product',
          send: items({ productId: shirt.id, variantId: otherShirt.variants[0]!.id, quantity: 1 }),
          status: 422,
          code: 'VARIANT_NOT_FOUND',
          fields: ['body.items.0.variantId'],
        },
        {
          what: 'variant on a product without variants',
          send: items({ productId: plain.id, variantId: shirt.variants[0]!.id, quantity: 1 }),
          status: 422,
          code: 'VARIANT_NOT_FOUND',
          fields: ['body.items.0.variantId'],
        },
        {
          what: 'unknown variant',
          send: items({ productId: shirt.id, variantId: randomUUID(), quantity: 1 }),
          status: 422,
          code: 'VARIANT_NOT_FOUND',
          fields: ['body.items.0.variantId'],
        },
        {
          what: 'missing variant',
          send: items({ productId: shirt.id, quantity: 1 }),
          status: 422,
          code: 'STOCK_MANAGED_BY_VARIANTS',
          fields: ['body.items.0.variantId'],
        },
      ]);
    });

    test('a preview refuses the lines the placement refuses, with the same code and field', async () => {
      const preview =
        (...lines: unknown[]) =>
        () =>
          dema.customer.request('POST', '/api/checkout/preview', { items: lines });
      const sameAsPlacement = async (what: string, lines: unknown[], code: string, fields: string[]) => {
        await assertRefused([
          { what: `${what} (placement)`, send: items(...lines), status: 422, code, fields },
          { what: `${what} (preview)`, send: preview(...lines), status: 422, code, fields },
        ]);
      };
      await sameAsPlacement(
        'unknown product',
        [
          { productId: plain.id, quantity: 1 },
          { productId: randomUUID(), quantity: 1 },
        ],
        'PRODUCT_NOT_FOUND',
        ['body.items.1.productId'],
      );
      await sameAsPlacement('missing variant', [{ productId: shirt.id, quantity: 1 }], 'STOCK_MANAGED_BY_VARIANTS', ['body.items.0.variantId']);
      await sameAsPlacement('variant of another product', [{ productId: shirt.id, variantId: otherShirt.variants[0]!.id, quantity: 1 }], 'VARIANT_NOT_FOUND', [
        'body.items.0.variantId',
      ]);
      await sameAsPlacement(
        'variant on a product without variants',
        [{ productId: plain.id, variantId: shirt.variants[0]!.id, quantity: 1 }],
        'VARIANT_NOT_FOUND',
        ['body.items.0.variantId'],
      );
    });

    test('a preview whose total would not fit an order is a 422 naming body.items, as the placement is, not a 500', async () => {
      const bullion = await dema.createProduct({ name: 'Bullion', price: 99_999_999.99, stock: 5 });
      const lines = [{ productId: bullion.id, quantity: 2 }];
      // The placement reserved the stock before pricing it, and released it again (the reservation's row stays, RELEASED).
      const placed = await problemOf(await items(...lines)(), 422);
      assert.deepEqual([placed.code, placed.invalidParams?.map((p) => p.name)], ['VALIDATION_FAILED', ['body.items']]);
      await assertRefused([
        {
          what: 'preview',
          send: () => dema.customer.request('POST', '/api/checkout/preview', { items: lines }),
          status: 422,
          code: 'VALIDATION_FAILED',
          fields: ['body.items'],
        },
      ]);
    });

    test('a quantity that is not a whole number from 1 to 1000 is a 400 naming it', async () => {
      await assertRefused(
        [0, -1, 1.5, 1001, '2', null].map((quantity) => ({
          what: `quantity ${JSON.stringify(quantity)}`,
          send: items({ productId: plain.id, quantity }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.items.0.quantity'],
        })),
      );
      await assertRefused([
        { what: 'no quantity', send: items({ productId: plain.id }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.items.0.quantity'] },
      ]);
    });

    test('the shape of the order body: items or fromCart, exactly one, nothing else', async () => {
      const line = { productId: plain.id, quantity: 1 };
      await assertRefused([
        { what: 'empty items', send: post({ items: [] }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.items'] },
        { what: 'both', send: post({ items: [line], fromCart: true }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.fromCart'] },
        { what: 'neither', send: post({}), status: 400, code: 'VALIDATION_FAILED', fields: ['body.items'] },
        { what: 'fromCart false', send: post({ fromCart: false }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.fromCart'] },
        { what: 'extra field', send: post({ items: [line], coupon: 'FREE' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.coupon'] },
        { what: 'total from the client', send: post({ items: [line], total: 0.01 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.total'] },
        { what: 'extra line field', send: items({ ...line, discount: 5 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.items.0.discount'] },
        { what: 'price in a line', send: items({ ...line, price: 1 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.items.0.price'] },
        {
          what: 'non-uuid product',
          send: items({ productId: 'kettle', quantity: 1 }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.items.0.productId'],
        },
        { what: 'non-uuid variant', send: items({ ...line, variantId: 'M' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.items.0.variantId'] },
        { what: 'items not an array', send: post({ items: line }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.items'] },
        { what: 'body an array', send: post([line]), status: 400, code: 'VALIDATION_FAILED', fields: ['body'] },
        {
          what: '101 lines',
          send: post({ items: Array.from({ length: 101 }, () => line) }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.items'],
        },
      ]);
    });

    test('a body that is not JSON is a 400 MALFORMED_BODY; one that is not declared JSON is a 415', async () => {
      const before = await written();
      const malformed = await problemOf(await dema.customer.request('POST', '/api/orders', `{"items": [{"productId": "${plain.id}", "quantity": 1}`), 400);
      assert.equal(malformed.code, 'MALFORMED_BODY');
      const plainText = await fetch(`${dema.url}/api/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dema.customer.token}`, 'content-type': 'text/plain' },
        body: JSON.stringify({ items: [{ productId: plain.id, quantity: 1 }] }),
      });
      assert.equal((await problemOf(plainText, 415)).code, 'UNSUPPORTED_MEDIA_TYPE');
      const empty = await problemOf(await dema.customer.request('POST', '/api/orders', '', { 'content-type': 'application/json' }), 400);
      assert.equal(empty.code, 'MALFORMED_BODY');
      assert.deepEqual(await written(), before);
    });

    test('an Idempotency-Key that is too long, empty or not printable ASCII is a 400 naming the header', async () => {
      const line = { productId: plain.id, quantity: 1 };
      await assertRefused(
        ['k'.repeat(256), '', 'has space', 'clé'].map((key) => ({
          what: `key ${JSON.stringify(key.slice(0, 12))}`,
          send: post({ items: [line] }, { 'idempotency-key': key }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['header.idempotency-key'],
        })),
      );
      // The longest allowed key is fine.
      assert.equal((await post({ items: [line] }, { 'idempotency-key': 'k'.repeat(255) })()).status, 201);
    });

    test('checking out an empty cart is a 422 CART_EMPTY naming body.fromCart', async () => {
      const shopper = await dema.newCustomer();
      const before = await written();
      const problem = await problemOf(await shopper.request('POST', '/api/orders', { fromCart: true }), 422);
      assert.equal(problem.code, 'CART_EMPTY');
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.fromCart'],
      );
      assert.deepEqual(await written(), before);
    });

    test('ids in the path must be uuids (400 naming the path parameter)', async () => {
      await assertRefused([
        { what: 'GET order', send: () => dema.customer.request('GET', '/api/orders/42'), status: 400, code: 'VALIDATION_FAILED', fields: ['path.id'] },
        {
          what: 'PUT status',
          send: () => dema.admin.request('PUT', '/api/orders/42/status', { status: 'CONFIRMED' }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['path.id'],
        },
        {
          what: 'user orders',
          send: () => dema.customer.request('GET', '/api/orders/user/me'),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['path.userId'],
        },
        {
          what: 'cart PUT',
          send: () => dema.customer.request('PUT', '/api/cart/items/kettle', { quantity: 1 }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['path.productId'],
        },
        {
          what: 'cart DELETE',
          send: () => dema.customer.request('DELETE', '/api/cart/items/kettle'),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['path.productId'],
        },
      ]);
    });

    test('a status change needs one known status and nothing else (400 naming body.status)', async () => {
      const send = (body: unknown) => () => dema.admin.request('PUT', `/api/orders/${order}/status`, body);
      await assertRefused([
        { what: 'unknown status', send: send({ status: 'LOST' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.status'] },
        { what: 'lower case', send: send({ status: 'confirmed' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.status'] },
        { what: 'missing', send: send({}), status: 400, code: 'VALIDATION_FAILED', fields: ['body.status'] },
        { what: 'extra', send: send({ status: 'CONFIRMED', note: 'rush' }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.note'] },
      ]);
    });

    test('an unknown status is named once, with every status it could have been', async () => {
      const response = await dema.admin.request('PUT', `/api/orders/${order}/status`, { status: 'LOST' });
      const problem = (await response.json()) as { invalidParams: Array<{ name: string; reason: string }> };
      assert.deepEqual(problem.invalidParams, [
        { name: 'body.status', reason: 'must be one of "PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED", "RETURNED"' },
      ]);
    });

    test('list queries are checked: limit 1..100, offset ≥ 0, a known status, no unknown parameters', async () => {
      for (const [query, field] of [
        ['limit=0', 'query.limit'],
        ['limit=101', 'query.limit'],
        ['limit=ten', 'query.limit'],
        ['offset=-1', 'query.offset'],
        ['status=LOST', 'query.status'],
        ['sort=total', 'query.sort'],
      ] as const) {
        for (const path of ['/api/orders', `/api/orders/user/${dema.customer.id}`]) {
          const problem = await problemOf(await dema.customer.request('GET', `${path}?${query}`), 400);
          assert.deepEqual([...new Set(problem.invalidParams?.map((p) => p.name))], [field], `${path}?${query}`);
        }
      }
    });

    test('anonymous callers get 401 and write nothing', async () => {
      await assertRefused([
        {
          what: 'anonymous order',
          send: () => dema.anonymous('POST', '/api/orders', { items: [{ productId: plain.id, quantity: 1 }] }),
          status: 401,
          code: 'UNAUTHENTICATED',
          fields: [],
        },
        {
          what: 'anonymous cart',
          send: () => dema.anonymous('PUT', `/api/cart/items/${plain.id}`, { quantity: 1 }),
          status: 401,
          code: 'UNAUTHENTICATED',
          fields: [],
        },
        {
          what: 'bad token',
          send: () =>
            fetch(`${dema.url}/api/orders`, {
              method: 'POST',
              headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
              body: JSON.stringify({ fromCart: true }),
            }),
          status: 401,
          code: 'UNAUTHENTICATED',
          fields: [],
        },
      ]);
    });

    test('cart items are checked like order items', async () => {
      const put = (productId: string, body: unknown) => () => dema.customer.request('PUT', `/api/cart/items/${productId}`, body);
      await assertRefused([
        ...[0, -1, 1.5, 1001, '2'].map((quantity) => ({
          what: `cart quantity ${JSON.stringify(quantity)}`,
          send: put(plain.id, { quantity }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.quantity'],
        })),
        { what: 'cart without quantity', send: put(plain.id, {}), status: 400, code: 'VALIDATION_FAILED', fields: ['body.quantity'] },
        { what: 'cart extra field', send: put(plain.id, { quantity: 1, price: 1 }), status: 400, code: 'VALIDATION_FAILED', fields: ['body.price'] },
        {
          what: 'cart non-uuid variant',
          send: put(shirt.id, { quantity: 1, variantId: 'M' }),
          status: 400,
          code: 'VALIDATION_FAILED',
          fields: ['body.variantId'],
        },
        { what: 'cart unknown product', send: put(randomUUID(), { quantity: 1 }), status: 404, code: 'PRODUCT_NOT_FOUND', fields: [] },
        {
          what: 'cart variant of another product',
          send: put(shirt.id, { quantity: 1, variantId: otherShirt.variants[0]!.id }),
          status: 422,
          code: 'VARIANT_NOT_FOUND',
          fields: ['body.variantId'],
        },
        { what: 'cart missing variant', send: put(shirt.id, { quantity: 1 }), status: 422, code: 'STOCK_MANAGED_BY_VARIANTS', fields: ['body.variantId'] },
      ]);
    });

    test('a cart holds at most 100 products: of 105 added at once, exactly 100 are kept and the others refused (422 naming path.productId)', async () => {
      const shopper: TestUser = await dema.newCustomer();
      const products = await Promise.all(
        Array.from({ length: 105 }, (_, i) => dema.catalog.createProduct({ name: `Cart Filler ${i}`, price: 1, stock: 10, categoryId: plain.category!.id })),
      );
      const responses = await Promise.all(products.map((p) => shopper.request('PUT', `/api/cart/items/${p.id}`, { quantity: 1 })));
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 100, JSON.stringify(statuses));
      const refused = responses.filter((r) => r.status !== 200);
      assert.equal(refused.length, 5);
      for (const response of refused) {
        const problem = await problemOf(response, 422);
        assert.equal(problem.code, 'VALIDATION_FAILED');
        assert.deepEqual(
          problem.invalidParams?.map((p) => p.name),
          ['path.productId'],
        );
      }
      await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.arrayBuffer()));
      const cart = (await (await shopper.request('GET', '/api/cart')).json()) as Cart;
      assert.equal(cart.items.length, 100);
      // A product already in the full cart can still change its quantity.
      const kept = cart.items[0]!.productId;
      const changed = await shopper.request('PUT', `/api/cart/items/${kept}`, { quantity: 3 });
      assert.equal(changed.status, 200);
      assert.equal(((await changed.json()) as Cart).items.find((i) => i.productId === kept)!.quantity, 3);
    });
  });
}
