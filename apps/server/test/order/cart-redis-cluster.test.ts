import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Cart } from '@dema/contracts';
import { realTarget, redisClusterSkip, startRedisCluster, waitFor, type LocalRedisCluster } from '@dema/platform/testing';
import { startOrderService, type OrderTestProcess } from './helpers.ts';

/**
 * The shop on a Redis Cluster (three masters, three replicas from the installed redis-server): the
 * master holding a shopper's cart is killed right after the cart changed; once its replica has taken
 * over, the cart is all there, a signed-out session stays signed out, and the shop keeps answering.
 */
const real = realTarget();
const skip = redisClusterSkip() || (real ? false : 'needs TEST_DATABASE_URL and TEST_REDIS_HOST');

describe('carts on a Redis Cluster whose master fails over', { skip }, () => {
  let cluster: LocalRedisCluster;
  let dema: OrderTestProcess;
  const keyPrefix = `dema-test-${randomBytes(4).toString('hex')}:`;

  before(async () => {
    cluster = await startRedisCluster();
    dema = await startOrderService(real!, {
      redis: { host: '127.0.0.1', port: cluster.nodes[0]!.port, password: undefined, keyPrefix, clusterNodes: cluster.nodes },
    });
  });
  after(async () => {
    await dema?.dispose();
    await cluster?.stop();
  });

  test('a cart written just before its master dies is whole on the promoted replica, and the shop answers throughout', { timeout: 90_000 }, async () => {
    const shopper = await dema.newCustomer();
    const leaver = await dema.newCustomer();
    const products = await Promise.all([1, 2, 3].map((n) => dema.createProduct({ name: `Cluster Mug ${n}`, price: 10, stock: 50 })));
    for (const [i, product] of products.entries()) {
      const put = await shopper.request('PUT', `/api/cart/items/${product.id}`, { quantity: i + 1 });
      assert.equal(put.status, 200, await put.clone().text());
    }
    assert.equal((await leaver.request('POST', '/api/auth/logout')).status, 204);

    const master = await cluster.masterOf(`${keyPrefix}cart:${shopper.id}`);
    // The catalog is read all through the failover: the cache falls back to the database meanwhile.
    const catalogStatuses: number[] = [];
    let failingOver = true;
    const browsing = (async () => {
      while (failingOver) catalogStatuses.push((await shopper.request('GET', `/api/products/${products[1]!.id}`)).status);
    })();
    try {
      await cluster.killNode(master);
    } finally {
      failingOver = false;
    }
    await browsing;
    assert.ok(catalogStatuses.length > 0);
    assert.deepEqual(
      catalogStatuses.filter((status) => status !== 200),
      [],
    );

    const cartAfter = async () => {
      const response = await shopper.request('GET', '/api/cart');
      return response.status === 200 ? ((await response.json()) as Cart) : undefined;
    };
    await waitFor('the cart to be served again', async () => (await cartAfter()) !== undefined, 15_000);
    const cart = (await cartAfter())!;
    assert.deepEqual(cart.items.map((item) => [item.productId, item.quantity]).sort(), products.map((product, i) => [product.id, i + 1]).sort());
    assert.equal((await leaver.request('GET', '/api/cart')).status, 401, 'the signed-out session stays signed out');
    assert.equal((await shopper.request('GET', `/api/products/${products[0]!.id}`)).status, 200);
    const put = await shopper.request('PUT', `/api/cart/items/${products[0]!.id}`, { quantity: 5 });
    assert.equal(put.status, 200, await put.clone().text());
  });
});
