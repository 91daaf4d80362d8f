import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Product, ProductPage } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startProductService, type ProductTestProcess } from './helpers.ts';

/** Products and variants weigh something (whole grams), for shipping rates by weight. */
for (const target of testTargets()) {
  describe(`product and variant weights (${target.name})`, () => {
    let dema: ProductTestProcess;

    before(async () => {
      dema = await startProductService(target);
    });
    after(() => dema.dispose());

    const read = async (id: string) => {
      const response = await dema.anonymous('GET', `/api/products/${id}`);
      assert.equal(response.status, 200);
      return (await response.json()) as Product;
    };
    const update = async (id: string, body: object) => {
      const response = await dema.admin('PUT', `/api/products/${id}`, body);
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as Product;
    };
    const weights = (product: Product) => ({ product: product.weightGrams, variants: product.variants.map((v) => [v.name, v.weightGrams]) });

    test('a product is created with its weight, and one without a weight weighs 0', async () => {
      const kettle = await dema.createProduct({ name: 'Weighed Kettle', stock: 3, weightGrams: 1250 });
      assert.equal(kettle.weightGrams, 1250);
      assert.equal((await read(kettle.id)).weightGrams, 1250);
      const feather = await dema.createProduct({ name: 'Unweighed Feather', stock: 3 });
      assert.equal(feather.weightGrams, 0);
      assert.equal((await read(feather.id)).weightGrams, 0);
    });

    test('a variant keeps its own weight, or null when it weighs what the product does; the list shows the same', async () => {
      const press = await dema.createProduct({
        name: 'Weighed French Press',
        weightGrams: 450,
        variants: [
          { name: '350 ml', stock: 2 },
          { name: '1 L', stock: 2, weightGrams: 900 },
          { name: 'Sample', stock: 1, weightGrams: 0 },
        ],
      });
      const expected = {
        product: 450,
        variants: [
          ['350 ml', null],
          ['1 L', 900],
          ['Sample', 0],
        ],
      };
      assert.deepEqual(weights(press), expected);
      assert.deepEqual(weights(await read(press.id)), expected);
      const listed = (await (await dema.anonymous('GET', `/api/products?ids=${press.id}`)).json()) as ProductPage;
      assert.deepEqual(weights(listed.items[0]!), expected);
    });

    test("updating the weight alone changes only the weight; the variants' own weights stay", async () => {
      const lamp = await dema.createProduct({ name: 'Weighed Lamp', weightGrams: 800, variants: [{ name: 'Brass', stock: 1, weightGrams: 950 }] });
      const updated = await update(lamp.id, { weightGrams: 820 });
      assert.deepEqual(weights(updated), { product: 820, variants: [['Brass', 950]] });
      assert.equal(updated.name, 'Weighed Lamp');
      assert.ok(updated.updatedAt >= lamp.updatedAt);
      assert.deepEqual(weights(await read(lamp.id)), weights(updated));
      // An update that does not name the weight keeps it.
      assert.equal((await update(lamp.id, { name: 'Weighed Lamp II' })).weightGrams, 820);
    });

    test("variants replace whole: a variant sent without a weight goes back to the product's", async () => {
      const shirt = await dema.createProduct({
        name: 'Weighed Shirt',
        weightGrams: 180,
        variants: [
          { name: 'S', stock: 1 },
          { name: 'XL', stock: 1 },
        ],
      });
      const [small, large] = shirt.variants;
      const heavier = await update(shirt.id, {
        variants: [
          { id: small!.id, name: 'S', stock: 1 },
          { id: large!.id, name: 'XL', stock: 1, weightGrams: 240 },
        ],
      });
      assert.deepEqual(weights(heavier), {
        product: 180,
        variants: [
          ['S', null],
          ['XL', 240],
        ],
      });
      assert.deepEqual(
        heavier.variants.map((v) => v.id),
        [small!.id, large!.id],
      );
      const inherited = await update(shirt.id, {
        variants: [
          { id: small!.id, name: 'S', stock: 1, weightGrams: null },
          { id: large!.id, name: 'XL', stock: 1 },
        ],
      });
      assert.deepEqual(weights(inherited), {
        product: 180,
        variants: [
          ['S', null],
          ['XL', null],
        ],
      });
      assert.deepEqual(weights(await read(shirt.id)), weights(inherited));
    });

    test('the largest weight there is: a tonne, in grams', async () => {
      const anvil = await dema.createProduct({ name: 'Weighed Anvil', stock: 1, weightGrams: 1_000_000 });
      assert.equal(anvil.weightGrams, 1_000_000);
    });

    test("each reserved line carries the weight it ships at: the variant's own, else its product's", async () => {
      const catalog = dema.services.product.catalog;
      const bottle = await dema.createProduct({
        name: 'Weighed Bottle',
        weightGrams: 340,
        variants: [
          { name: '500 ml', stock: 5 },
          { name: '1 L', stock: 5, weightGrams: 480 },
        ],
      });
      const book = await dema.createProduct({ name: 'Weighed Book', stock: 5, weightGrams: 550 });
      const [half, litre] = bottle.variants;
      const orderId = randomUUID();
      const reservation = await catalog.reserveStock(orderId, [
        { productId: bottle.id, variantId: half!.id, quantity: 2 },
        { productId: bottle.id, variantId: litre!.id, quantity: 1 },
        { productId: book.id, variantId: null, quantity: 3 },
      ]);
      assert.deepEqual(
        reservation.lines.map((l) => [l.name, l.quantity, l.weightGrams]),
        [
          ['Weighed Bottle (500 ml)', 2, 340],
          ['Weighed Bottle (1 L)', 1, 480],
          ['Weighed Book', 3, 550],
        ],
      );

      // A replay answers the lines as reserved, at the weights of that moment.
      await update(book.id, { weightGrams: 600 });
      const replayed = await catalog.reserveStock(orderId, [{ productId: book.id, variantId: null, quantity: 3 }]);
      assert.deepEqual(replayed.lines, reservation.lines);
      const later = await catalog.reserveStock(randomUUID(), [{ productId: book.id, variantId: null, quantity: 1 }]);
      assert.equal(later.lines[0]!.weightGrams, 600);
    });
  });
}
