import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OrderCreatedEvent, StockUpdatedEvent } from '@dema/contracts';
import { testTargets, waitFor } from '@dema/platform/testing';
import { startOrderService, type OrderTestProcess, type TestUser } from './helpers.ts';

for (const target of testTargets()) {
  describe(`stock under concurrent orders (${target.name})`, () => {
    let dema: OrderTestProcess;
    let shoppers: TestUser[];

    before(async () => {
      dema = await startOrderService(target);
      shoppers = [dema.customer, ...(await Promise.all(Array.from({ length: 9 }, () => dema.newCustomer())))];
    });
    after(() => dema.dispose());

    test('500 concurrent orders for a product with stock 100: exactly 100 succeed, stock ends at 0 and never goes below', async () => {
      const product = await dema.createProduct({ name: 'Limited Edition Kettle', stock: 100, price: 24.99 });
      const stockEvents = await dema.recordEvents(`test-stock-${target.name.replace('+', '-')}`, ['system.stock.updated']);
      const orderEvents = await dema.recordEvents(`test-orders-${target.name.replace('+', '-')}`, ['order.created']);

      const responses = await Promise.all(
        Array.from({ length: 500 }, (_, i) => dema.placeOrder(shoppers[i % shoppers.length]!, [{ productId: product.id, quantity: 1 }])),
      );
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201).length, 100, `statuses: ${JSON.stringify(countBy(statuses))}`);
      assert.equal(statuses.filter((s) => s === 409).length, 400);

      const refusals = await Promise.all(responses.filter((r) => r.status === 409).map((r) => r.json() as Promise<{ code: string; detail: string }>));
      for (const refusal of refusals) {
        assert.equal(refusal.code, 'INSUFFICIENT_STOCK');
        assert.match(refusal.detail, /Limited Edition Kettle/);
        assert.ok(refusal.detail.includes(product.id), 'the refusal names the product id');
      }
      await Promise.all(responses.filter((r) => r.status === 201).map((r) => r.arrayBuffer()));

      assert.equal((await dema.product(product.id)).stock, 0);
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders'), 100);
      assert.equal(await dema.count('product', "SELECT 1 FROM stock_reservations WHERE status = 'RESERVED'"), 100);

      // Exactly 100 ORDER_CREATED consumed, and the STOCK_UPDATED trail walks 100 → 0 one unit at a time.
      await waitFor('100 ORDER_CREATED events', () => orderEvents.length >= 100, 30_000);
      const trailOf = () => stockEvents.map((e) => (e as StockUpdatedEvent).payload).filter((p) => p.productId === product.id && p.reason === 'ORDER');
      await waitFor('100 STOCK_UPDATED (ORDER) events', () => trailOf().length >= 100, 30_000);
      assert.equal(orderEvents.length, 100);
      assert.equal(new Set(orderEvents.map((e) => (e as OrderCreatedEvent).payload.orderId)).size, 100);
      const trail = trailOf();
      assert.equal(trail.length, 100);
      assert.ok(trail.every((p) => p.newStock >= 0 && p.oldStock - p.newStock === 1));
      assert.deepEqual(
        trail.map((p) => p.newStock).sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => i),
      );
    });

    test('an order with several items where one is short reserves none of them', async () => {
      const plenty = await dema.createProduct({ name: 'Plenty Mug', stock: 50 });
      const other = await dema.createProduct({ name: 'Other Mug', stock: 50 });
      const scarce = await dema.createProduct({ name: 'Scarce Teapot', stock: 2 });
      const response = await dema.placeOrder(dema.customer, [
        { productId: plenty.id, quantity: 5 },
        { productId: scarce.id, quantity: 3 },
        { productId: other.id, quantity: 1 },
      ]);
      assert.equal(response.status, 409);
      const problem = (await response.json()) as { code: string; detail: string; invalidParams: Array<{ name: string }> };
      assert.equal(problem.code, 'INSUFFICIENT_STOCK');
      assert.match(problem.detail, /Scarce Teapot/);
      assert.deepEqual(
        problem.invalidParams.map((p) => p.name),
        ['body.items.1.quantity'],
      );
      assert.equal((await dema.product(plenty.id)).stock, 50);
      assert.equal((await dema.product(other.id)).stock, 50);
      assert.equal((await dema.product(scarce.id)).stock, 2);
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.product_id = $1', [plenty.id]), 0);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders'), 0);
    });

    test('orders crossing the same products in opposite orders all complete (no deadlock), stock exact', async () => {
      const a = await dema.createProduct({ name: 'Crossing A', stock: 1000 });
      const b = await dema.createProduct({ name: 'Crossing B', stock: 1000 });
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          dema.placeOrder(
            shoppers[i % shoppers.length]!,
            i % 2 === 0
              ? [
                  { productId: a.id, quantity: 2 },
                  { productId: b.id, quantity: 1 },
                ]
              : [
                  { productId: b.id, quantity: 2 },
                  { productId: a.id, quantity: 1 },
                ],
          ),
        ),
      );
      assert.deepEqual(countBy(responses.map((r) => r.status)), { 201: 100 });
      await Promise.all(responses.map((r) => r.arrayBuffer()));
      assert.equal((await dema.product(a.id)).stock, 1000 - 150);
      assert.equal((await dema.product(b.id)).stock, 1000 - 150);
    });

    test('variant stock is reserved per variant and the product total follows', async () => {
      const shirt = await dema.createProduct({
        name: 'Concurrency Shirt',
        variants: [
          { name: 'S', stock: 10, options: { size: 'S' } },
          { name: 'M', stock: 3, options: { size: 'M' } },
        ],
      });
      const medium = shirt.variants.find((v) => v.name === 'M')!;
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => dema.placeOrder(shoppers[i % shoppers.length]!, [{ productId: shirt.id, variantId: medium.id, quantity: 1 }])),
      );
      assert.equal(responses.filter((r) => r.status === 201).length, 3);
      await Promise.all(responses.map((r) => r.arrayBuffer()));
      const after = await dema.product(shirt.id);
      assert.equal(after.variants.find((v) => v.id === medium.id)!.stock, 0);
      assert.equal(after.variants.find((v) => v.name === 'S')!.stock, 10);
      assert.equal(after.stock, 10);
    });
  });
}

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
