import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Product, ProductPage } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startProductService, type ProductTestProcess } from './helpers.ts';

for (const target of testTargets()) {
  describe(`products API (${target.name})`, () => {
    let dema: ProductTestProcess;
    let kitchen: { id: string; slug: string };
    let books: { id: string; slug: string };

    before(async () => {
      dema = await startProductService(target);
      kitchen = await dema.createCategory('Home & Kitchen');
      books = await dema.createCategory('Books');
      const items = [
        { name: 'Cast Iron Skillet', description: 'Pre-seasoned pan for searing', price: 39.9, stock: 12, categoryId: kitchen.id },
        { name: 'Chef Knife', description: 'Forged steel blade', price: 89.5, stock: 0, categoryId: kitchen.id },
        { name: 'Espresso Machine', description: 'Fifteen bar pump, steam wand', price: 249.99, stock: 3, categoryId: kitchen.id },
        { name: 'Field Guide to Birds', description: 'Illustrated pocket guide', price: 19.99, stock: 40, categoryId: books.id },
        { name: 'Atlas of Remote Islands', description: 'Fifty islands you will never visit', price: 24, stock: 7, categoryId: books.id },
      ];
      for (const item of items) await dema.createProduct(item);
    });
    after(() => dema.dispose());

    const list = async (query: string) => {
      const response = await dema.anonymous('GET', `/api/products${query}`);
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as ProductPage;
    };

    test('lists products with every seed field, newest first, to anonymous visitors', async () => {
      const page = await list('');
      assert.equal(page.total, 5);
      assert.equal(page.limit, 20);
      assert.equal(page.items[0]!.name, 'Atlas of Remote Islands');
      const product = page.items[0]!;
      for (const field of ['id', 'name', 'description', 'price', 'stock', 'category', 'specifications', 'variants', 'images']) {
        assert.ok(field in product, `missing ${field}`);
      }
      assert.deepEqual(product.category, { id: books.id, name: 'Books', slug: 'books' });
    });

    test('paginates with limit and offset, and reports the total', async () => {
      const first = await list('?limit=2&offset=0&sort=name');
      const second = await list('?limit=2&offset=2&sort=name');
      const past = await list('?limit=2&offset=10&sort=name');
      assert.deepEqual(
        first.items.map((p) => p.name),
        ['Atlas of Remote Islands', 'Cast Iron Skillet'],
      );
      assert.deepEqual(
        second.items.map((p) => p.name),
        ['Chef Knife', 'Espresso Machine'],
      );
      assert.equal(past.items.length, 0);
      assert.equal(past.total, 5);
    });

    test('refuses a limit above 100', async () => {
      const response = await dema.anonymous('GET', '/api/products?limit=101');
      assert.equal(response.status, 400);
      const problem = await response.json();
      assert.equal(problem.invalidParams[0].name, 'query.limit');
    });

    test('filters by category id or slug, price range and stock', async () => {
      assert.equal((await list(`?category=${kitchen.id}`)).total, 3);
      assert.equal((await list(`?category=${books.slug}`)).total, 2);
      assert.deepEqual(
        (await list('?minPrice=20&maxPrice=90&sort=price')).items.map((p) => p.price),
        [24, 39.9, 89.5],
      );
      assert.equal((await list('?inStock=true')).total, 4);
      assert.deepEqual(
        (await list('?inStock=false')).items.map((p) => p.name),
        ['Chef Knife'],
      );
    });

    test('lists only the products named by ids (repeated), in the sort asked; refuses an id that is not a uuid', async () => {
      const all = await list('?sort=name');
      const [atlas, , chef] = all.items;
      const named = await list(`?ids=${chef!.id}&ids=${atlas!.id}&ids=00000000-0000-4000-8000-000000000000&sort=name`);
      assert.deepEqual(
        named.items.map((p) => p.name),
        ['Atlas of Remote Islands', 'Chef Knife'],
      );
      assert.equal(named.total, 2);
      assert.deepEqual(
        (await list(`?ids=${chef!.id}`)).items.map((p) => p.name),
        ['Chef Knife'],
      );
      const response = await dema.anonymous('GET', '/api/products?ids=chef');
      assert.equal(response.status, 400);
      assert.equal((await response.json()).invalidParams[0].name, 'query.ids.0');
    });

    test('searches name and description by word prefix', async () => {
      assert.deepEqual(
        (await list('?q=skill')).items.map((p) => p.name),
        ['Cast Iron Skillet'],
      );
      assert.deepEqual(
        (await list('?q=fifty%20island')).items.map((p) => p.name),
        ['Atlas of Remote Islands'],
      );
      assert.equal((await list('?q=nonexistentword')).total, 0);
    });

    test('searches a decimal such as 3.5 as written, not as a 3 and a 5 apart', async () => {
      const adapter = await dema.createProduct({ name: 'Headphone Adapter', description: 'USB-C to 3.5 mm jack', price: 9, stock: 5, categoryId: kitchen.id });
      const pens = await dema.createProduct({
        name: 'Gel Pens',
        description: 'Three packs: 3, 5 or 10 pens of 0.5mm',
        price: 4,
        stock: 5,
        categoryId: books.id,
      });
      for (const q of ['3.5', '3.5%20mm', '3.5mm', 'jack%203.']) {
        assert.deepEqual(
          (await list(`?q=${q}`)).items.map((p) => p.name),
          ['Headphone Adapter'],
          `q=${q}`,
        );
      }
      assert.deepEqual(
        (await list('?q=0.5%20pens')).items.map((p) => p.name),
        ['Gel Pens'],
      );
      for (const product of [adapter, pens]) await dema.admin('DELETE', `/api/products/${product.id}`);
    });

    test('sorts by price both ways and by name', async () => {
      const ascending = (await list('?sort=price')).items.map((p) => p.price);
      assert.deepEqual(
        ascending,
        [...ascending].sort((a, b) => a - b),
      );
      const descending = (await list('?sort=-price')).items.map((p) => p.price);
      assert.deepEqual(descending, [...ascending].reverse());
      const names = (await list('?sort=-name')).items.map((p) => p.name);
      assert.deepEqual(names, [...names].sort().reverse());
    });

    test('gets one product; 404 problem when absent, 400 when the id is not a uuid', async () => {
      const [first] = (await list('?limit=1')).items;
      const found = await dema.anonymous('GET', `/api/products/${first!.id}`);
      assert.equal(found.status, 200);
      assert.equal(((await found.json()) as Product).name, first!.name);

      const absent = await dema.anonymous('GET', '/api/products/7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a');
      assert.equal(absent.status, 404);
      assert.match(absent.headers.get('content-type')!, /^application\/problem\+json/);
      assert.equal((await absent.json()).code, 'PRODUCT_NOT_FOUND');

      const malformed = await dema.anonymous('GET', '/api/products/not-a-uuid');
      assert.equal(malformed.status, 400);
      assert.equal((await malformed.json()).invalidParams[0].name, 'path.id');
    });

    test('creates a product with variants whose stock sums to the product stock', async () => {
      const created = await dema.createProduct({
        name: 'Linen Apron',
        price: 25,
        categoryId: kitchen.id,
        specifications: { Material: 'Linen', Length: '90 cm' },
        images: ['/media/demo/apron-1.svg'],
        variants: [
          { name: 'Sand', sku: 'APR-SND', stock: 4, options: { Colour: 'Sand' } },
          { name: 'Charcoal', sku: 'APR-CHR', price: 27.5, stock: 6, options: { Colour: 'Charcoal' } },
        ],
      });
      assert.equal(created.stock, 10);
      assert.deepEqual(created.specifications, { Material: 'Linen', Length: '90 cm' });
      assert.deepEqual(
        created.variants.map((v) => [v.sku, v.price, v.stock]),
        [
          ['APR-SND', null, 4],
          ['APR-CHR', 27.5, 6],
        ],
      );
      assert.deepEqual(created.images, ['/media/demo/apron-1.svg']);
      await dema.admin('DELETE', `/api/products/${created.id}`);
    });

    test('updates fields, keeps variant ids, and maintains updated_at', async () => {
      const created = await dema.createProduct({
        name: 'Teapot',
        price: 30,
        categoryId: kitchen.id,
        variants: [
          { name: 'Small', sku: 'TEA-S', stock: 2 },
          { name: 'Large', sku: 'TEA-L', stock: 3 },
        ],
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const small = created.variants[0]!;
      const response = await dema.admin('PUT', `/api/products/${created.id}`, {
        price: 32.5,
        variants: [{ id: small.id, name: 'Small', sku: 'TEA-S', stock: 9 }],
      });
      assert.equal(response.status, 200, await response.clone().text());
      const updated = (await response.json()) as Product;
      assert.equal(updated.price, 32.5);
      assert.equal(updated.stock, 9);
      assert.deepEqual(
        updated.variants.map((v) => v.id),
        [small.id],
      );
      assert.ok(updated.updatedAt > created.updatedAt, 'updated_at moves forward');
      assert.equal(updated.createdAt, created.createdAt);
      await dema.admin('DELETE', `/api/products/${created.id}`);
    });

    test("keeps names without the spaces around them, the product's and its variants', on create and update", async () => {
      const created = await dema.createProduct({
        name: '  Tea Towel\t',
        price: 6,
        categoryId: kitchen.id,
        variants: [{ name: ' Striped ', stock: 2 }],
      });
      assert.equal(created.name, 'Tea Towel');
      assert.deepEqual(
        created.variants.map((v) => v.name),
        ['Striped'],
      );
      const response = await dema.admin('PUT', `/api/products/${created.id}`, {
        name: '\u00a0Linen Tea Towel ',
        variants: [{ id: created.variants[0]!.id, name: 'Checked  ', stock: 2 }],
      });
      assert.equal(response.status, 200, await response.clone().text());
      const updated = (await response.json()) as Product;
      assert.equal(updated.name, 'Linen Tea Towel');
      assert.deepEqual(
        updated.variants.map((v) => v.name),
        ['Checked'],
      );
      await dema.admin('DELETE', `/api/products/${created.id}`);
    });

    test('keeps a variant named by its id in capitals: a uuid is the same in any letter case', async () => {
      const created = await dema.createProduct({ name: 'Milk Jug', price: 12, categoryId: kitchen.id, variants: [{ name: 'Half litre', stock: 2 }] });
      const [jug] = created.variants;
      const response = await dema.admin('PUT', `/api/products/${created.id}`, { variants: [{ id: jug!.id.toUpperCase(), name: 'Half litre', stock: 7 }] });
      assert.equal(response.status, 200, await response.clone().text());
      const updated = (await response.json()) as Product;
      assert.deepEqual(
        updated.variants.map((v) => [v.id, v.stock]),
        [[jug!.id, 7]],
      );
      await dema.admin('DELETE', `/api/products/${created.id}`);
    });

    test('deletes a product: 204, then 404', async () => {
      const created = await dema.createProduct({ name: 'Doomed', categoryId: kitchen.id });
      assert.equal((await dema.admin('DELETE', `/api/products/${created.id}`)).status, 204);
      assert.equal((await dema.anonymous('GET', `/api/products/${created.id}`)).status, 404);
      assert.equal((await dema.admin('DELETE', `/api/products/${created.id}`)).status, 404);
    });

    test('writes need products:write: 401 anonymous or with a bad token', async () => {
      const body = { name: 'Nope', price: 1, stock: 1, categoryId: kitchen.id };
      const anonymous = await dema.anonymous('POST', '/api/products', body);
      assert.equal(anonymous.status, 401);
      assert.equal((await anonymous.json()).code, 'UNAUTHENTICATED');
      const forged = await fetch(`${dema.url}/api/products`, {
        method: 'POST',
        headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(forged.status, 401);
      for (const [method, url] of [
        ['PUT', '/api/products/7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a'],
        ['DELETE', '/api/products/7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a'],
        ['POST', '/api/categories'],
      ] as const) {
        assert.equal((await dema.anonymous(method, url, method === 'DELETE' ? undefined : {})).status, 401, `${method} ${url}`);
      }
      assert.equal((await list('')).total, 5);
    });
  });
}
