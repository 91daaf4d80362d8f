import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StockUpdatedEvent } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { proveInvariants, startWorld, type World } from './stock-invariants.ts';

/**
 * A fixed few seeds of the stock invariants (see stock-invariants.ts) in one process per target;
 * `npm run prove:invariants` runs many more.
 */
for (const target of testTargets()) {
  describe(`stock invariants under random interleavings (${target.name})`, () => {
    let world: World;
    before(async () => {
      world = await startWorld(target);
    });
    after(() => world.dispose());

    test('setting the stock (PUT with stock) while an order takes some: both writes are applied, one after the other, and the trail says which', async () => {
      const db = await world.running.infra.database('product');
      for (let round = 0; round < 20; round++) {
        const created = await world.admin.request('POST', '/api/products', { name: `Race ${round}`, price: 3, stock: 10, categoryId: world.categoryId });
        const id = created.body.id as string;
        const [set, order] = await Promise.all([
          world.admin.request('PUT', `/api/products/${id}`, { stock: 7 }),
          world.customers[round % world.customers.length]!.request('POST', '/api/orders', { items: [{ productId: id, quantity: 2 }] }),
        ]);
        assert.equal(set.status, 200, JSON.stringify(set.body));
        assert.equal(order.status, 201, JSON.stringify(order.body));
        const { stock } = (await db.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [id])).rows[0]!;
        const trail = (
          await db.query<{ payload: StockUpdatedEvent['payload'] }>(
            "SELECT payload FROM outbox WHERE type = 'STOCK_UPDATED' AND payload->>'productId' = $1 ORDER BY payload->>'timestamp', seq",
            [id],
          )
        ).rows.map((r) => `${r.payload.reason} ${r.payload.oldStock}→${r.payload.newStock}`);
        // The set came last (the order's 2 units were taken from 10, then the stock was set to 7),
        // or first (the order took 2 of the 7): never a set that silently swallowed the order.
        const setLast = ['MANUAL 0→10', 'ORDER 10→8', 'MANUAL 8→7'];
        const setFirst = ['MANUAL 0→10', 'MANUAL 10→7', 'ORDER 7→5'];
        const expected = { 7: setLast, 5: setFirst }[stock];
        assert.ok(expected, `stock ${stock}, trail ${trail.join(', ')}`);
        assert.deepEqual(trail, expected, `stock ${stock}`);
      }
    });

    for (const seed of [16, 1616, 161616]) {
      test(`seed ${seed}: 4 scenarios of orders, cancels, returns, adjustments and sets at once keep every invariant`, async () => {
        await proveInvariants(target, { runs: 4, seed, world });
      });
    }
  });
}
