import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { StockReservations } from '@dema/contracts';
import { AppError } from '@dema/platform';
import { testTargets, waitFor } from '@dema/platform/testing';
import { CartStore, Checkout, Orders } from '@dema/order';
import { startOrderService, type OrderTestProcess } from './helpers.ts';

/** A log line as pino writes it. */
interface LogLine {
  level: number;
  msg: string;
  orderId?: string;
  step?: string;
  err?: { message: string };
}

const errorLevel = 50;

/**
 * A compensation that fails is logged, with the order id and the step, and never replaces the error
 * that made the saga compensate; what it leaves undone stays on the saga log for the sweeper.
 */
for (const target of testTargets()) {
  describe(`a failed compensation is logged and left to the sweeper (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target);
    });
    after(() => dema.dispose());

    /**
     * Orders whose stock port reserves in the catalog but cannot release (the Product service went
     * away between the two calls), logging to `lines`.
     */
    async function ordersThatCannotRelease(options: { stalePlacementSeconds?: number } = {}) {
      const lines: LogLine[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
          done();
        },
      });
      const stock: StockReservations = {
        reserveStock: (orderId, stockLines) => dema.catalog.reserveStock(orderId, stockLines),
        getProduct: (productId) => dema.catalog.getProduct(productId),
        returnStock: (orderId, returnId, lines) => dema.catalog.returnStock(orderId, returnId, lines),
        releaseStock: async () => {
          throw new Error('the catalog went away');
        },
      };
      const db = await dema.infra.database('order');
      const orders = new Orders(
        db,
        stock,
        dema.services.payment.orderPayments,
        dema.services.order.relay,
        new CartStore(undefined, 60),
        new Checkout(db, stock),
        pino({ level: 'info' }, sink),
        options,
      );
      return { orders, errors: () => lines.filter((line) => line.level === errorLevel) };
    }

    const pending = (orderId: string) => dema.count('order', 'SELECT 1 FROM pending_orders WHERE order_id = $1', [orderId]);

    test('placing: the release fails after the order was refused; the refusal is what the caller gets, the failure is logged, the placement stays pending', async () => {
      const { orders, errors } = await ordersThatCannotRelease();
      const yacht = await dema.createProduct({ name: 'Unreleased Yacht', price: 99_999_999, stock: 5 });
      const shopper = await dema.newCustomer();
      const key = randomUUID();

      await assert.rejects(
        orders.placeOrder(
          { kind: 'user', userId: shopper.id, role: 'customer', sessionId: randomUUID() },
          { items: [{ productId: yacht.id, quantity: 2 }] },
          key,
        ),
        (error: unknown) => {
          assert.ok(error instanceof AppError, String(error));
          assert.deepEqual([error.status, error.code], [422, 'VALIDATION_FAILED']);
          assert.match(error.message, /too large/);
          return true;
        },
      );

      const [line, ...others] = errors();
      assert.deepEqual(others, []);
      assert.equal(line?.step, 'release-stock');
      assert.equal(line.err?.message, 'the catalog went away');
      const orderId = line.orderId!;
      const [reservation] = await dema.query<{ status: string }>('product', 'SELECT status FROM stock_reservations WHERE order_id = $1', [orderId]);
      assert.equal(reservation?.status, 'RESERVED');
      assert.equal((await dema.product(yacht.id)).stock, 3);
      assert.equal(await pending(orderId), 1);
      // The key is freed all the same: a retry is a new placement, not a wait for this one.
      assert.equal(await dema.count('order', 'SELECT 1 FROM idempotency_keys WHERE order_id = $1', [orderId]), 0);

      // Once stale, the process's sweeper (whose port can release) gives the stock back.
      await dema.query('order', "UPDATE pending_orders SET created_at = now() - interval '1 minute' WHERE order_id = $1", [orderId]);
      await dema.orders.sweepStalePlacements();
      await waitFor('the stock to come back', async () => (await dema.product(yacht.id)).stock === 5 && (await pending(orderId)) === 0);
    });

    test('sweeping: a release that fails is logged, the sweep still finishes, and the placement is handed back for the next sweep', async () => {
      const { orders, errors } = await ordersThatCannotRelease({ stalePlacementSeconds: 1 });
      const product = await dema.createProduct({ name: 'Unswept', stock: 10 });
      const orderId = randomUUID();
      await dema.catalog.reserveStock(orderId, [{ productId: product.id, variantId: null, quantity: 4 }]);
      await dema.query('order', "INSERT INTO pending_orders (order_id, user_id, created_at) VALUES ($1, $2, now() - interval '5 seconds')", [
        orderId,
        dema.customer.id,
      ]);

      assert.equal(await orders.sweepStalePlacements(), 0);

      const line = errors().find((l) => l.orderId === orderId);
      assert.equal(line?.step, 'release-stock');
      assert.equal(line.err?.message, 'the catalog went away');
      assert.equal(await pending(orderId), 1);
      assert.equal((await dema.product(product.id)).stock, 6);
      // Its lease is given back at once, not held for 60 s: the next sweep may take it.
      const [lease] = await dema.query<{ expired: boolean }>('order', 'SELECT swept_until <= now() AS expired FROM pending_orders WHERE order_id = $1', [
        orderId,
      ]);
      assert.equal(lease?.expired, true);

      await dema.query('order', "UPDATE pending_orders SET created_at = now() - interval '1 minute' WHERE order_id = $1", [orderId]);
      await dema.orders.sweepStalePlacements();
      await waitFor('the stock to come back', async () => (await dema.product(product.id)).stock === 10 && (await pending(orderId)) === 0);
    });
  });
}
