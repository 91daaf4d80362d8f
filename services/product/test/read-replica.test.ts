import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Product, ProductPage } from '@dema/contracts';
import { realTarget, replicationSkip, startReplicatedPostgres, type ReplicatedPostgres } from '@dema/platform/testing';
import { startProductService, type ProductTestProcess } from './helpers.ts';

// The catalog on a real primary with a streaming replica (started here), Redis caching its reads.
describe('the catalog with a read replica', { skip: replicationSkip() }, () => {
  let cluster: ReplicatedPostgres;
  let dema: ProductTestProcess;

  /** How many catalog reads `outcome` has counted so far (`db_replica_reads_total`). */
  const replicaReads = async (outcome: string) => {
    const { values } = await dema.infra.metrics.replicaReads.get();
    return values.find((v) => v.labels.service === 'product' && v.labels.outcome === outcome)?.value ?? 0;
  };
  const getProduct = async (id: string) => {
    const response = await dema.anonymous('GET', `/api/products/${id}`);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Product;
  };
  const search = async (q: string) => {
    const response = await dema.anonymous('GET', `/api/products?q=${encodeURIComponent(q)}`);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as ProductPage;
  };
  const readiness = async () => {
    const response = await fetch(`${dema.url}/health/ready`);
    return { code: response.status, ...((await response.json()) as { status: string; checks: Record<string, { status: string; detail?: string }> }) };
  };
  /** `db_pool_connections` of the product service's pool of `role`, by state. */
  const pool = async (role: string) => {
    const gauge = await dema.infra.metrics.registry.getSingleMetric('db_pool_connections')!.get();
    const values = gauge.values.filter((v) => v.labels.service === 'product' && v.labels.role === role);
    return Object.fromEntries(values.map((v) => [v.labels.state, v.value]));
  };
  const whileReplayPaused = async (work: () => Promise<void>) => {
    await cluster.caughtUp();
    await cluster.pauseReplay();
    try {
      await work();
    } finally {
      await cluster.resumeReplay();
    }
  };

  before(async () => {
    cluster = await startReplicatedPostgres();
    dema = await startProductService(realTarget()!, {
      databaseUrls: { user: cluster.primaryUrl, product: cluster.primaryUrl },
      databaseReadUrls: { product: cluster.replicaUrl },
    });
  });
  after(async () => {
    await dema?.dispose();
    await cluster?.close();
  });

  test('catalog pages are served by the replica once it has replayed the product', async () => {
    const product = await dema.createProduct({ name: 'Replica lamp', stock: 4 });
    // Background writes (the outbox relay marking events sent, the server's own WAL) can put the
    // primary a record ahead between the catch-up and the read; a page is then rightly the
    // primary's, so each try asks for a page not cached yet until the replica serves one.
    let served = false;
    for (let limit = 1; limit <= 10 && !served; limit++) {
      await cluster.caughtUp();
      const before = await replicaReads('replica');
      const response = await dema.anonymous('GET', `/api/products?q=${encodeURIComponent('Replica lamp')}&limit=${limit}`);
      assert.equal(response.status, 200);
      assert.deepEqual(
        ((await response.json()) as ProductPage).items.map((p) => p.id),
        [product.id],
      );
      served = (await replicaReads('replica')) > before;
    }
    assert.ok(served, 'no catalog page was served by the replica');
  });

  test('readiness reports the replica as a check of its own, up while it answers', async () => {
    const ready = await readiness();
    assert.equal(ready.code, 200);
    assert.equal(ready.status, 'up');
    assert.deepEqual(ready.checks['database-replica:product'], { status: 'up', detail: 'postgres replica' });
    assert.equal(ready.checks['database:product']?.status, 'up');
  });

  test('db_pool_connections reports the replica pool under role="replica", apart from the primary', async () => {
    await dema.createProduct({ name: 'Pooled vase', stock: 1 });
    await cluster.caughtUp();
    assert.equal((await dema.anonymous('GET', `/api/products?q=${encodeURIComponent('Pooled vase')}`)).status, 200);
    const replica = await pool('replica');
    assert.deepEqual(Object.keys(replica).sort(), ['idle', 'in_use', 'total', 'waiting']);
    // The page asked the replica (at least its lag), so its pool holds a connection.
    assert.ok(replica.total! >= 1, JSON.stringify(replica));
    assert.ok((await pool('primary')).total! >= 1);
  });

  test('a product just saved is shown to the admin who saved it while the replica lags behind', async () => {
    const product = await dema.createProduct({ name: 'Lagging kettle', price: 20, stock: 4 });
    assert.equal((await getProduct(product.id)).price, 20); // cached before the change
    assert.equal((await search('kettle')).items[0]?.price, 20);
    await whileReplayPaused(async () => {
      const behind = await replicaReads('behind');
      const response = await dema.admin('PUT', `/api/products/${product.id}`, { name: 'Lagging kettle', price: 25 });
      assert.equal(response.status, 200, await response.clone().text());
      // The write emptied the cache; the refill must come from the primary, not the paused replica.
      assert.equal((await getProduct(product.id)).price, 25);
      assert.equal((await search('kettle')).items[0]?.price, 25);
      assert.ok((await replicaReads('behind')) >= behind + 2);
    });
    // Nor is the older copy cached meanwhile served once the replica catches up.
    await cluster.caughtUp();
    assert.equal((await getProduct(product.id)).price, 25);
  });

  test('replica lag never shows a shopper stale stock at checkout', async () => {
    const product = await dema.createProduct({ name: 'Last chairs', stock: 3 });
    const catalog = dema.services.product.catalog;
    assert.equal((await getProduct(product.id)).stock, 3);
    await whileReplayPaused(async () => {
      // Another shopper's order takes two chairs while the replica still says three.
      await catalog.reserveStock(randomUUID(), [{ productId: product.id, variantId: null, quantity: 2 }]);
      assert.equal((await getProduct(product.id)).stock, 1);
      await assert.rejects(catalog.reserveStock(randomUUID(), [{ productId: product.id, variantId: null, quantity: 2 }]), (error: Error) => {
        assert.equal((error as { status?: number }).status, 409);
        assert.match(error.message, /2 requested, 1 in stock/);
        return true;
      });
      const last = await catalog.reserveStock(randomUUID(), [{ productId: product.id, variantId: null, quantity: 1 }]);
      assert.equal(last.lines.length, 1);
      assert.equal((await getProduct(product.id)).stock, 0);
    });
  });

  test('the replica stopped: catalog reads still answer, from the primary', async () => {
    const product = await dema.createProduct({ name: 'Offline stool', stock: 2 });
    await cluster.stopReplica();
    const unavailable = await replicaReads('unavailable');
    assert.deepEqual(
      (await search('Offline stool')).items.map((p) => p.id),
      [product.id],
    );
    assert.equal((await getProduct(product.id)).name, 'Offline stool');
    const categories = await dema.anonymous('GET', '/api/categories');
    assert.equal(categories.status, 200);
    assert.ok((await replicaReads('unavailable')) >= unavailable + 2);
  });

  test('the replica stopped: readiness stays 200, the replica check degraded as its reads fall back to the primary', async () => {
    const ready = await readiness();
    assert.equal(ready.code, 200);
    assert.equal(ready.status, 'degraded');
    assert.deepEqual(ready.checks['database-replica:product'], {
      status: 'degraded',
      detail: 'read replica unreachable: reads fall back to the primary',
    });
    assert.equal(ready.checks['database:product']?.status, 'up');
  });
});
