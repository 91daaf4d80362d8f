import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cart } from '@dema/contracts';
import { createLogger, HealingRedis } from '@dema/platform';
import { TcpProxy, testRedis, testTargets } from '@dema/platform/testing';
import { CartStore } from '@dema/order';
import { orderOf, problemOf, startOrderService, type OrderTestProcess, type TestUser } from './helpers.ts';

const cartOf = async (response: Response): Promise<Cart> => {
  if (response.status !== 200) throw new Error(`expected a cart, got ${response.status} ${await response.text()}`);
  return (await response.json()) as Cart;
};

for (const target of testTargets()) {
  describe(`cart (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target);
    });
    after(() => dema.dispose());

    const setItem = (user: TestUser, productId: string, body: { quantity: number; variantId?: string }) =>
      user.request('PUT', `/api/cart/items/${productId}`, body);
    const viewCart = async (user: TestUser) => cartOf(await user.request('GET', '/api/cart'));
    const checkOut = (user: TestUser) => user.request('POST', '/api/orders', { fromCart: true });

    test('a new cart is empty and has no expiry yet', async () => {
      const shopper = await dema.newCustomer();
      assert.deepEqual(await viewCart(shopper), { items: [], subtotal: 0, problems: [], expiresAt: null });
    });

    test('PUT /api/cart/items/:productId adds a line shown with the catalog name, price, stock and an exact subtotal', async () => {
      const shopper = await dema.newCustomer();
      const mug = await dema.createProduct({ name: 'Cart Mug', price: 19.99, stock: 9, images: ['/img/mug.jpg'] });
      const pin = await dema.createProduct({ name: 'Cart Pin', price: 0.1, stock: 9 });
      await cartOf(await setItem(shopper, mug.id, { quantity: 3 }));
      const cart = await cartOf(await setItem(shopper, pin.id, { quantity: 1 }));
      const byProduct = new Map(cart.items.map((i) => [i.productId, i]));
      assert.deepEqual(
        { ...byProduct.get(mug.id) },
        { productId: mug.id, variantId: null, quantity: 3, name: 'Cart Mug', price: 19.99, lineTotal: 59.97, image: '/img/mug.jpg', available: 9 },
      );
      assert.deepEqual(
        { ...byProduct.get(pin.id) },
        { productId: pin.id, variantId: null, quantity: 1, name: 'Cart Pin', price: 0.1, lineTotal: 0.1, image: null, available: 9 },
      );
      assert.equal(cart.subtotal, 60.07);
      assert.deepEqual(cart.problems, []);
      // The seed's user-cart ttl: a day from the last change.
      const lifetime = Date.parse(cart.expiresAt!) - Date.now();
      assert.ok(lifetime > 86_000_000 && lifetime <= 86_400_000, `expires in ${lifetime} ms`);
      assert.equal((await dema.product(mug.id)).stock, 9, 'a cart reserves nothing');
    });

    test('setting a product again replaces its quantity rather than adding to it', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Replace Quantity', stock: 9 });
      await cartOf(await setItem(shopper, product.id, { quantity: 2 }));
      const cart = await cartOf(await setItem(shopper, product.id, { quantity: 5 }));
      assert.deepEqual(
        cart.items.map((i) => [i.productId, i.quantity]),
        [[product.id, 5]],
      );
    });

    test('a variant line is named and priced after its variant', async () => {
      const shopper = await dema.newCustomer();
      const shirt = await dema.createProduct({
        name: 'Cart Shirt',
        price: 15,
        variants: [
          { name: 'M', stock: 2, options: { size: 'M' } },
          { name: 'L', stock: 6, price: 17.5, options: { size: 'L' } },
        ],
      });
      const large = shirt.variants.find((v) => v.name === 'L')!;
      const cart = await cartOf(await setItem(shopper, shirt.id, { quantity: 2, variantId: large.id }));
      assert.deepEqual(
        cart.items.map((i) => ({ variantId: i.variantId, name: i.name, price: i.price, lineTotal: i.lineTotal, available: i.available })),
        [{ variantId: large.id, name: 'Cart Shirt (L)', price: 17.5, lineTotal: 35, available: 6 }],
      );
    });

    test('two variants of one product are two lines; setting one leaves the other as it was', async () => {
      const shopper = await dema.newCustomer();
      const shirt = await dema.createProduct({
        name: 'Two Size Shirt',
        price: 20,
        variants: [
          { name: 'S', stock: 4, options: { size: 'S' } },
          { name: 'XL', stock: 4, price: 22.5, options: { size: 'XL' } },
        ],
      });
      const [small, large] = [shirt.variants.find((v) => v.name === 'S')!, shirt.variants.find((v) => v.name === 'XL')!];
      await cartOf(await setItem(shopper, shirt.id, { quantity: 1, variantId: small.id }));
      await cartOf(await setItem(shopper, shirt.id, { quantity: 2, variantId: large.id }));
      const cart = await cartOf(await setItem(shopper, shirt.id, { quantity: 3, variantId: small.id }));
      const lines = (c: Cart) => c.items.map((i) => [i.variantId, i.name, i.quantity, i.lineTotal]).sort();
      assert.deepEqual(
        lines(cart),
        [
          [large.id, 'Two Size Shirt (XL)', 2, 45],
          [small.id, 'Two Size Shirt (S)', 3, 60],
        ].sort(),
      );
      assert.equal(cart.subtotal, 105);

      const order = await orderOf(await checkOut(shopper));
      assert.deepEqual(
        order.items.map((i) => [i.variantId, i.quantity]).sort(),
        [
          [large.id, 2],
          [small.id, 3],
        ].sort(),
      );
      assert.equal(order.total, 105);
      const stock = (await dema.product(shirt.id)).variants;
      assert.deepEqual(stock.map((v) => [v.name, v.stock]).sort(), [
        ['S', 1],
        ['XL', 2],
      ]);
      assert.deepEqual((await viewCart(shopper)).items, []);
    });

    test('DELETE with ?variantId removes that variant’s line only; without it, every line of the product', async () => {
      const shopper = await dema.newCustomer();
      const sock = await dema.createProduct({
        name: 'Sock Pair',
        variants: [
          { name: 'Red', stock: 9, options: { colour: 'red' } },
          { name: 'Blue', stock: 9, options: { colour: 'blue' } },
        ],
      });
      const other = await dema.createProduct({ name: 'Sock Drawer', stock: 9 });
      const [red, blue] = sock.variants;
      await setItem(shopper, sock.id, { quantity: 1, variantId: red!.id });
      await setItem(shopper, sock.id, { quantity: 1, variantId: blue!.id });
      await setItem(shopper, other.id, { quantity: 1 });
      const afterOne = await cartOf(await shopper.request('DELETE', `/api/cart/items/${sock.id}?variantId=${red!.id.toUpperCase()}`));
      assert.deepEqual(afterOne.items.map((i) => i.variantId).sort(), [blue!.id, null].sort());
      const missing = await problemOf(await shopper.request('DELETE', `/api/cart/items/${sock.id}?variantId=${red!.id}`), 404);
      assert.equal(missing.code, 'NOT_FOUND');
      await setItem(shopper, sock.id, { quantity: 2, variantId: red!.id });
      const afterAll = await cartOf(await shopper.request('DELETE', `/api/cart/items/${sock.id}`));
      assert.deepEqual(
        afterAll.items.map((i) => i.productId),
        [other.id],
      );
      const bad = await problemOf(await shopper.request('DELETE', `/api/cart/items/${other.id}?variantId=not-a-uuid`), 400);
      assert.deepEqual(
        bad.invalidParams?.map((p) => p.name),
        ['query.variantId'],
      );
      assert.deepEqual(
        (await viewCart(shopper)).items.map((i) => i.productId),
        [other.id],
      );
    });

    test('a product id or variant id in capital letters is the same line', async () => {
      const shopper = await dema.newCustomer();
      const cap = await dema.createProduct({ name: 'Capital Cap', variants: [{ name: 'One Size', stock: 5, options: { size: 'one' } }] });
      const variantId = cap.variants[0]!.id;
      await cartOf(await setItem(shopper, cap.id.toUpperCase(), { quantity: 1, variantId: variantId.toUpperCase() }));
      const cart = await cartOf(await setItem(shopper, cap.id, { quantity: 2, variantId }));
      assert.deepEqual(
        cart.items.map((i) => [i.productId, i.variantId, i.quantity]),
        [[cap.id, variantId, 2]],
      );
      await cartOf(await shopper.request('DELETE', `/api/cart/items/${cap.id.toUpperCase()}`));
      assert.deepEqual((await viewCart(shopper)).items, []);
    });

    test('more than is in stock cannot be put in the cart (409 naming the quantity)', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Few Left', stock: 2 });
      const problem = await problemOf(await setItem(shopper, product.id, { quantity: 3 }), 409);
      assert.equal(problem.code, 'INSUFFICIENT_STOCK');
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.quantity'],
      );
      assert.match(problem.detail!, /Few Left/);
      assert.deepEqual((await viewCart(shopper)).items, []);
    });

    test('DELETE /api/cart/items/:productId removes that line only; a product not in the cart is a 404', async () => {
      const shopper = await dema.newCustomer();
      const keep = await dema.createProduct({ name: 'Kept Line', stock: 5 });
      const drop = await dema.createProduct({ name: 'Dropped Line', stock: 5 });
      await setItem(shopper, keep.id, { quantity: 1 });
      await setItem(shopper, drop.id, { quantity: 2 });
      const cart = await cartOf(await shopper.request('DELETE', `/api/cart/items/${drop.id}`));
      assert.deepEqual(
        cart.items.map((i) => i.productId),
        [keep.id],
      );
      assert.deepEqual(
        (await viewCart(shopper)).items.map((i) => i.productId),
        [keep.id],
      );
      const problem = await problemOf(await shopper.request('DELETE', `/api/cart/items/${drop.id}`), 404);
      assert.equal(problem.code, 'NOT_FOUND');
    });

    test('DELETE /api/cart empties the cart (204)', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Emptied', stock: 5 });
      await setItem(shopper, product.id, { quantity: 1 });
      const response = await shopper.request('DELETE', '/api/cart');
      assert.equal(response.status, 204);
      assert.equal(await response.text(), '');
      assert.deepEqual((await viewCart(shopper)).items, []);
    });

    test('each customer has their own cart', async () => {
      const [alice, bob] = [await dema.newCustomer(), await dema.newCustomer()];
      const product = await dema.createProduct({ name: 'Private Cart', stock: 5 });
      await setItem(alice, product.id, { quantity: 2 });
      assert.deepEqual((await viewCart(bob)).items, []);
      await bob.request('DELETE', '/api/cart');
      assert.deepEqual(
        (await viewCart(alice)).items.map((i) => i.quantity),
        [2],
      );
    });

    test('POST /api/orders {fromCart: true} orders the cart’s lines and empties it', async () => {
      const shopper = await dema.newCustomer();
      const a = await dema.createProduct({ name: 'Checkout A', price: 3.3, stock: 10 });
      const b = await dema.createProduct({ name: 'Checkout B', price: 7, stock: 10 });
      await setItem(shopper, a.id, { quantity: 3 });
      await setItem(shopper, b.id, { quantity: 1 });
      const order = await orderOf(await checkOut(shopper));
      assert.equal(order.status, 'PENDING');
      assert.equal(order.userId, shopper.id);
      assert.deepEqual(
        order.items.map((i) => [i.productId, i.quantity, i.price]).sort(),
        [
          [a.id, 3, 3.3],
          [b.id, 1, 7],
        ].sort(),
      );
      assert.equal(order.total, 16.9);
      assert.deepEqual((await viewCart(shopper)).items, []);
      assert.equal((await dema.product(a.id)).stock, 7);
      assert.equal((await dema.product(b.id)).stock, 9);
    });

    test('checking out uses the price at checkout: a price change after adding shows in the cart and in the order', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Repriced Lamp', price: 40, stock: 5 });
      await setItem(shopper, product.id, { quantity: 2 });
      assert.equal((await dema.admin.request('PUT', `/api/products/${product.id}`, { price: 44.45 })).status, 200);
      const cart = await viewCart(shopper);
      assert.deepEqual([cart.items[0]!.price, cart.subtotal], [44.45, 88.9]);
      const order = await orderOf(await checkOut(shopper));
      assert.deepEqual(
        order.items.map((i) => [i.price, i.lineTotal]),
        [[44.45, 88.9]],
      );
      assert.equal(order.total, 88.9);
    });

    test('stock that fell below the cart’s quantity refuses the checkout (409 naming the product) and keeps the cart', async () => {
      const shopper = await dema.newCustomer();
      const plenty = await dema.createProduct({ name: 'Plenty Cups', stock: 10 });
      const scarce = await dema.createProduct({ name: 'Scarce Saucer', stock: 4 });
      await setItem(shopper, plenty.id, { quantity: 2 });
      await setItem(shopper, scarce.id, { quantity: 3 });
      const adjusted = await dema.admin.request('POST', `/api/products/${scarce.id}/stock-adjustments`, { delta: -2 });
      assert.equal(adjusted.status, 200);
      const before = await viewCart(shopper);
      assert.deepEqual(
        before.problems.map((p) => p.productId),
        [scarce.id],
        'the cart already shows the problem',
      );
      const ordersBefore = await dema.count('order', 'SELECT 1 FROM orders');

      const problem = await problemOf(await checkOut(shopper), 409);
      assert.equal(problem.code, 'INSUFFICIENT_STOCK');
      assert.match(problem.detail!, /Scarce Saucer/);
      assert.ok(problem.detail!.includes(scarce.id));
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        [`cart.${scarce.id}.quantity`],
      );

      assert.deepEqual(
        (await viewCart(shopper)).items.map((i) => [i.productId, i.quantity]).sort(),
        [
          [plenty.id, 2],
          [scarce.id, 3],
        ].sort(),
      );
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders'), ordersBefore);
      assert.equal((await dema.product(plenty.id)).stock, 10);
      assert.equal((await dema.product(scarce.id)).stock, 2);
    });

    test('a cart line of a product deleted since is listed as a problem, and checking it out is refused', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Soon Gone', stock: 5 });
      await setItem(shopper, product.id, { quantity: 1 });
      assert.equal((await dema.admin.request('DELETE', `/api/products/${product.id}`)).status, 204);
      const cart = await viewCart(shopper);
      assert.deepEqual(cart.items, []);
      assert.deepEqual(
        cart.problems.map((p) => [p.productId, p.reason]),
        [[product.id, 'is no longer sold']],
      );
      const problem = await problemOf(await checkOut(shopper), 422);
      assert.equal(problem.code, 'PRODUCT_NOT_FOUND');
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        [`cart.${product.id}.productId`],
      );
    });

    test('anonymous callers have no cart (401 on every cart route)', async () => {
      const product = await dema.createProduct({ name: 'Anonymous Cart', stock: 5 });
      const calls: Array<[string, string, unknown?]> = [
        ['GET', '/api/cart'],
        ['PUT', `/api/cart/items/${product.id}`, { quantity: 1 }],
        ['DELETE', `/api/cart/items/${product.id}`],
        ['DELETE', '/api/cart'],
      ];
      for (const [method, url, body] of calls) {
        const problem = await problemOf(await dema.anonymous(method, url, body), 401);
        assert.equal(problem.code, 'UNAUTHENTICATED', `${method} ${url}`);
      }
    });
  });

  describe(`checkout and a cart changed meanwhile (${target.name})`, () => {
    let dema: OrderTestProcess;
    before(async () => {
      dema = await startOrderService(target);
    });
    after(() => dema.dispose());

    test('checking out removes the ordered lines as they were; a line changed or added meanwhile stays', async () => {
      const store = new CartStore(dema.infra.redis, 3600);
      const userId = crypto.randomUUID();
      const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      await store.put(userId, { productId: a, variantId: null, quantity: 1 });
      await store.put(userId, { productId: b, variantId: null, quantity: 2 });
      const ordered = (await store.read(userId)).lines;
      // Another tab, while the order is placed: b's quantity changes and c is added.
      await store.put(userId, { productId: b, variantId: null, quantity: 5 });
      await store.put(userId, { productId: c, variantId: null, quantity: 1 });
      await store.removeOrdered(userId, ordered);
      const left = (await store.read(userId)).lines.sort((x, y) => x.quantity - y.quantity);
      assert.deepEqual(left, [
        { productId: c, variantId: null, quantity: 1 },
        { productId: b, variantId: null, quantity: 5 },
      ]);
    });
  });

  describe(`cart expiry (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target, { cartTtlSeconds: 1 });
    });
    after(() => dema.dispose());

    test('a cart not touched for its ttl (1 s here) is gone', async () => {
      const product = await dema.createProduct({ name: 'Short Lived', stock: 5 });
      const cart = await cartOf(await dema.customer.request('PUT', `/api/cart/items/${product.id}`, { quantity: 1 }));
      const lifetime = Date.parse(cart.expiresAt!) - Date.now();
      assert.ok(lifetime > 0 && lifetime <= 1_000, `expires in ${lifetime} ms`);
      if (dema.infra.redis) {
        // On the real target the expiry is Redis's own TTL on the cart key.
        const ttl = await dema.infra.redis.client.pttl(`cart:${dema.customer.id}`);
        assert.ok(ttl > 0 && ttl <= 1_000, `Redis PTTL ${ttl}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.deepEqual(await cartOf(await dema.customer.request('GET', '/api/cart')), { items: [], subtotal: 0, problems: [], expiresAt: null });
      if (dema.infra.redis) assert.equal(await dema.infra.redis.client.exists(`cart:${dema.customer.id}`), 0);
      const problem = await problemOf(await dema.customer.request('POST', '/api/orders', { fromCart: true }), 422);
      assert.equal(problem.code, 'CART_EMPTY');
    });
  });
}

describe('cart store losing Redis mid-command (real Redis)', { skip: testRedis() ? false : 'TEST_REDIS_HOST not set' }, () => {
  test('a command in flight when the connection drops is a 503 problem with Retry-After, not a 500', async () => {
    const proxy = await TcpProxy.start(testRedis()!);
    const redis = new HealingRedis(
      { host: '127.0.0.1', port: proxy.port, password: undefined, keyPrefix: `dema-test-cart-${Date.now()}:` },
      {},
      createLogger('silent'),
      'cart-test',
    );
    try {
      await redis.connect();
      assert.equal(redis.isReady, true);
      const store = new CartStore(redis, 3600);
      const writing = store.put('someone', { productId: 'p1', variantId: null, quantity: 1 });
      const reading = store.read('someone');
      proxy.cut();
      for (const pending of [writing, reading]) {
        await assert.rejects(
          pending,
          (error: { status?: number; headers?: Record<string, string> }) => error.status === 503 && error.headers?.['retry-after'] === '5',
        );
      }
    } finally {
      await redis.close();
      await proxy.close();
    }
  });
});
