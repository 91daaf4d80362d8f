import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { realTarget, replicationSkip, startReplicatedPostgres, type ReplicatedPostgres } from '@dema/platform/testing';
import { startOrderService, type OrderTestProcess, type TestUser } from './helpers.ts';

// Checkout on a real primary whose streaming replica (started here) serves the catalog's reads.
describe('checkout while the catalog replica lags', { skip: replicationSkip() }, () => {
  let cluster: ReplicatedPostgres;
  let dema: OrderTestProcess;
  let shoppers: TestUser[];

  before(async () => {
    cluster = await startReplicatedPostgres();
    const primary = cluster.primaryUrl;
    dema = await startOrderService(realTarget()!, {
      databaseUrls: { user: primary, product: primary, order: primary, payment: primary, analytics: primary },
      databaseReadUrls: { product: cluster.replicaUrl },
    });
    shoppers = [dema.customer, ...(await Promise.all(Array.from({ length: 5 }, () => dema.newCustomer())))];
  });
  after(async () => {
    await dema?.dispose();
    await cluster?.close();
  });

  test('orders placed while replay is paused: the product page and the next checkout see the true stock', async () => {
    const product = await dema.createProduct({ name: 'Few lanterns', stock: 3 });
    await cluster.caughtUp();
    assert.equal((await dema.product(product.id)).stock, 3);
    await cluster.pauseReplay();
    try {
      const first = await dema.placeOrder(shoppers[0]!, [{ productId: product.id, quantity: 2 }]);
      assert.equal(first.status, 201, await first.clone().text());
      assert.equal((await dema.product(product.id)).stock, 1);

      const tooMany = await dema.placeOrder(shoppers[1]!, [{ productId: product.id, quantity: 2 }]);
      assert.equal(tooMany.status, 409);
      const refusal = (await tooMany.json()) as { code: string; detail: string };
      assert.equal(refusal.code, 'INSUFFICIENT_STOCK');
      assert.match(refusal.detail, /2 requested, 1 in stock/);

      const last = await dema.placeOrder(shoppers[1]!, [{ productId: product.id, quantity: 1 }]);
      assert.equal(last.status, 201, await last.clone().text());
      assert.equal((await dema.product(product.id)).stock, 0);
    } finally {
      await cluster.resumeReplay();
    }
  });

  test('concurrent orders while replay is paused never oversell', async () => {
    const product = await dema.createProduct({ name: 'Scarce candles', stock: 4 });
    await cluster.caughtUp();
    assert.equal((await dema.product(product.id)).stock, 4);
    await cluster.pauseReplay();
    try {
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => dema.placeOrder(shoppers[i % shoppers.length]!, [{ productId: product.id, quantity: 1 }])),
      );
      const statuses = responses.map((r) => r.status).sort();
      await Promise.all(responses.map((r) => r.arrayBuffer()));
      assert.deepEqual(statuses, [...Array(4).fill(201), ...Array(8).fill(409)]);
      assert.equal((await dema.product(product.id)).stock, 0);
    } finally {
      await cluster.resumeReplay();
    }
  });
});
