import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { StockLine, StockReservations, StockUpdatedEvent } from '@dema/contracts';
import { AppError } from '@dema/platform';
import { testTargets, waitFor } from '@dema/platform/testing';
import { CartStore, Checkout, Orders } from '@dema/order';
import { orderOf, problemOf, startOrderService, type OrderTestProcess } from './helpers.ts';

for (const target of testTargets()) {
  const tag = target.name.replace('+', '-');
  let consumers = 0;

  describe(`order placement saga (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target);
    });
    after(() => dema.dispose());

    const record = () => dema.recordEvents(`test-saga-${tag}-${++consumers}`, ['system.stock.updated']);
    const stockTrail = (events: Array<{ payload: unknown }>, productId: string) =>
      events
        .map((e) => (e as StockUpdatedEvent).payload)
        .filter((p) => p.productId === productId && p.reason !== 'MANUAL')
        .map((p) => `${p.reason} ${p.oldStock}→${p.newStock}`);
    const reservationsOf = (productId: string) =>
      dema.query<{ order_id: string; status: string }>('product', 'SELECT order_id, status FROM stock_reservations WHERE lines @> $1::jsonb', [
        JSON.stringify([{ productId }]),
      ]);

    /** What a placement that crashed after reserving leaves behind: a pending row, `ageSeconds` old, and the reservation. */
    async function crashedPlacement(lines: StockLine[], ageSeconds: number, userId = dema.customer.id): Promise<string> {
      const orderId = randomUUID();
      // Reserve first: the background sweeper must not see the pending row before the stock is taken.
      await dema.catalog.reserveStock(orderId, lines);
      await dema.query('order', `INSERT INTO pending_orders (order_id, user_id, created_at) VALUES ($1, $2, now() - make_interval(secs => $3))`, [
        orderId,
        userId,
        ageSeconds,
      ]);
      return orderId;
    }

    test('a failure after reserving releases the reservation: a total beyond DECIMAL(10,2) is a 422 and the stock is untouched', async () => {
      const events = await record();
      const yacht = await dema.createProduct({ name: 'Costly Yacht', price: 99_999_999, stock: 5 });
      const ordersBefore = await dema.count('order', 'SELECT 1 FROM orders');
      const problem = await problemOf(await dema.placeOrder(dema.customer, [{ productId: yacht.id, quantity: 2 }]), 422);
      assert.equal(problem.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.items'],
      );
      assert.match(problem.detail!, /too large/);

      assert.equal((await dema.product(yacht.id)).stock, 5);
      const reservations = await reservationsOf(yacht.id);
      assert.deepEqual(
        reservations.map((r) => r.status),
        ['RELEASED'],
      );
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders'), ordersBefore);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [reservations[0]!.order_id]), 0);
      // It was reserved, then given back: the trail says so, and nets to zero.
      await waitFor('the reservation and its release', () => stockTrail(events, yacht.id).length >= 2);
      assert.deepEqual(stockTrail(events, yacht.id), ['ORDER 5→3', 'RETURN 3→5']);
    });

    test('the same order within DECIMAL(10,2) goes through', async () => {
      const yacht = await dema.createProduct({ name: 'Affordable Yacht', price: 49_999_999.99, stock: 5 });
      const order = await orderOf(await dema.placeOrder(dema.customer, [{ productId: yacht.id, quantity: 2 }]));
      assert.equal(order.total, 99_999_999.98);
      assert.equal((await dema.product(yacht.id)).stock, 3);
    });

    test('a refused reservation leaves nothing behind: no order, no pending placement, no reservation', async () => {
      const scarce = await dema.createProduct({ name: 'Refused Saga', stock: 1 });
      const pendingBefore = await dema.count('order', 'SELECT 1 FROM pending_orders');
      await problemOf(await dema.placeOrder(dema.customer, [{ productId: scarce.id, quantity: 2 }]), 409);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders'), pendingBefore);
      assert.deepEqual(await reservationsOf(scarce.id), []);
      assert.equal(await dema.count('order', 'SELECT 1 FROM order_items WHERE product_id = $1', [scarce.id]), 0);
    });

    test('a placement that crashed after reserving is compensated by sweepStalePlacements: stock back, a late reserve refused', async () => {
      const events = await record();
      const product = await dema.createProduct({ name: 'Crashed Placement', stock: 10 });
      const orderId = await crashedPlacement([{ productId: product.id, variantId: null, quantity: 4 }], 60);
      assert.equal((await dema.product(product.id)).stock, 6);

      await dema.orders.sweepStalePlacements();
      // The process's own sweeper (every 5 s) may have taken it first; either way the stock comes
      // back, and then the placement leaves the saga log.
      await waitFor(
        'the placement to be compensated',
        async () =>
          (await dema.product(product.id)).stock === 10 && (await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [orderId])) === 0,
      );
      assert.deepEqual(
        (await reservationsOf(product.id)).map((r) => [r.order_id, r.status]),
        [[orderId, 'RELEASED']],
      );
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders WHERE id = $1', [orderId]), 0);
      await waitFor('the RETURN event', () => stockTrail(events, product.id).length >= 2);
      assert.deepEqual(stockTrail(events, product.id), ['ORDER 10→6', 'RETURN 6→10']);

      await assert.rejects(dema.catalog.reserveStock(orderId, [{ productId: product.id, variantId: null, quantity: 4 }]), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.deepEqual([error.status, error.code], [409, 'RESERVATION_RELEASED']);
        return true;
      });
      assert.equal((await dema.product(product.id)).stock, 10);
    });

    /**
     * Another instance's sweeper that dies at `point` of compensating a placement: its release of
     * the stock never returns (before or after putting the stock back), so nothing after it runs,
     * as when the process is killed there. `reached` lists the order ids it got to. It counts a
     * placement stale after 1 s, so that it takes one made a few seconds ago before this process's
     * own sweeper (30 s) can.
     */
    async function dyingSweeper(point: 'before-release' | 'after-release', sweepLeaseSeconds = 60) {
      const db = await dema.infra.database('order');
      const relay = dema.services.order.relay;
      const reached: string[] = [];
      const stock: StockReservations = {
        reserveStock: (orderId, lines) => dema.catalog.reserveStock(orderId, lines),
        getProduct: (productId) => dema.catalog.getProduct(productId),
        returnStock: (orderId, returnId, lines) => dema.catalog.returnStock(orderId, returnId, lines),
        async releaseStock(orderId) {
          if (point === 'after-release') await dema.catalog.releaseStock(orderId);
          reached.push(orderId);
          return new Promise<never>(() => undefined);
        },
      };
      const orders = new Orders(db, stock, dema.services.payment.orderPayments, relay, new CartStore(undefined, 60), new Checkout(db, stock), dema.infra.log, {
        sweepLeaseSeconds,
        stalePlacementSeconds: 1,
      });
      return { sweep: () => void orders.sweepStalePlacements(), reached };
    }
    /** Lets the lease on `orderId` run out, and makes the placement old enough for this process's sweeper. */
    const expireLease = (orderId: string) =>
      dema.query('order', "UPDATE pending_orders SET swept_until = now() - interval '1 second', created_at = now() - interval '1 minute' WHERE order_id = $1", [
        orderId,
      ]);

    test('a sweeper killed before it releases the stock leaves the placement leased; once the lease runs out a later sweep releases it', async () => {
      const product = await dema.createProduct({ name: 'Killed Before Release', stock: 10 });
      const orderId = await crashedPlacement([{ productId: product.id, variantId: null, quantity: 4 }], 3);
      const dying = await dyingSweeper('before-release');
      dying.sweep();
      await waitFor('the dying sweeper to take the placement', () => dying.reached.includes(orderId));

      // Still on the saga log, leased: another sweep leaves it to its sweeper for now, however old it is.
      await dema.query('order', "UPDATE pending_orders SET created_at = now() - interval '1 minute' WHERE order_id = $1", [orderId]);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [orderId]), 1);
      await dema.orders.sweepStalePlacements();
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [orderId]), 1);
      assert.equal((await dema.product(product.id)).stock, 6);

      await expireLease(orderId);
      await dema.orders.sweepStalePlacements();
      await waitFor('the stock to come back', async () => (await dema.product(product.id)).stock === 10);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [orderId]), 0);
      assert.deepEqual(
        (await reservationsOf(product.id)).map((r) => [r.order_id, r.status]),
        [[orderId, 'RELEASED']],
      );
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders WHERE id = $1', [orderId]), 0);
    });

    test('a sweeper killed after releasing and before deleting: a later sweep finishes, and the stock is back exactly once', async () => {
      const events = await record();
      const product = await dema.createProduct({ name: 'Killed After Release', stock: 10 });
      const orderId = await crashedPlacement([{ productId: product.id, variantId: null, quantity: 3 }], 3);
      const dying = await dyingSweeper('after-release', 1);
      dying.sweep();
      await waitFor('the dying sweeper to release the stock', () => dying.reached.includes(orderId));
      assert.equal((await dema.product(product.id)).stock, 10);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [orderId]), 1);

      // Its 1 s lease runs out by itself; then this process's sweeper finishes the job.
      await dema.query('order', "UPDATE pending_orders SET created_at = now() - interval '1 minute' WHERE order_id = $1", [orderId]);
      await waitFor('the placement to be taken off the saga log', async () => {
        await dema.orders.sweepStalePlacements();
        return (await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [orderId])) === 0;
      });
      assert.equal((await dema.product(product.id)).stock, 10);
      await waitFor('the RETURN event', () => stockTrail(events, product.id).length >= 2);
      assert.deepEqual(stockTrail(events, product.id), ['ORDER 10→7', 'RETURN 7→10']);
    });

    test('a placement the sweeper has taken can no longer be recorded as an order', async () => {
      const product = await dema.createProduct({ name: 'Too Late To Record', stock: 10 });
      const lines = [{ productId: product.id, variantId: null, quantity: 2 }];
      const orderId = await crashedPlacement(lines, 3);
      const dying = await dyingSweeper('before-release');
      dying.sweep();
      await waitFor('the dying sweeper to take the placement', () => dying.reached.includes(orderId));
      const order = {
        id: orderId,
        userId: dema.customer.id,
        status: 'PENDING',
        createdAt: new Date().toISOString(),
        total: '20.00',
        subtotal: '20.00',
        discountTotal: '0.00',
        shippingTotal: '0.00',
        taxTotal: '0.00',
        pricesIncludeTax: false,
        currency: 'USD',
        items: [{ productId: product.id, variantId: null, name: 'x', unitPrice: '10.00', quantity: 2, discount: '0.00', tax: '0.00', weightGrams: 0 }],
        taxLines: [],
      };
      const [recorded] = await dema.query<{ outcome: string }>(
        'order',
        `SELECT record_checkout_order($1, $2, 'ORDER_CREATED', 1, 'order.created', '{}'::jsonb) AS outcome`,
        [JSON.stringify(order), randomUUID()],
      );
      assert.equal(recorded!.outcome, 'not-pending');
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders WHERE id = $1', [orderId]), 0);
      await expireLease(orderId);
      await dema.orders.sweepStalePlacements();
      await waitFor('the stock to come back', async () => (await dema.product(product.id)).stock === 10);
    });

    test('sweepStalePlacements reports how many placements it compensated, and a second sweep finds none', async () => {
      const product = await dema.createProduct({ name: 'Counted Sweep', stock: 10 });
      const orderIds = [
        await crashedPlacement([{ productId: product.id, variantId: null, quantity: 1 }], 120),
        await crashedPlacement([{ productId: product.id, variantId: null, quantity: 2 }], 120),
      ];
      const swept = await dema.orders.sweepStalePlacements();
      // Only the background sweeper could have taken some of them first (and may still be at it).
      assert.ok(swept <= 2);
      await waitFor(
        'both placements off the saga log',
        async () => (await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = ANY($1::uuid[])', [orderIds])) === 0,
      );
      await waitFor('the stock to come back', async () => (await dema.product(product.id)).stock === 10);
      assert.equal(await dema.orders.sweepStalePlacements(), 0);
      assert.equal((await dema.product(product.id)).stock, 10);
    });

    test('a placement still in progress (younger than 30 s) is left alone by the sweeper', async () => {
      const product = await dema.createProduct({ name: 'In Flight', stock: 10 });
      const orderId = await crashedPlacement([{ productId: product.id, variantId: null, quantity: 3 }], 5);
      await dema.orders.sweepStalePlacements();
      assert.equal((await dema.product(product.id)).stock, 7);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [orderId]), 1);
      assert.deepEqual(
        (await reservationsOf(product.id)).map((r) => r.status),
        ['RESERVED'],
      );
      // Once it is old enough it is compensated after all.
      await dema.query('order', "UPDATE pending_orders SET created_at = now() - interval '1 minute' WHERE order_id = $1", [orderId]);
      await dema.orders.sweepStalePlacements();
      await waitFor('the stock to come back', async () => (await dema.product(product.id)).stock === 10);
    });

    test('compensating a crashed placement frees its Idempotency-Key, so the retry places the order', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Retry After Crash', stock: 10 });
      const key = randomUUID();
      const orderId = await crashedPlacement([{ productId: product.id, variantId: null, quantity: 2 }], 60, shopper.id);
      await dema.query('order', 'INSERT INTO idempotency_keys (user_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4)', [
        shopper.id,
        key,
        'x'.repeat(64),
        orderId,
      ]);
      await dema.orders.sweepStalePlacements();
      await waitFor('the key to be freed', async () => (await dema.count('order', 'SELECT 1 FROM idempotency_keys WHERE order_id = $1', [orderId])) === 0);
      await waitFor('the stock to come back', async () => (await dema.product(product.id)).stock === 10);
      const retry = await dema.placeOrder(shopper, [{ productId: product.id, quantity: 2 }], { 'idempotency-key': key });
      assert.equal(retry.headers.get('idempotent-replayed'), null);
      const order = await orderOf(retry);
      assert.notEqual(order.id, orderId);
      assert.equal((await dema.product(product.id)).stock, 8);
    });

    test('a key left claimed by a request that died before its placement was logged is freed after 30 s, not before', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Orphan Key', stock: 10 });
      const claim = (key: string, ageSeconds: number) =>
        dema.query(
          'order',
          'INSERT INTO idempotency_keys (user_id, key, request_hash, order_id, created_at) VALUES ($1, $2, $3, $4, now() - make_interval(secs => $5))',
          [shopper.id, key, 'x'.repeat(64), randomUUID(), ageSeconds],
        );
      await claim('died-long-ago', 60);
      await claim('still-running', 5);
      await dema.orders.sweepStalePlacements();
      const left = await dema.query<{ key: string }>('order', 'SELECT key FROM idempotency_keys WHERE user_id = $1', [shopper.id]);
      assert.deepEqual(
        left.map((k) => k.key),
        ['still-running'],
      );
      const started = Date.now();
      const retry = await dema.placeOrder(shopper, [{ productId: product.id, quantity: 1 }], { 'idempotency-key': 'died-long-ago' });
      assert.equal(retry.status, 201);
      // Waiting for the dead placement would take the full duplicate wait (10 s).
      assert.ok(Date.now() - started < 8_000);
      assert.equal((await dema.product(product.id)).stock, 9);
    });

    test('the sweeper forgets idempotency keys after 24 h', async () => {
      const shopper = await dema.newCustomer();
      const product = await dema.createProduct({ name: 'Old Key', stock: 10 });
      const order = await orderOf(await dema.placeOrder(shopper, [{ productId: product.id, quantity: 1 }], { 'idempotency-key': 'old-key' }));
      await dema.query('order', "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1", [shopper.id]);
      await dema.orders.sweepStalePlacements();
      assert.equal(await dema.count('order', 'SELECT 1 FROM idempotency_keys WHERE user_id = $1', [shopper.id]), 0);
      const again = await dema.placeOrder(shopper, [{ productId: product.id, quantity: 1 }], { 'idempotency-key': 'old-key' });
      assert.notEqual((await orderOf(again)).id, order.id);
      assert.equal((await dema.product(product.id)).stock, 8);
    });
  });
}
