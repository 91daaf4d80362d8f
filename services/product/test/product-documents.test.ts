import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Product } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startProductService, type ProductTestProcess } from './helpers.ts';

/**
 * A stock move writes the new stock into the product's document instead of rebuilding it (migration
 * 0011): the document must stay exactly what a rebuild would make, whatever the product's text holds.
 */
for (const target of testTargets()) {
  describe(`product documents after stock moves (${target.name})`, () => {
    let dema: ProductTestProcess;

    before(async () => {
      dema = await startProductService(target);
    });
    after(() => dema.dispose());

    const catalog = () => dema.services.product.catalog;
    const database = () => dema.infra.database('product');
    const storedDocument = async (productId: string) => {
      const { rows } = await (await database()).query<{ body: string }>('SELECT body FROM product_documents WHERE product_id = $1', [productId]);
      return rows[0]!.body;
    };
    /** The document as a full rebuild makes it: the rebuild writes the same row, so it is read back after. */
    const rebuiltDocument = async (productId: string) => {
      await (await database()).query('SELECT refresh_product_documents(ARRAY[$1]::uuid[])', [productId]);
      return storedDocument(productId);
    };
    const read = async (productId: string) => (await (await dema.anonymous('GET', `/api/products/${productId}`)).json()) as Product;

    // Text that looks like the fields the move writes, where a careless patch would find them first.
    const tricky = {
      name: 'Mug "stock" : 1 "updatedAt" : "x"}',
      description: 'says "stock" : 99 and ends with "updatedAt" : null}',
      price: 12.5,
      stock: 40,
      specifications: { Zeta: 'first', stock: '7', Alpha: 'last', updatedAt: '"2020"' },
      images: ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.jpg'],
    };

    test('an order reserving stock leaves the document as a rebuild would make it, specifications in their order', async () => {
      const product = await dema.createProduct(tricky);
      const before = await read(product.id);
      await new Promise((resolve) => setTimeout(resolve, 5)); // updatedAt moves by at least a millisecond
      await catalog().reserveStock(randomUUID(), [{ productId: product.id, variantId: null, quantity: 3 }]);

      const patched = await storedDocument(product.id);
      assert.equal(patched, await rebuiltDocument(product.id));
      const after = await read(product.id);
      assert.equal(after.stock, 37);
      assert.ok(after.updatedAt > before.updatedAt, `${after.updatedAt} > ${before.updatedAt}`);
      assert.deepEqual({ ...after, stock: before.stock, updatedAt: before.updatedAt }, before);
      assert.deepEqual(Object.keys(after.specifications), ['Zeta', 'stock', 'Alpha', 'updatedAt']);
    });

    test('a release and an adjustment are written into the document too', async () => {
      const product = await dema.createProduct(tricky);
      const orderId = randomUUID();
      await catalog().reserveStock(orderId, [{ productId: product.id, variantId: null, quantity: 5 }]);
      await catalog().releaseStock(orderId);
      assert.equal((await read(product.id)).stock, 40);
      const adjusted = await dema.admin('POST', `/api/products/${product.id}/stock-adjustments`, { delta: -15 });
      assert.equal(adjusted.status, 200, await adjusted.text());
      assert.equal((await read(product.id)).stock, 25);
      assert.equal(await storedDocument(product.id), await rebuiltDocument(product.id));
    });

    test('a product with variants: the variant and the product totals move, as in a rebuild', async () => {
      const product = await dema.createProduct({
        name: 'Shirt',
        variants: [
          { name: 'S', stock: 3 },
          { name: 'L', stock: 5 },
        ],
      });
      const large = product.variants[1]!;
      await catalog().reserveStock(randomUUID(), [{ productId: product.id, variantId: large.id, quantity: 2 }]);
      const after = await read(product.id);
      assert.equal(after.stock, 6);
      assert.deepEqual(
        after.variants.map((v) => v.stock),
        [3, 3],
      );
      assert.equal(await storedDocument(product.id), await rebuiltDocument(product.id));
    });

    test('any other change than the stock still rebuilds the document', async () => {
      const product = await dema.createProduct(tricky);
      const edited = await dema.admin('PUT', `/api/products/${product.id}`, { name: 'Plain mug', stock: 41 });
      assert.equal(edited.status, 200, await edited.text());
      const after = await read(product.id);
      assert.equal(after.name, 'Plain mug');
      assert.equal(after.stock, 41);
      assert.equal(await storedDocument(product.id), await rebuiltDocument(product.id));
    });
  });
}
