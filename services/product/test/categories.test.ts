import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCategoryId, type Category, type CategoryList, type Product, type ProductPage } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startProductService, type ProductTestProcess } from './helpers.ts';

const absentId = '7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a';

for (const target of testTargets()) {
  describe(`categories API (${target.name})`, () => {
    let dema: ProductTestProcess;
    let tools: { id: string; slug: string };
    let books: { id: string; slug: string };
    let empty: { id: string; slug: string };

    before(async () => {
      dema = await startProductService(target);
      tools = await dema.createCategory('Garden Tools');
      books = await dema.createCategory('Books');
      empty = await dema.createCategory('Empty Shelf');
      await dema.createProduct({ name: 'Spade', price: 25, stock: 4, categoryId: tools.id });
      await dema.createProduct({ name: 'Rake', price: 18, stock: 0, categoryId: tools.id });
      await dema.createProduct({ name: 'Field Guide', price: 19.99, stock: 9, categoryId: books.id });
    });
    after(() => dema.dispose());

    const getCategory = async (idOrSlug: string) => {
      const response = await dema.anonymous('GET', `/api/categories/${idOrSlug}`);
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as Category;
    };
    const listCategories = async () => {
      const response = await dema.anonymous('GET', '/api/categories');
      assert.equal(response.status, 200, await response.clone().text());
      return ((await response.json()) as CategoryList).items as Category[];
    };
    const expectProblem = async (response: Response, status: number, code: string) => {
      const text = await response.text();
      assert.equal(response.status, status, text);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = JSON.parse(text) as { code: string; invalidParams?: Array<{ name: string; reason: string }> };
      assert.equal(problem.code, code);
      return problem;
    };

    test('lists categories with their product counts to anonymous visitors', async () => {
      const items = await listCategories();
      const counts = Object.fromEntries(items.map((c) => [c.slug, c.productCount]));
      assert.equal(counts['garden-tools'], 2);
      assert.equal(counts.books, 1);
      assert.equal(counts['empty-shelf'], 0);
      const listed = items.find((c) => c.id === tools.id)!;
      for (const field of ['id', 'name', 'slug', 'description', 'productCount', 'createdAt', 'updatedAt']) {
        assert.ok(field in listed, `missing ${field}`);
      }
    });

    test('lists categories in name order', async () => {
      const names = (await listCategories()).map((c) => c.name);
      assert.deepEqual(
        names,
        [...names].sort((a, b) => a.localeCompare(b)),
      );
    });

    test('the list is not paginated: a limit, an offset or any other query parameter is a 400 naming it, not ignored', async () => {
      for (const [query, name] of [
        ['limit=0', 'query.limit'],
        ['offset=-1', 'query.offset'],
        ['foo=1', 'query.foo'],
      ]) {
        const response = await dema.anonymous('GET', `/api/categories?${query}`);
        const problem = (await response.json()) as { status: number; code: string; invalidParams?: Array<{ name: string; reason: string }> };
        assert.equal(problem.status, 400, query);
        assert.equal(problem.code, 'VALIDATION_FAILED');
        assert.deepEqual(problem.invalidParams, [{ name, reason: 'is not a known field' }]);
      }
    });

    test('gets a category by id, with its product count', async () => {
      const category = await getCategory(tools.id);
      assert.equal(category.id, tools.id);
      assert.equal(category.name, 'Garden Tools');
      assert.equal(category.slug, 'garden-tools');
      assert.equal(category.productCount, 2);
    });

    test('gets a category by slug, with its product count', async () => {
      const category = await getCategory('books');
      assert.equal(category.id, books.id);
      assert.equal(category.productCount, 1);
    });

    test('counts products as they are added to and removed from the category', async () => {
      const created = await dema.createProduct({ name: 'Bookend', price: 12, stock: 2, categoryId: books.id });
      assert.equal((await getCategory(books.id)).productCount, 2);
      assert.equal((await dema.admin('DELETE', `/api/products/${created.id}`)).status, 204);
      assert.equal((await getCategory(books.id)).productCount, 1);
    });

    test('answers 404 CATEGORY_NOT_FOUND for an unknown slug', async () => {
      await expectProblem(await dema.anonymous('GET', '/api/categories/no-such-category'), 404, 'CATEGORY_NOT_FOUND');
    });

    test('answers 404 CATEGORY_NOT_FOUND for an unknown id', async () => {
      await expectProblem(await dema.anonymous('GET', `/api/categories/${absentId}`), 404, 'CATEGORY_NOT_FOUND');
    });

    test('creates a category with a slug derived from its name, answering 201 with its location', async () => {
      const response = await dema.admin('POST', '/api/categories', { name: 'Home & Kitchen', description: 'Pots and pans' });
      assert.equal(response.status, 201, await response.clone().text());
      const created = (await response.json()) as Category;
      assert.equal(created.slug, 'home-kitchen');
      assert.equal(created.name, 'Home & Kitchen');
      assert.equal(created.description, 'Pots and pans');
      assert.equal(created.productCount, 0);
      assert.equal(response.headers.get('location'), `/api/categories/${created.id}`);
      assert.deepEqual(await getCategory('home-kitchen'), created);
    });

    test("a name with a uuid's shape gets a slug that is not one, and the category is read by it", async () => {
      const name = '0b5c1f7e-2d3a-4c8b-9e6f-1a2b3c4d5e6f';
      const response = await dema.admin('POST', '/api/categories', { name });
      assert.equal(response.status, 201, await response.clone().text());
      const created = (await response.json()) as Category;
      assert.equal(created.slug, `${name}-category`);
      assert.deepEqual(await getCategory(created.slug), created);
      assert.equal((await dema.admin('DELETE', `/api/categories/${created.id}`)).status, 204);
    });

    test('creates a category with the slug it is given', async () => {
      const response = await dema.admin('POST', '/api/categories', { name: 'Toys & Games', slug: 'toys' });
      assert.equal(response.status, 201, await response.clone().text());
      assert.equal(((await response.json()) as Category).slug, 'toys');
      assert.equal((await getCategory('toys')).name, 'Toys & Games');
    });

    test('refuses a name whose derived slug is taken with 409 CATEGORY_SLUG_TAKEN naming body.name, creating nothing', async () => {
      const before = await dema.count('categories');
      const problem = await expectProblem(await dema.admin('POST', '/api/categories', { name: 'Garden  Tools!' }), 409, 'CATEGORY_SLUG_TAKEN');
      assert.deepEqual(problem.invalidParams, [
        { name: 'body.name', reason: 'gives the slug garden-tools, which another category has; send a slug of its own' },
      ]);
      assert.equal(await dema.count('categories'), before);
    });

    test('refuses an explicit slug that is taken with 409 CATEGORY_SLUG_TAKEN naming body.slug', async () => {
      const before = await dema.count('categories');
      const problem = await expectProblem(await dema.admin('POST', '/api/categories', { name: 'Other Books', slug: 'books' }), 409, 'CATEGORY_SLUG_TAKEN');
      assert.deepEqual(problem.invalidParams, [{ name: 'body.slug', reason: 'is already used by another category' }]);
      assert.equal(await dema.count('categories'), before);
    });

    test("refuses changing a category's slug to one that is taken with 409 CATEGORY_SLUG_TAKEN naming body.slug", async () => {
      const problem = await expectProblem(await dema.admin('PUT', `/api/categories/${empty.id}`, { slug: 'books' }), 409, 'CATEGORY_SLUG_TAKEN');
      assert.deepEqual(problem.invalidParams, [{ name: 'body.slug', reason: 'is already used by another category' }]);
      assert.equal((await getCategory(empty.id)).slug, 'empty-shelf');
    });

    test('updates the name and description of a category, keeping its slug', async () => {
      const created = await dema.createCategory('Stationery');
      const response = await dema.admin('PUT', `/api/categories/${created.id}`, { name: 'Paper Goods', description: 'Notebooks and pens' });
      assert.equal(response.status, 200, await response.clone().text());
      const updated = (await response.json()) as Category;
      assert.equal(updated.name, 'Paper Goods');
      assert.equal(updated.description, 'Notebooks and pens');
      assert.equal(updated.slug, 'stationery');
      assert.deepEqual(await getCategory(created.id), updated);
    });

    test('keeps a name without the spaces around it, and derives the slug from what is kept', async () => {
      const response = await dema.admin('POST', '/api/categories', { name: '  Seeds & Bulbs ' });
      assert.equal(response.status, 201, await response.clone().text());
      const created = (await response.json()) as Category;
      assert.equal(created.name, 'Seeds & Bulbs');
      assert.equal(created.slug, 'seeds-bulbs');
      const renamed = await dema.admin('PUT', `/api/categories/${created.id}`, { name: '\tBulbs ' });
      assert.equal(renamed.status, 200, await renamed.clone().text());
      assert.equal(((await renamed.json()) as Category).name, 'Bulbs');
      assert.equal((await dema.admin('DELETE', `/api/categories/${created.id}`)).status, 204);
    });

    test('clears a description with null and leaves the other fields alone', async () => {
      const created = await dema.createCategory('Lighting');
      await dema.admin('PUT', `/api/categories/${created.id}`, { description: 'Lamps' });
      const response = await dema.admin('PUT', `/api/categories/${created.id}`, { description: null });
      assert.equal(response.status, 200, await response.clone().text());
      const updated = (await response.json()) as Category;
      assert.equal(updated.description, null);
      assert.equal(updated.name, 'Lighting');
    });

    test('answers 404 CATEGORY_NOT_FOUND when updating a category that does not exist', async () => {
      await expectProblem(await dema.admin('PUT', `/api/categories/${absentId}`, { name: 'Ghost' }), 404, 'CATEGORY_NOT_FOUND');
    });

    test('refuses deleting a category that has products with 409 CATEGORY_NOT_EMPTY; it and its products stay as they were', async () => {
      await expectProblem(await dema.admin('DELETE', `/api/categories/${tools.id}`), 409, 'CATEGORY_NOT_EMPTY');
      const still = await getCategory(tools.id);
      assert.equal(still.productCount, 2);
      const page = (await (await dema.anonymous('GET', `/api/products?category=${tools.id}&sort=name`)).json()) as ProductPage;
      assert.deepEqual(
        page.items.map((p) => [p.name, p.category.id]),
        [
          ['Rake', tools.id],
          ['Spade', tools.id],
        ],
      );
    });

    test('deletes a category once its products moved to the default category', async () => {
      const category = await dema.createCategory('Emptied Out');
      const product = await dema.createProduct({ name: 'Moved Away', price: 3, stock: 1, categoryId: category.id });
      await expectProblem(await dema.admin('DELETE', `/api/categories/${category.id}`), 409, 'CATEGORY_NOT_EMPTY');
      assert.equal((await dema.admin('PUT', `/api/products/${product.id}`, { categoryId: defaultCategoryId })).status, 200);
      assert.equal((await dema.admin('DELETE', `/api/categories/${category.id}`)).status, 204);
      assert.equal(((await (await dema.anonymous('GET', `/api/products/${product.id}`)).json()) as Product).category.id, defaultCategoryId);
      // The default category's own tests below start from it empty.
      assert.equal((await dema.admin('DELETE', `/api/products/${product.id}`)).status, 204);
    });

    test('a category deleted while a product is created in it: one of the two wins cleanly, never a 500 or a product without its category', async () => {
      for (let round = 0; round < 20; round += 1) {
        const category = await dema.createCategory(`Contested ${round}`);
        const [deleted, created] = await Promise.all([
          dema.admin('DELETE', `/api/categories/${category.id}`),
          dema.admin('POST', '/api/products', { name: `Contested product ${round}`, price: 5, stock: 1, categoryId: category.id }),
        ]);
        const outcome = `${deleted.status}/${created.status}`;
        if (deleted.status === 204) {
          await expectProblem(created, 422, 'CATEGORY_NOT_FOUND');
        } else {
          assert.equal(created.status, 201, outcome);
          await expectProblem(deleted, 409, 'CATEGORY_NOT_EMPTY');
          const product = (await created.json()) as Product;
          assert.equal(product.category.id, category.id);
          assert.equal((await dema.admin('DELETE', `/api/products/${product.id}`)).status, 204);
          assert.equal((await dema.admin('DELETE', `/api/categories/${category.id}`)).status, 204);
        }
      }
    });

    test('deletes an empty category: 204, then 404', async () => {
      const created = await dema.createCategory('Short Lived');
      const response = await dema.admin('DELETE', `/api/categories/${created.id}`);
      assert.equal(response.status, 204);
      assert.equal(await response.text(), '');
      await expectProblem(await dema.anonymous('GET', `/api/categories/${created.id}`), 404, 'CATEGORY_NOT_FOUND');
      await expectProblem(await dema.admin('DELETE', `/api/categories/${created.id}`), 404, 'CATEGORY_NOT_FOUND');
    });

    test("a rename shows in the product list's embedded category on the very next read", async () => {
      const category = await dema.createCategory('Renamed Later');
      await dema.createProduct({ name: 'Watering Can', price: 15, stock: 3, categoryId: category.id });
      const read = async () => {
        const response = await dema.anonymous('GET', `/api/products?category=${category.id}`);
        assert.equal(response.status, 200);
        return ((await response.json()) as ProductPage).items[0]!.category.name;
      };
      assert.equal(await read(), 'Renamed Later');
      assert.equal(await read(), 'Renamed Later'); // now served from the cache
      assert.equal((await dema.admin('PUT', `/api/categories/${category.id}`, { name: 'Renamed Now' })).status, 200);
      assert.equal(await read(), 'Renamed Now');
    });

    test("a rename shows in a product's embedded category on the very next read", async () => {
      const category = await dema.createCategory('Detail Before');
      const product = await dema.createProduct({ name: 'Hose', price: 30, stock: 1, categoryId: category.id });
      const read = async () => {
        const response = await dema.anonymous('GET', `/api/products/${product.id}`);
        assert.equal(response.status, 200);
        return ((await response.json()) as Product).category.name;
      };
      assert.equal(await read(), 'Detail Before');
      assert.equal(await read(), 'Detail Before');
      assert.equal((await dema.admin('PUT', `/api/categories/${category.id}`, { name: 'Detail After' })).status, 200);
      assert.equal(await read(), 'Detail After');
    });

    describe('the default category', () => {
      const uncategorized = { id: defaultCategoryId, name: 'Uncategorized', slug: 'uncategorized' };

      test('exists from the start, listed with the others, with the id the contracts export', async () => {
        const listed = (await listCategories()).find((c) => c.id === defaultCategoryId);
        assert.deepEqual(listed && { id: listed.id, name: listed.name, slug: listed.slug }, uncategorized);
        assert.equal((await getCategory('uncategorized')).id, defaultCategoryId);
      });

      test('cannot be deleted, even when empty: 409 CATEGORY_DEFAULT naming path.id; it still exists', async () => {
        assert.equal((await getCategory(defaultCategoryId)).productCount, 0);
        const response = await dema.admin('DELETE', `/api/categories/${defaultCategoryId}`);
        const text = await response.text();
        assert.equal(response.status, 409, text);
        const problem = JSON.parse(text) as { code: string; invalidParams: Array<{ name: string }> };
        assert.equal(problem.code, 'CATEGORY_DEFAULT');
        assert.deepEqual(
          problem.invalidParams.map((p) => p.name),
          ['path.id'],
        );
        assert.equal((await getCategory(defaultCategoryId)).name, 'Uncategorized');
      });

      test('takes a product created without categoryId', async () => {
        const product = await dema.createProduct({ name: 'Unfiled Trowel', price: 8, stock: 2 });
        assert.deepEqual(product.category, uncategorized);
        const read = (await (await dema.anonymous('GET', `/api/products/${product.id}`)).json()) as Product;
        assert.deepEqual(read.category, uncategorized);
        const page = (await (await dema.anonymous('GET', '/api/products?category=uncategorized')).json()) as ProductPage;
        assert.deepEqual(
          page.items.map((p) => p.name),
          ['Unfiled Trowel'],
        );
        assert.equal((await getCategory(defaultCategoryId)).productCount, 1);
      });

      test('cannot be deleted while it has products either: 409 CATEGORY_DEFAULT', async () => {
        assert.ok((await getCategory(defaultCategoryId)).productCount > 0);
        await expectProblem(await dema.admin('DELETE', `/api/categories/${defaultCategoryId}`), 409, 'CATEGORY_DEFAULT');
      });

      test('a product moves out of the default category and back in, and the counts follow', async () => {
        const product = await dema.createProduct({ name: 'Drifting Pot', price: 6, stock: 1 });
        const count = async (id: string) => (await getCategory(id)).productCount;
        const [inDefault, inBooks] = [await count(defaultCategoryId), await count(books.id)];
        const moveTo = async (categoryId: string) => {
          const response = await dema.admin('PUT', `/api/products/${product.id}`, { categoryId });
          assert.equal(response.status, 200, await response.clone().text());
          return ((await response.json()) as Product).category.id;
        };
        assert.equal(await moveTo(books.id), books.id);
        assert.deepEqual([await count(defaultCategoryId), await count(books.id)], [inDefault - 1, inBooks + 1]);
        assert.equal(await moveTo(defaultCategoryId), defaultCategoryId);
        assert.deepEqual([await count(defaultCategoryId), await count(books.id)], [inDefault, inBooks]);
        assert.equal(((await (await dema.anonymous('GET', `/api/products/${product.id}`)).json()) as Product).category.id, defaultCategoryId);
      });

      test('can be renamed; its products show the new name and it keeps its id', async () => {
        const product = await dema.createProduct({ name: 'Renamed Home', price: 4, stock: 1 });
        const response = await dema.admin('PUT', `/api/categories/${defaultCategoryId}`, { name: 'Everything Else' });
        assert.equal(response.status, 200, await response.clone().text());
        assert.equal(((await response.json()) as Category).id, defaultCategoryId);
        const read = (await (await dema.anonymous('GET', `/api/products/${product.id}`)).json()) as Product;
        assert.deepEqual(read.category, { ...uncategorized, name: 'Everything Else' });
        const created = await dema.createProduct({ name: 'After Rename', price: 4, stock: 1 });
        assert.deepEqual(created.category, { ...uncategorized, name: 'Everything Else' });
        assert.equal((await dema.admin('PUT', `/api/categories/${defaultCategoryId}`, { name: 'Uncategorized' })).status, 200);
      });

      test("the database refuses a product without category, whatever the API's checks", async () => {
        const [product] = ((await (await dema.anonymous('GET', '/api/products?limit=1')).json()) as ProductPage).items;
        const db = await dema.infra.database('product');
        await assert.rejects(db.query('UPDATE products SET category_id = NULL WHERE id = $1', [product!.id]), /null/i);
      });
    });

    test('refuses anonymous writes with 401 UNAUTHENTICATED, changing nothing', async () => {
      const before = await listCategories();
      await expectProblem(await dema.anonymous('POST', '/api/categories', { name: 'Sneaky' }), 401, 'UNAUTHENTICATED');
      await expectProblem(await dema.anonymous('PUT', `/api/categories/${empty.id}`, { name: 'Sneaky' }), 401, 'UNAUTHENTICATED');
      await expectProblem(await dema.anonymous('DELETE', `/api/categories/${empty.id}`), 401, 'UNAUTHENTICATED');
      assert.deepEqual(await listCategories(), before);
    });
  });
}
