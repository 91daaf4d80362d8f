import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Order, OrderCreatedEvent, OrderPage, OrderStatus, OrderStatusChangedEvent, StockUpdatedEvent } from '@dema/contracts';
import { testTargets, waitFor } from '@dema/platform/testing';
import { orderOf, problemOf, startOrderService, type OrderTestProcess, type TestUser } from './helpers.ts';

/** The admin moves that bring a new (PENDING) order into each status. */
const pathTo: Record<OrderStatus, OrderStatus[]> = {
  PENDING: [],
  CONFIRMED: ['CONFIRMED'],
  SHIPPED: ['CONFIRMED', 'SHIPPED'],
  DELIVERED: ['CONFIRMED', 'SHIPPED', 'DELIVERED'],
  CANCELLED: ['CANCELLED'],
  RETURNED: ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'RETURNED'],
};

for (const target of testTargets()) {
  const tag = target.name.replace('+', '-');
  let consumers = 0;

  describe(`orders (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target);
    });
    after(() => dema.dispose());

    const setStatus = (user: TestUser, orderId: string, status: OrderStatus) => user.request('PUT', `/api/orders/${orderId}/status`, { status });
    const record = (bindings: string[]) => dema.recordEvents(`test-orders-${tag}-${++consumers}`, bindings);
    const statusOf = async (orderId: string) => (await orderOf(await dema.admin.request('GET', `/api/orders/${orderId}`))).status;

    /** A fresh order of `user` (one unit of a new product), moved by the admin into `status`. */
    async function orderIn(status: OrderStatus, user = dema.customer): Promise<Order> {
      const product = await dema.createProduct({ name: `Lifecycle ${status}`, stock: 10 });
      let order = await orderOf(await dema.placeOrder(user, [{ productId: product.id, quantity: 1 }]));
      for (const next of pathTo[status]) order = await orderOf(await setStatus(dema.admin, order.id, next));
      assert.equal(order.status, status);
      // The order as it is read; the placement's `payment` summary is POST's answer only.
      const { payment: _placedOnly, ...recorded } = order as Order & { payment?: unknown };
      return recorded;
    }

    describe('placing and reading', () => {
      test('POST /api/orders answers 201 with the PENDING order, its Location, and items priced and named by the catalog', async () => {
        const kettle = await dema.createProduct({ name: 'Copper Kettle', price: 34.5, stock: 8 });
        const response = await dema.placeOrder(dema.customer, [{ productId: kettle.id, quantity: 2 }]);
        assert.equal(response.status, 201);
        const order = (await response.json()) as Order;
        assert.equal(response.headers.get('location'), `/api/orders/${order.id}`);
        assert.equal(order.status, 'PENDING');
        assert.equal(order.userId, dema.customer.id);
        assert.deepEqual(order.items, [
          { productId: kettle.id, variantId: null, name: 'Copper Kettle', quantity: 2, price: 34.5, lineTotal: 69, discount: 0, tax: 0 },
        ]);
        assert.equal(order.total, 69);
        // A store without shipping zones, tax rates or a code: the order is its items and nothing more.
        assert.deepEqual(
          {
            subtotal: order.subtotal,
            discountTotal: order.discountTotal,
            shippingTotal: order.shippingTotal,
            taxTotal: order.taxTotal,
            taxLines: order.taxLines,
            shippingAddress: order.shippingAddress,
            billingAddress: order.billingAddress,
            shippingMethod: order.shippingMethod,
            promotionCode: order.promotionCode,
            currency: order.currency,
          },
          {
            subtotal: 69,
            discountTotal: 0,
            shippingTotal: 0,
            taxTotal: 0,
            taxLines: [],
            shippingAddress: null,
            billingAddress: null,
            shippingMethod: null,
            promotionCode: null,
            currency: 'USD',
          },
        );
        assert.ok(!Number.isNaN(Date.parse(order.createdAt)));
        assert.equal((await dema.product(kettle.id)).stock, 6);
      });

      test('GET /api/orders/:id returns the order exactly as it was placed', async () => {
        const product = await dema.createProduct({ name: 'Reading Lamp', price: 12.25, stock: 3 });
        const placed = await orderOf(await dema.placeOrder(dema.customer, [{ productId: product.id, quantity: 3 }]));
        const read = await orderOf(await dema.customer.request('GET', `/api/orders/${placed.id}`));
        // The payment summary is in the POST answer only; paymentStatus and paymentProvider are recorded.
        const { payment: _placedOnly, ...recorded } = placed;
        assert.deepEqual(read, recorded);
      });

      test('the total is the exact decimal sum: 3 × 19.99 + 0.10 = 60.07, stored as DECIMAL 60.07', async () => {
        const shirt = await dema.createProduct({ name: 'Exact Shirt', price: 19.99, stock: 10 });
        const sticker = await dema.createProduct({ name: 'Exact Sticker', price: 0.1, stock: 10 });
        const order = await orderOf(
          await dema.placeOrder(dema.customer, [
            { productId: shirt.id, quantity: 3 },
            { productId: sticker.id, quantity: 1 },
          ]),
        );
        assert.equal(order.total, 60.07);
        assert.deepEqual(
          order.items.map((i) => [i.price, i.lineTotal]),
          [
            [19.99, 59.97],
            [0.1, 0.1],
          ],
        );
        const [row] = await dema.query<{ total: string }>('order', 'SELECT total::text AS total FROM orders WHERE id = $1', [order.id]);
        assert.equal(row!.total, '60.07');
      });

      test('an item of a variant is priced at the variant price and named after it', async () => {
        const tee = await dema.createProduct({
          name: 'Variant Tee',
          price: 20,
          variants: [
            { name: 'S', stock: 4, options: { size: 'S' } },
            { name: 'XL', stock: 4, price: 23.5, options: { size: 'XL' } },
          ],
        });
        const [small, large] = [tee.variants.find((v) => v.name === 'S')!, tee.variants.find((v) => v.name === 'XL')!];
        const order = await orderOf(
          await dema.placeOrder(dema.customer, [
            { productId: tee.id, variantId: large.id, quantity: 2 },
            { productId: tee.id, variantId: small.id, quantity: 1 },
          ]),
        );
        const byVariant = new Map(order.items.map((i) => [i.variantId, i]));
        assert.deepEqual(
          { ...byVariant.get(large.id) },
          { productId: tee.id, variantId: large.id, name: 'Variant Tee (XL)', quantity: 2, price: 23.5, lineTotal: 47, discount: 0, tax: 0 },
        );
        assert.deepEqual(
          { ...byVariant.get(small.id) },
          { productId: tee.id, variantId: small.id, name: 'Variant Tee (S)', quantity: 1, price: 20, lineTotal: 20, discount: 0, tax: 0 },
        );
        assert.equal(order.total, 67);
      });

      test('a price sent by the client is refused (400 naming body.items.0.price) and nothing is written', async () => {
        const product = await dema.createProduct({ name: 'Tempting Discount', price: 100, stock: 5 });
        const ordersBefore = await dema.count('order', 'SELECT 1 FROM orders');
        const response = await dema.customer.request('POST', '/api/orders', { items: [{ productId: product.id, quantity: 1, price: 0.01 }] });
        const problem = await problemOf(response, 400);
        assert.equal(problem.code, 'VALIDATION_FAILED');
        assert.deepEqual(
          problem.invalidParams?.map((p) => p.name),
          ['body.items.0.price'],
        );
        assert.equal(await dema.count('order', 'SELECT 1 FROM orders'), ordersBefore);
        assert.equal((await dema.product(product.id)).stock, 5);
      });

      test('each item keeps a snapshot: renaming the product and changing its price later leave the order as it was', async () => {
        const product = await dema.createProduct({ name: 'Snapshot Vase', price: 45.9, stock: 5 });
        const placed = await orderOf(await dema.placeOrder(dema.customer, [{ productId: product.id, quantity: 2 }]));
        const update = await dema.admin.request('PUT', `/api/products/${product.id}`, { name: 'Renamed Vase', price: 99.99 });
        assert.equal(update.status, 200);
        assert.equal((await dema.product(product.id)).name, 'Renamed Vase');
        const read = await orderOf(await dema.customer.request('GET', `/api/orders/${placed.id}`));
        assert.deepEqual(read.items, [
          { productId: product.id, variantId: null, name: 'Snapshot Vase', quantity: 2, price: 45.9, lineTotal: 91.8, discount: 0, tax: 0 },
        ]);
        assert.equal(read.total, 91.8);
      });

      test('a product named on two lines is checked against its stock for their sum', async () => {
        const product = await dema.createProduct({ name: 'Twice Listed', price: 2.5, stock: 3 });
        const refused = await problemOf(
          await dema.placeOrder(dema.customer, [
            { productId: product.id, quantity: 2 },
            { productId: product.id, quantity: 2 },
          ]),
          409,
        );
        assert.equal(refused.code, 'INSUFFICIENT_STOCK');
        assert.equal((await dema.product(product.id)).stock, 3);
        const order = await orderOf(
          await dema.placeOrder(dema.customer, [
            { productId: product.id, quantity: 1 },
            { productId: product.id, quantity: 2 },
          ]),
        );
        assert.equal(
          order.items.reduce((sum, i) => sum + i.quantity, 0),
          3,
        );
        assert.equal(order.total, 7.5);
        assert.equal((await dema.product(product.id)).stock, 0);
      });

      test('ids in capital letters name the same product, variant and user', async () => {
        const shopper = await dema.newCustomer();
        const tee = await dema.createProduct({ name: 'Capital Tee', price: 9, variants: [{ name: 'S', stock: 3, options: { size: 'S' } }] });
        const variant = tee.variants[0]!;
        const order = await orderOf(await dema.placeOrder(shopper, [{ productId: tee.id.toUpperCase(), variantId: variant.id.toUpperCase(), quantity: 2 }]));
        assert.deepEqual(
          order.items.map((i) => [i.productId, i.variantId, i.quantity]),
          [[tee.id, variant.id, 2]],
        );
        assert.equal((await dema.product(tee.id)).variants[0]!.stock, 1);
        const own = await shopper.request('GET', `/api/orders/user/${shopper.id.toUpperCase()}`);
        assert.equal(own.status, 200);
        assert.deepEqual(
          ((await own.json()) as OrderPage).items.map((o) => o.id),
          [order.id],
        );
        assert.equal((await shopper.request('GET', `/api/orders/${order.id.toUpperCase()}`)).status, 200);
      });

      test("ORDER_CREATED fires once per order with the seed's payload unchanged, and the breakdown beside it", async () => {
        const events = await record(['order.created']);
        const a = await dema.createProduct({ name: 'Event A', price: 19.99, stock: 5 });
        const b = await dema.createProduct({ name: 'Event B', price: 0.1, stock: 5 });
        const order = await orderOf(
          await dema.placeOrder(dema.customer, [
            { productId: a.id, quantity: 3 },
            { productId: b.id, quantity: 1 },
          ]),
        );
        const ofOrder = () => events.filter((e) => (e as OrderCreatedEvent).payload.orderId === order.id) as OrderCreatedEvent[];
        await waitFor('ORDER_CREATED', () => ofOrder().length >= 1);
        await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would arrive by now
        assert.equal(ofOrder().length, 1);
        const [event] = ofOrder();
        assert.equal(event!.type, 'ORDER_CREATED');
        assert.deepEqual(Object.keys(event!.payload).sort(), [
          'currency',
          'discountTotal',
          'items',
          'orderId',
          'pricesIncludeTax',
          'shippingTotal',
          'subtotal',
          'taxTotal',
          'timestamp',
          'total',
          'userId',
        ]);
        const { orderId, userId, items, total, timestamp, ...breakdown } = event!.payload;
        assert.deepEqual(
          { orderId, userId, items: [...items].sort((x, y) => x.price - y.price), total, timestamp },
          {
            orderId: order.id,
            userId: dema.customer.id,
            items: [
              { productId: b.id, quantity: 1, price: 0.1 },
              { productId: a.id, quantity: 3, price: 19.99 },
            ],
            total: 60.07,
            timestamp: order.createdAt,
          },
        );
        assert.deepEqual(breakdown, { subtotal: 60.07, discountTotal: 0, shippingTotal: 0, taxTotal: 0, pricesIncludeTax: false, currency: 'USD' });
      });

      test('an order reserves its stock with one STOCK_UPDATED of reason ORDER per product', async () => {
        const events = await record(['system.stock.updated']);
        const product = await dema.createProduct({ name: 'Reserved Chair', stock: 5 });
        await orderOf(await dema.placeOrder(dema.customer, [{ productId: product.id, quantity: 2 }]));
        const ofProduct = () => events.map((e) => (e as StockUpdatedEvent).payload).filter((p) => p.productId === product.id && p.reason !== 'MANUAL');
        await waitFor('the reservation event', () => ofProduct().length >= 1);
        assert.deepEqual(
          ofProduct().map(({ oldStock, newStock, reason }) => ({ oldStock, newStock, reason })),
          [{ oldStock: 5, newStock: 3, reason: 'ORDER' }],
        );
      });

      test('the orders table keeps the seed columns and types first, then the checkout breakdown; the items live in order_items', async () => {
        const columns = await dema.query<{
          column_name: string;
          data_type: string;
          is_nullable: string;
          precision: number | null;
          scale: number | null;
          length: number | null;
          default: string | null;
        }>(
          'order',
          `SELECT column_name, data_type, is_nullable, numeric_precision AS precision, numeric_scale AS scale,
                  character_maximum_length AS length, column_default AS default
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'orders' ORDER BY ordinal_position`,
        );
        assert.deepEqual(
          columns.map((c) => [c.column_name, c.data_type, c.is_nullable]),
          [
            ['id', 'uuid', 'NO'],
            ['user_id', 'uuid', 'YES'],
            ['status', 'character varying', 'NO'],
            ['total', 'numeric', 'NO'],
            ['created_at', 'timestamp without time zone', 'YES'],
            ['updated_at', 'timestamp without time zone', 'YES'],
            ['subtotal', 'numeric', 'YES'],
            ['discount_total', 'numeric', 'NO'],
            ['shipping_total', 'numeric', 'NO'],
            ['tax_total', 'numeric', 'NO'],
            ['prices_include_tax', 'boolean', 'NO'],
            ['currency', 'character', 'NO'],
            ['shipping_address', 'jsonb', 'YES'],
            ['billing_address', 'jsonb', 'YES'],
            ['shipping_method', 'jsonb', 'YES'],
            ['promotion', 'jsonb', 'YES'],
            ['payment_status', 'character varying', 'YES'],
            ['payment_provider', 'character varying', 'YES'],
          ],
        );
        const byName = new Map(columns.map((c) => [c.column_name, c]));
        assert.equal(byName.get('status')!.length, 50);
        assert.deepEqual([byName.get('total')!.precision, byName.get('total')!.scale], [10, 2]);
        assert.match(byName.get('created_at')!.default ?? '', /CURRENT_TIMESTAMP/i);
        assert.match(byName.get('updated_at')!.default ?? '', /CURRENT_TIMESTAMP/i);
        const [key] = await dema.query<{ column_name: string }>(
          'order',
          `SELECT k.column_name FROM information_schema.table_constraints c
             JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
            WHERE c.table_schema = current_schema() AND c.table_name = 'orders' AND c.constraint_type = 'PRIMARY KEY'`,
        );
        assert.equal(key!.column_name, 'id');

        const a = await dema.createProduct({ name: 'Items Table A', stock: 5 });
        const b = await dema.createProduct({ name: 'Items Table B', stock: 5 });
        const order = await orderOf(
          await dema.placeOrder(dema.customer, [
            { productId: a.id, quantity: 1 },
            { productId: b.id, quantity: 2 },
          ]),
        );
        const items = await dema.query<{ product_id: string; quantity: number; name: string }>(
          'order',
          'SELECT product_id, quantity, name FROM order_items WHERE order_id = $1 ORDER BY position',
          [order.id],
        );
        assert.deepEqual(
          items.map((i) => [i.product_id, i.quantity, i.name]),
          [
            [a.id, 1, 'Items Table A'],
            [b.id, 2, 'Items Table B'],
          ],
        );
      });
    });

    describe('status lifecycle', () => {
      test('an admin moves an order PENDING → CONFIRMED → SHIPPED → DELIVERED, one ORDER_STATUS_CHANGED per change', async () => {
        const events = await record(['order.status.changed']);
        const order = await orderIn('PENDING');
        const seen: OrderStatus[] = [];
        for (const status of ['CONFIRMED', 'SHIPPED', 'DELIVERED'] as const) {
          const moved = await orderOf(await setStatus(dema.admin, order.id, status));
          assert.equal(moved.status, status);
          assert.deepEqual(moved.items, order.items);
          assert.ok(Date.parse(moved.updatedAt) >= Date.parse(order.updatedAt));
          seen.push(status);
          assert.equal(await statusOf(order.id), status);
        }
        const ofOrder = () => events.map((e) => (e as OrderStatusChangedEvent).payload).filter((p) => p.orderId === order.id);
        await waitFor('three ORDER_STATUS_CHANGED events', () => ofOrder().length >= 3);
        await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would arrive by now
        assert.deepEqual(
          ofOrder()
            .map((p) => `${p.oldStatus}→${p.newStatus}`)
            .sort(),
          ['CONFIRMED→SHIPPED', 'PENDING→CONFIRMED', 'SHIPPED→DELIVERED'],
        );
        assert.ok(ofOrder().every((p) => p.userId === dema.customer.id));
        assert.equal(new Set(events.filter((e) => (e as OrderStatusChangedEvent).payload.orderId === order.id).map((e) => e.id)).size, 3);
      });

      const illegal: Array<[OrderStatus, OrderStatus]> = [
        ['PENDING', 'SHIPPED'],
        ['PENDING', 'DELIVERED'],
        ['PENDING', 'RETURNED'],
        ['PENDING', 'PENDING'],
        ['CONFIRMED', 'DELIVERED'],
        ['CONFIRMED', 'PENDING'],
        ['SHIPPED', 'CANCELLED'],
        ['SHIPPED', 'CONFIRMED'],
        ['DELIVERED', 'CANCELLED'],
        ['DELIVERED', 'SHIPPED'],
        ['CANCELLED', 'CONFIRMED'],
        ['CANCELLED', 'CANCELLED'],
        ['RETURNED', 'SHIPPED'],
        ['RETURNED', 'DELIVERED'],
      ];
      test(`an illegal transition is a 409 problem+json ORDER_INVALID_TRANSITION and leaves the status as it was (${illegal.length} moves)`, async () => {
        for (const [from, to] of illegal) {
          const order = await orderIn(from);
          const problem = await problemOf(await setStatus(dema.admin, order.id, to), 409);
          assert.equal(problem.code, 'ORDER_INVALID_TRANSITION', `${from} → ${to}`);
          assert.deepEqual(
            problem.invalidParams?.map((p) => p.name),
            ['body.status'],
          );
          assert.match(problem.detail!, new RegExp(`${from}.*${to}`));
          assert.equal(await statusOf(order.id), from, `${from} → ${to} left the status alone`);
        }
      });

      test('a customer may cancel their own PENDING order, and the stock comes back exactly (STOCK_UPDATED reason RETURN)', async () => {
        const events = await record(['system.stock.updated']);
        const product = await dema.createProduct({ name: 'Cancelled Clock', stock: 7 });
        const order = await orderOf(await dema.placeOrder(dema.customer, [{ productId: product.id, quantity: 3 }]));
        assert.equal((await dema.product(product.id)).stock, 4);
        const cancelled = await orderOf(await setStatus(dema.customer, order.id, 'CANCELLED'));
        assert.equal(cancelled.status, 'CANCELLED');
        assert.equal((await dema.product(product.id)).stock, 7);
        const returns = () => events.map((e) => (e as StockUpdatedEvent).payload).filter((p) => p.productId === product.id && p.reason === 'RETURN');
        await waitFor('the RETURN event', () => returns().length >= 1);
        assert.deepEqual(
          returns().map(({ oldStock, newStock }) => ({ oldStock, newStock })),
          [{ oldStock: 4, newStock: 7 }],
        );
      });

      test('a customer may cancel their own CONFIRMED order', async () => {
        const order = await orderIn('CONFIRMED');
        const product = order.items[0]!.productId;
        assert.equal((await dema.product(product)).stock, 9);
        assert.equal((await orderOf(await setStatus(dema.customer, order.id, 'CANCELLED'))).status, 'CANCELLED');
        assert.equal((await dema.product(product)).stock, 10);
      });

      test('a customer cancelling after the order shipped gets 409 and the order stays as it is', async () => {
        for (const status of ['SHIPPED', 'DELIVERED'] as const) {
          const order = await orderIn(status);
          const problem = await problemOf(await setStatus(dema.customer, order.id, 'CANCELLED'), 409);
          assert.equal(problem.code, 'ORDER_INVALID_TRANSITION');
          assert.equal(await statusOf(order.id), status);
          assert.equal((await dema.product(order.items[0]!.productId)).stock, 9, 'no stock came back');
        }
      });

      test('a customer cannot confirm, ship, deliver or return their own order (403, unchanged)', async () => {
        const moves: Array<[OrderStatus, OrderStatus]> = [
          ['PENDING', 'CONFIRMED'],
          ['CONFIRMED', 'SHIPPED'],
          ['SHIPPED', 'DELIVERED'],
          ['DELIVERED', 'RETURNED'],
        ];
        for (const [from, to] of moves) {
          const order = await orderIn(from);
          const problem = await problemOf(await setStatus(dema.customer, order.id, to), 403);
          assert.equal(problem.code, 'FORBIDDEN', `${from} → ${to}`);
          assert.equal(await statusOf(order.id), from);
        }
      });

      test('cancelling twice puts the stock back once: the second is a 409 and one RETURN event is all there is', async () => {
        const events = await record(['system.stock.updated', 'order.status.changed']);
        const product = await dema.createProduct({ name: 'Twice Cancelled Lamp', stock: 6 });
        const order = await orderOf(await dema.placeOrder(dema.customer, [{ productId: product.id, quantity: 4 }]));
        assert.equal((await orderOf(await setStatus(dema.admin, order.id, 'CANCELLED'))).status, 'CANCELLED');
        const again = await problemOf(await setStatus(dema.admin, order.id, 'CANCELLED'), 409);
        assert.equal(again.code, 'ORDER_INVALID_TRANSITION');
        const byCustomer = await problemOf(await setStatus(dema.customer, order.id, 'CANCELLED'), 409);
        assert.equal(byCustomer.code, 'ORDER_INVALID_TRANSITION');
        // The Product service also releases on ORDER_STATUS_CHANGED: let that consumer run too.
        await waitFor('the cancellation event', () =>
          events.some((e) => e.type === 'ORDER_STATUS_CHANGED' && (e as OrderStatusChangedEvent).payload.orderId === order.id),
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal((await dema.product(product.id)).stock, 6);
        const returns = events.filter(
          (e) =>
            e.type === 'STOCK_UPDATED' && (e as StockUpdatedEvent).payload.productId === product.id && (e as StockUpdatedEvent).payload.reason === 'RETURN',
        );
        assert.equal(returns.length, 1);
        assert.equal(events.filter((e) => e.type === 'ORDER_STATUS_CHANGED' && (e as OrderStatusChangedEvent).payload.orderId === order.id).length, 1);
      });

      test('ten simultaneous cancellations of one order: one succeeds, the rest are 409, the stock comes back once', async () => {
        const events = await record(['order.status.changed']);
        const product = await dema.createProduct({ name: 'Raced Cancel', stock: 8 });
        const order = await orderOf(await dema.placeOrder(dema.customer, [{ productId: product.id, quantity: 5 }]));
        const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => setStatus(i % 2 === 0 ? dema.customer : dema.admin, order.id, 'CANCELLED')));
        assert.deepEqual(responses.map((r) => r.status).sort(), [200, ...Array(9).fill(409)]);
        await Promise.all(responses.map((r) => r.arrayBuffer()));
        await waitFor('the cancellation event', () => events.some((e) => (e as OrderStatusChangedEvent).payload.orderId === order.id));
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal((await dema.product(product.id)).stock, 8);
        assert.equal(events.filter((e) => (e as OrderStatusChangedEvent).payload.orderId === order.id).length, 1);
      });

      test('returning a delivered order puts its stock back (reason RETURN), once', async () => {
        const events = await record(['system.stock.updated']);
        const order = await orderIn('DELIVERED');
        const product = order.items[0]!.productId;
        assert.equal((await dema.product(product)).stock, 9);
        assert.equal((await orderOf(await setStatus(dema.admin, order.id, 'RETURNED'))).status, 'RETURNED');
        assert.equal((await dema.product(product)).stock, 10);
        const returns = () => events.map((e) => (e as StockUpdatedEvent).payload).filter((p) => p.productId === product && p.reason === 'RETURN');
        await waitFor('the RETURN event', () => returns().length >= 1);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(
          returns().map(({ oldStock, newStock }) => [oldStock, newStock]),
          [[9, 10]],
        );
      });

      test('a shipped order can be returned straight away, restocking it', async () => {
        const order = await orderIn('SHIPPED');
        assert.equal((await orderOf(await setStatus(dema.admin, order.id, 'RETURNED'))).status, 'RETURNED');
        assert.equal((await dema.product(order.items[0]!.productId)).stock, 10);
      });

      test('confirming, shipping and delivering do not touch the stock', async () => {
        const order = await orderIn('DELIVERED');
        assert.equal((await dema.product(order.items[0]!.productId)).stock, 9);
      });
    });

    describe('who sees which orders', () => {
      test("another customer's order is a 404, to read and to change, and it stays unchanged", async () => {
        const order = await orderIn('PENDING');
        const stranger = await dema.newCustomer();
        const read = await problemOf(await stranger.request('GET', `/api/orders/${order.id}`), 404);
        assert.equal(read.code, 'ORDER_NOT_FOUND');
        const cancel = await problemOf(await setStatus(stranger, order.id, 'CANCELLED'), 404);
        assert.equal(cancel.code, 'ORDER_NOT_FOUND');
        assert.equal(await statusOf(order.id), 'PENDING');
        assert.equal((await dema.product(order.items[0]!.productId)).stock, 9);
      });

      test('an order that does not exist is a 404 for an admin too', async () => {
        const problem = await problemOf(await dema.admin.request('GET', `/api/orders/${crypto.randomUUID()}`), 404);
        assert.equal(problem.code, 'ORDER_NOT_FOUND');
      });

      test("an admin reads any customer's order", async () => {
        const order = await orderIn('PENDING');
        assert.deepEqual(await orderOf(await dema.admin.request('GET', `/api/orders/${order.id}`)), order);
      });

      test('GET /api/orders/user/:userId lists a customer their own orders, newest first', async () => {
        const shopper = await dema.newCustomer();
        const first = await orderIn('PENDING', shopper);
        const second = await orderIn('CONFIRMED', shopper);
        const page = (await (await shopper.request('GET', `/api/orders/user/${shopper.id}`)).json()) as OrderPage;
        assert.equal(page.total, 2);
        assert.deepEqual(
          page.items.map((o) => o.id),
          [second.id, first.id],
        );
        assert.deepEqual(page.items[1], first);
      });

      test('GET /api/orders/user/:otherId is a 403 for a customer, and allowed to an admin', async () => {
        const shopper = await dema.newCustomer();
        const order = await orderIn('PENDING', shopper);
        const problem = await problemOf(await dema.customer.request('GET', `/api/orders/user/${shopper.id}`), 403);
        assert.equal(problem.code, 'FORBIDDEN');
        const response = await dema.admin.request('GET', `/api/orders/user/${shopper.id}`);
        assert.equal(response.status, 200);
        const page = (await response.json()) as OrderPage;
        assert.deepEqual(
          page.items.map((o) => o.id),
          [order.id],
        );
      });

      test('GET /api/orders lists a customer only their own orders and an admin everyone’s', async () => {
        const [alice, bob] = [await dema.newCustomer(), await dema.newCustomer()];
        const aliceOrders = [await orderIn('PENDING', alice), await orderIn('PENDING', alice)];
        const bobOrder = await orderIn('PENDING', bob);
        const forAlice = (await (await alice.request('GET', '/api/orders')).json()) as OrderPage;
        assert.equal(forAlice.total, 2);
        assert.deepEqual(forAlice.items.map((o) => o.id).sort(), aliceOrders.map((o) => o.id).sort());
        const forAdmin = (await (await dema.admin.request('GET', '/api/orders?limit=100')).json()) as OrderPage;
        assert.equal(forAdmin.total, await dema.count('order', 'SELECT 1 FROM orders'));
        const ids = new Set(forAdmin.items.map((o) => o.id));
        assert.ok([...aliceOrders, bobOrder].every((o) => ids.has(o.id)));
        assert.ok(new Set(forAdmin.items.map((o) => o.userId)).size >= 2);
      });

      test('GET /api/orders filters by status and pages with limit and offset', async () => {
        const shopper = await dema.newCustomer();
        const orders = [await orderIn('PENDING', shopper), await orderIn('CANCELLED', shopper), await orderIn('PENDING', shopper)];
        const cancelled = (await (await shopper.request('GET', '/api/orders?status=CANCELLED')).json()) as OrderPage;
        assert.deepEqual(
          cancelled.items.map((o) => o.id),
          [orders[1]!.id],
        );
        const page = (await (await shopper.request('GET', '/api/orders?limit=1&offset=1')).json()) as OrderPage;
        assert.deepEqual([page.total, page.limit, page.offset, page.items.map((o) => o.id)], [3, 1, 1, [orders[1]!.id]]);
      });

      test('anonymous callers are turned away from every order route (401)', async () => {
        const order = await orderIn('PENDING');
        const calls: Array<[string, string, unknown?]> = [
          ['GET', '/api/orders'],
          ['GET', `/api/orders/${order.id}`],
          ['GET', `/api/orders/user/${dema.customer.id}`],
          ['PUT', `/api/orders/${order.id}/status`, { status: 'CANCELLED' }],
          ['POST', '/api/orders', { items: [{ productId: order.items[0]!.productId, quantity: 1 }] }],
        ];
        for (const [method, url, body] of calls) {
          const problem = await problemOf(await dema.anonymous(method, url, body), 401);
          assert.equal(problem.code, 'UNAUTHENTICATED', `${method} ${url}`);
        }
        assert.equal(await statusOf(order.id), 'PENDING');
      });
    });
  });
}
