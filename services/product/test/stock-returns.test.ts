import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AppError } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { startProductService, type ProductTestProcess } from './helpers.ts';

const serviceToken = 'product-returns-test-token-5d1e';

for (const target of testTargets()) {
  describe(`returned stock (${target.name})`, () => {
    let dema: ProductTestProcess;
    let categoryId: string;

    before(async () => {
      dema = await startProductService(target, { serviceToken });
      categoryId = (await dema.createCategory()).id;
    });
    after(() => dema.dispose());

    const catalog = () => dema.services.product.catalog;
    const stockOf = async (productId: string) => (await (await dema.anonymous('GET', `/api/products/${productId}`)).json()).stock as number;
    const returnEvents = async (productId: string) =>
      (await dema.infra.database('product')).query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE type = 'STOCK_UPDATED' AND payload->>'productId' = $1 AND payload->>'reason' = 'RETURN'",
        [productId],
      );

    /** An order of `quantity` units of a new product with 10 in stock. */
    async function reserved(quantity: number) {
      const product = await dema.createProduct({ categoryId, stock: 10 });
      const orderId = randomUUID();
      await catalog().reserveStock(orderId, [{ productId: product.id, variantId: null, quantity }]);
      return { productId: product.id, orderId };
    }

    test('a return puts back only its units, once per return id; the release later puts back only the rest', async () => {
      const { productId, orderId } = await reserved(3);
      assert.equal(await stockOf(productId), 7);
      const returnId = randomUUID();
      const line = [{ productId, variantId: null, quantity: 1 }];
      assert.deepEqual(await catalog().returnStock(orderId, returnId, line), { orderId, returnId, restocked: true });
      assert.deepEqual(await catalog().returnStock(orderId, returnId, line), { orderId, returnId, restocked: true });
      assert.equal(await stockOf(productId), 8);
      assert.deepEqual(await catalog().releaseStock(orderId), { orderId, released: true });
      assert.equal(await stockOf(productId), 10, 'the 2 units not returned, not the returned one again');
      assert.equal((await returnEvents(productId)).rows[0]!.n, 2);
    });

    test('returning every unit and then releasing (the order RETURNED) puts nothing back twice', async () => {
      const { productId, orderId } = await reserved(2);
      await catalog().returnStock(orderId, randomUUID(), [{ productId, variantId: null, quantity: 1 }]);
      await catalog().returnStock(orderId, randomUUID(), [{ productId, variantId: null, quantity: 1 }]);
      await catalog().releaseStock(orderId);
      assert.equal(await stockOf(productId), 10);
    });

    test('more than is left to return is refused (422 naming the line) and restocks nothing', async () => {
      const { productId, orderId } = await reserved(2);
      await catalog().returnStock(orderId, randomUUID(), [{ productId, variantId: null, quantity: 1 }]);
      await assert.rejects(
        catalog().returnStock(orderId, randomUUID(), [{ productId, variantId: null, quantity: 2 }]),
        (error: unknown) => error instanceof AppError && error.status === 422 && error.invalidParams?.[0]?.name === 'lines.0.quantity',
      );
      await assert.rejects(
        catalog().returnStock(orderId, randomUUID(), [{ productId: randomUUID(), variantId: null, quantity: 1 }]),
        (error: unknown) => error instanceof AppError && error.status === 422 && error.invalidParams?.[0]?.name === 'lines.0.productId',
      );
      assert.equal(await stockOf(productId), 9);
    });

    test('a return after the release restocks nothing: the release already put the units back', async () => {
      const { productId, orderId } = await reserved(2);
      await catalog().releaseStock(orderId);
      const returnId = randomUUID();
      assert.deepEqual(await catalog().returnStock(orderId, returnId, [{ productId, variantId: null, quantity: 2 }]), {
        orderId,
        returnId,
        restocked: false,
      });
      assert.equal(await stockOf(productId), 10);
    });

    test('two concurrent returns of the last unit: one restocks it, the other is refused', async () => {
      const { productId, orderId } = await reserved(1);
      const outcomes = await Promise.allSettled(
        [randomUUID(), randomUUID()].map((returnId) => catalog().returnStock(orderId, returnId, [{ productId, variantId: null, quantity: 1 }])),
      );
      assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
      assert.equal(await stockOf(productId), 10);
    });

    test('a return and a release racing put every unit back exactly once', async () => {
      const { productId, orderId } = await reserved(3);
      await Promise.allSettled([catalog().returnStock(orderId, randomUUID(), [{ productId, variantId: null, quantity: 2 }]), catalog().releaseStock(orderId)]);
      assert.equal(await stockOf(productId), 10);
    });

    test('PUT /internal/stock-reservations/:orderId/returns/:returnId restocks with the service token only', async () => {
      const { productId, orderId } = await reserved(2);
      const url = `${dema.url}/internal/stock-reservations/${orderId}/returns/${randomUUID()}`;
      const body = JSON.stringify({ lines: [{ productId, variantId: null, quantity: 1 }] });
      const json = { 'content-type': 'application/json' };
      assert.equal((await fetch(url, { method: 'PUT', headers: { ...json, 'x-dema-service-token': 'wrong' }, body })).status, 403);
      const response = await fetch(url, { method: 'PUT', headers: { ...json, 'x-dema-service-token': serviceToken }, body });
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal((await response.json()).restocked, true);
      assert.equal(await stockOf(productId), 9);
    });
  });
}
