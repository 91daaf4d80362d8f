import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Problem, Product } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startProductService, type ProductTestProcess } from './helpers.ts';

const absentId = '7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a';
/** Names that show nothing: spaces, a tab and a newline, a no-break space, zero-width characters, a Hangul filler. */
const invisibleNames = ['   ', '\t\n', '\u00a0', '\u200b\u200b', ' \u200d\ufeff ', '\u3164'];

interface Expected {
  status: number;
  code: string;
  /** Exactly the fields `invalidParams` must name; omit for problems about the body as a whole. */
  fields?: string[];
}

/** Everything a rejected request could have touched, read straight from the database and the API. */
async function snapshot(dema: ProductTestProcess, productIds: string[]) {
  const db = await dema.infra.database('product');
  const counts = {
    products: await dema.count('products'),
    product_variants: await dema.count('product_variants'),
    categories: await dema.count('categories'),
    outbox: await dema.count('outbox'),
  };
  const rows = {
    products: (
      await db.query(
        'SELECT id, name, description, price::text AS price, stock, weight_grams, category_id, updated_at::text AS updated_at FROM products ORDER BY id',
      )
    ).rows,
    variants: (
      await db.query('SELECT id, product_id, name, sku, price::text AS price, stock, weight_grams, options, position FROM product_variants ORDER BY id')
    ).rows,
    categories: (await db.query('SELECT id, name, slug, description, updated_at::text AS updated_at FROM categories ORDER BY id')).rows,
  };
  const reread: Product[] = [];
  for (const id of productIds) {
    const response = await dema.anonymous('GET', `/api/products/${id}`);
    assert.equal(response.status, 200);
    reread.push((await response.json()) as Product);
  }
  return { counts, rows, reread };
}

/** Sends `request`, checks the problem it gets back, and that nothing at all was written. */
async function assertRejected(dema: ProductTestProcess, request: () => Promise<Response>, expected: Expected, productIds: string[]): Promise<Problem> {
  const before = await snapshot(dema, productIds);
  const response = await request();
  const text = await response.text();
  assert.equal(response.status, expected.status, text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(text) as Problem;
  assert.equal(problem.status, expected.status);
  assert.equal(problem.code, expected.code);
  assert.equal(typeof problem.type, 'string');
  assert.ok(problem.type.length > 0, 'type');
  assert.equal(typeof problem.title, 'string');
  assert.equal(typeof problem.detail, 'string');
  if (expected.fields) {
    const named = [...new Set((problem.invalidParams ?? []).map((p) => p.name))].sort();
    assert.deepEqual(named, [...expected.fields].sort(), `invalidParams: ${JSON.stringify(problem.invalidParams)}`);
    for (const param of problem.invalidParams ?? []) assert.ok(param.reason.length > 0, `a reason for ${param.name}`);
  }
  const after = await snapshot(dema, productIds);
  assert.deepEqual(after.counts, before.counts, 'row counts changed');
  assert.deepEqual(after.rows, before.rows, 'rows changed');
  assert.deepEqual(after.reread, before.reread, 'the product as re-read changed');
  return problem;
}

for (const target of testTargets()) {
  describe(`bad input is refused with a problem and changes nothing (${target.name})`, () => {
    let dema: ProductTestProcess;
    let kitchen: { id: string; slug: string };
    /** A product keeping its own stock. */
    let kettle: Product;
    /** A product whose stock lives in its variants. */
    let shirt: Product;
    /** Another product with variants, whose SKUs and variant ids the others must not take. */
    let mug: Product;

    before(async () => {
      dema = await startProductService(target);
      kitchen = await dema.createCategory('Kitchen');
      kettle = await dema.createProduct({ name: 'Kettle', price: 35, stock: 3, categoryId: kitchen.id });
      shirt = await dema.createProduct({
        name: 'Shirt',
        price: 20,
        categoryId: kitchen.id,
        variants: [
          { name: 'Small', sku: 'SHIRT-S', stock: 2 },
          { name: 'Large', sku: 'SHIRT-L', stock: 1 },
        ],
      });
      mug = await dema.createProduct({
        name: 'Mug',
        price: 8,
        categoryId: kitchen.id,
        variants: [{ name: 'White', sku: 'MUG-W', stock: 4 }],
      });
    });
    after(() => dema.dispose());

    const valid = () => ({ name: 'Probe', price: 10, stock: 5, categoryId: kitchen.id });
    const all = () => [kettle.id, shirt.id, mug.id];
    const create = (body: unknown) => () => dema.admin('POST', '/api/products', body);
    const update = (id: string, body: unknown) => () => dema.admin('PUT', `/api/products/${id}`, body);
    const adjust = (id: string, body: unknown) => () => dema.admin('POST', `/api/products/${id}/stock-adjustments`, body);
    const list = (query: string) => () => dema.anonymous('GET', `/api/products${query}`);
    const withContentType = (method: string, url: string, contentType: string, body: string) => () =>
      fetch(`${dema.url}${url}`, { method, headers: { authorization: `Bearer ${dema.adminToken}`, 'content-type': contentType }, body });
    const invalid = (fields: string[]): Expected => ({ status: 400, code: 'VALIDATION_FAILED', fields });

    describe('POST /api/products', () => {
      test('refuses a price sent as a string', async () => {
        await assertRejected(dema, create({ ...valid(), price: '12' }), invalid(['body.price']), all());
      });

      test('refuses a stock that is not a whole number', async () => {
        await assertRejected(dema, create({ ...valid(), stock: 1.5 }), invalid(['body.stock']), all());
      });

      test('refuses a name that is a number', async () => {
        await assertRejected(dema, create({ ...valid(), name: 42 }), invalid(['body.name']), all());
      });

      test('refuses an unknown field, naming it', async () => {
        await assertRejected(dema, create({ ...valid(), colour: 'red' }), invalid(['body.colour']), all());
      });

      test('refuses a negative price', async () => {
        await assertRejected(dema, create({ ...valid(), price: -1 }), invalid(['body.price']), all());
      });

      test('refuses a negative stock', async () => {
        await assertRejected(dema, create({ ...valid(), stock: -1 }), invalid(['body.stock']), all());
      });

      test('refuses a price with three decimals', async () => {
        await assertRejected(dema, create({ ...valid(), price: 10.001 }), invalid(['body.price']), all());
      });

      test('refuses a price above 99999999.99', async () => {
        await assertRejected(dema, create({ ...valid(), price: 100_000_000 }), invalid(['body.price']), all());
      });

      test('refuses a name of 256 characters', async () => {
        await assertRejected(dema, create({ ...valid(), name: 'n'.repeat(256) }), invalid(['body.name']), all());
      });

      test('refuses a name or a variant name with no visible character, naming the field and why', async () => {
        for (const name of invisibleNames) {
          const problem = await assertRejected(dema, create({ ...valid(), name }), invalid(['body.name']), all());
          assert.deepEqual(problem.invalidParams, [{ name: 'body.name', reason: 'must have a visible character, not only spaces' }]);
          const byVariant = {
            name: 'Probe',
            price: 10,
            categoryId: kitchen.id,
            variants: [
              { name: 'One', stock: 1 },
              { name, stock: 1 },
            ],
          };
          await assertRejected(dema, create(byVariant), invalid(['body.variants.1.name']), all());
        }
      });

      test('refuses a description of 10001 characters', async () => {
        await assertRejected(dema, create({ ...valid(), description: 'd'.repeat(10_001) }), invalid(['body.description']), all());
      });

      test('names a bad field inside a variant by its path', async () => {
        const body = { name: 'Probe', price: 10, categoryId: kitchen.id, variants: [{ name: 'One', stock: -2 }] };
        await assertRejected(dema, create(body), invalid(['body.variants.0.stock']), all());
      });

      test('refuses a weight that is negative, fractional, above a tonne or null, naming body.weightGrams', async () => {
        for (const weightGrams of [-1, 1.5, 1_000_001, null, '250']) {
          await assertRejected(dema, create({ ...valid(), weightGrams }), invalid(['body.weightGrams']), all());
        }
      });

      test("names each bad variant weight by its path; null is the product's weight, not an error", async () => {
        const body = {
          name: 'Probe',
          price: 10,
          categoryId: kitchen.id,
          variants: [
            { name: 'A', stock: 1, weightGrams: -1 },
            { name: 'B', stock: 1, weightGrams: null },
            { name: 'C', stock: 1, weightGrams: 2.5 },
            { name: 'D', stock: 1, weightGrams: 1_000_001 },
          ],
        };
        await assertRejected(dema, create(body), invalid(['body.variants.0.weightGrams', 'body.variants.2.weightGrams', 'body.variants.3.weightGrams']), all());
      });

      test('lists every bad field when there are several', async () => {
        const body = { name: 42, price: '12', stock: 1.5, categoryId: 'not-a-uuid', colour: 'red' };
        await assertRejected(dema, create(body), invalid(['body.name', 'body.price', 'body.stock', 'body.categoryId', 'body.colour']), all());
      });

      test('answers malformed JSON with 400 MALFORMED_BODY', async () => {
        await assertRejected(dema, create('{"name":'), { status: 400, code: 'MALFORMED_BODY' }, all());
      });

      test('answers an empty body sent as JSON with 400 MALFORMED_BODY', async () => {
        await assertRejected(dema, create(''), { status: 400, code: 'MALFORMED_BODY' }, all());
      });

      test('answers a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
        const request = withContentType('POST', '/api/products', 'text/plain', JSON.stringify(valid()));
        await assertRejected(dema, request, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, all());
      });

      test('answers a form-encoded body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
        const request = withContentType('POST', '/api/products', 'application/x-www-form-urlencoded', 'name=Probe&price=10');
        await assertRejected(dema, request, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, all());
      });

      test('refuses a category that does not exist with 422 CATEGORY_NOT_FOUND', async () => {
        await assertRejected(
          dema,
          create({ ...valid(), categoryId: absentId }),
          { status: 422, code: 'CATEGORY_NOT_FOUND', fields: ['body.categoryId'] },
          all(),
        );
      });

      test('refuses stock given together with variants with 422', async () => {
        const body = { ...valid(), variants: [{ name: 'One', sku: 'PROBE-1', stock: 1 }] };
        await assertRejected(dema, create(body), { status: 422, code: 'STOCK_MANAGED_BY_VARIANTS', fields: ['body.stock'] }, all());
      });

      test('refuses a product with neither stock nor variants with 422', async () => {
        const { stock: _omitted, ...body } = valid();
        await assertRejected(dema, create(body), { status: 422, code: 'VALIDATION_FAILED', fields: ['body.stock'] }, all());
      });

      test('refuses the same SKU twice in one request with 422, naming the repeat', async () => {
        const body = {
          name: 'Probe',
          price: 10,
          categoryId: kitchen.id,
          variants: [
            { name: 'A', sku: 'DUP-1', stock: 1 },
            { name: 'B', sku: 'DUP-1', stock: 1 },
          ],
        };
        await assertRejected(dema, create(body), { status: 422, code: 'SKU_TAKEN', fields: ['body.variants.1.sku'] }, all());
      });

      test('refuses an SKU already used by another product with 409 SKU_TAKEN, naming the variant', async () => {
        const body = { name: 'Probe', price: 10, categoryId: kitchen.id, variants: [{ name: 'White', sku: 'MUG-W', stock: 1 }] };
        await assertRejected(dema, create(body), { status: 409, code: 'SKU_TAKEN', fields: ['body.variants.0.sku'] }, all());
      });
    });

    describe('PUT /api/products/:id', () => {
      test('refuses a price sent as a string', async () => {
        await assertRejected(dema, update(kettle.id, { price: '12' }), invalid(['body.price']), all());
      });

      test('refuses a stock that is not a whole number', async () => {
        await assertRejected(dema, update(kettle.id, { stock: 1.5 }), invalid(['body.stock']), all());
      });

      test('refuses a name that is a number', async () => {
        await assertRejected(dema, update(kettle.id, { name: 42 }), invalid(['body.name']), all());
      });

      test('refuses an unknown field, naming it', async () => {
        await assertRejected(dema, update(kettle.id, { price: 11, colour: 'red' }), invalid(['body.colour']), all());
      });

      test('refuses a negative price', async () => {
        await assertRejected(dema, update(kettle.id, { price: -0.01 }), invalid(['body.price']), all());
      });

      test('refuses a negative stock', async () => {
        await assertRejected(dema, update(kettle.id, { stock: -1 }), invalid(['body.stock']), all());
      });

      test('refuses a price with three decimals', async () => {
        await assertRejected(dema, update(kettle.id, { price: 10.001 }), invalid(['body.price']), all());
      });

      test('refuses a price above 99999999.99', async () => {
        await assertRejected(dema, update(kettle.id, { price: 100_000_000 }), invalid(['body.price']), all());
      });

      test('refuses a name of 256 characters', async () => {
        await assertRejected(dema, update(kettle.id, { name: 'n'.repeat(256) }), invalid(['body.name']), all());
      });

      test('refuses a name or a variant name with no visible character, naming the field', async () => {
        for (const name of invisibleNames) {
          await assertRejected(dema, update(kettle.id, { name }), invalid(['body.name']), all());
          await assertRejected(dema, update(shirt.id, { variants: [{ name, stock: 1 }] }), invalid(['body.variants.0.name']), all());
        }
      });

      test('refuses a description of 10001 characters', async () => {
        await assertRejected(dema, update(kettle.id, { description: 'd'.repeat(10_001) }), invalid(['body.description']), all());
      });

      test('refuses a weight that is negative, fractional, above a tonne or null, naming body.weightGrams', async () => {
        for (const weightGrams of [-1, 0.5, 1_000_001, null]) {
          await assertRejected(dema, update(kettle.id, { weightGrams }), invalid(['body.weightGrams']), all());
        }
      });

      test('names a bad variant weight by its path, and changes no variant', async () => {
        const variants = shirt.variants.map((v, index) => ({ id: v.id, name: v.name, stock: v.stock, weightGrams: index === 1 ? -5 : 300 }));
        await assertRejected(dema, update(shirt.id, { variants }), invalid(['body.variants.1.weightGrams']), all());
        variants[1]!.weightGrams = 12.25;
        await assertRejected(dema, update(shirt.id, { weightGrams: 200, variants }), invalid(['body.variants.1.weightGrams']), all());
      });

      test('refuses an empty object: there is nothing to update', async () => {
        await assertRejected(dema, update(kettle.id, {}), invalid(['body']), all());
      });

      test('lists every bad field when there are several', async () => {
        await assertRejected(
          dema,
          update(kettle.id, { name: '', price: '12', stock: -1, colour: 'red' }),
          invalid(['body.name', 'body.price', 'body.stock', 'body.colour']),
          all(),
        );
      });

      test('answers malformed JSON with 400 MALFORMED_BODY', async () => {
        await assertRejected(dema, update(kettle.id, '{"name":'), { status: 400, code: 'MALFORMED_BODY' }, all());
      });

      test('answers an empty body sent as JSON with 400 MALFORMED_BODY', async () => {
        await assertRejected(dema, update(kettle.id, ''), { status: 400, code: 'MALFORMED_BODY' }, all());
      });

      test('answers a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
        const request = withContentType('PUT', `/api/products/${kettle.id}`, 'text/plain', JSON.stringify({ price: 11 }));
        await assertRejected(dema, request, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, all());
      });

      test('refuses an id that is not a uuid, naming path.id', async () => {
        await assertRejected(dema, update('not-a-uuid', { price: 11 }), invalid(['path.id']), all());
      });

      test('refuses a category that does not exist with 422 CATEGORY_NOT_FOUND', async () => {
        await assertRejected(
          dema,
          update(kettle.id, { price: 11, categoryId: absentId }),
          { status: 422, code: 'CATEGORY_NOT_FOUND', fields: ['body.categoryId'] },
          all(),
        );
      });

      test('refuses stock on a product whose stock lives in its variants with 422', async () => {
        await assertRejected(dema, update(shirt.id, { stock: 10 }), { status: 422, code: 'STOCK_MANAGED_BY_VARIANTS', fields: ['body.stock'] }, all());
      });

      test('refuses the same SKU twice in one request with 422, naming the repeat', async () => {
        const variants = [
          { name: 'A', sku: 'SHIRT-S', stock: 1 },
          { name: 'B', sku: 'SHIRT-S', stock: 1 },
        ];
        await assertRejected(dema, update(shirt.id, { variants }), { status: 422, code: 'SKU_TAKEN', fields: ['body.variants.1.sku'] }, all());
      });

      test('refuses an SKU already used by another product with 409 SKU_TAKEN, naming the variant', async () => {
        const [small, large] = shirt.variants;
        const variants = [
          { id: small!.id, name: 'Small', sku: 'SHIRT-S', stock: 2 },
          { id: large!.id, name: 'Large', sku: 'MUG-W', stock: 1 },
        ];
        await assertRejected(dema, update(shirt.id, { price: 21, variants }), { status: 409, code: 'SKU_TAKEN', fields: ['body.variants.1.sku'] }, all());
      });

      test('refuses the same variant id twice in one request with 422, naming the repeat', async () => {
        const [small] = shirt.variants;
        const variants = [
          { id: small!.id, name: 'Small', stock: 2 },
          { id: small!.id.toUpperCase(), name: 'Small again', stock: 5 },
        ];
        await assertRejected(dema, update(shirt.id, { variants }), { status: 422, code: 'VALIDATION_FAILED', fields: ['body.variants.1.id'] }, all());
      });

      test("refuses another product's variant id with 422 VARIANT_NOT_FOUND", async () => {
        const variants = [{ id: mug.variants[0]!.id, name: 'Stolen', sku: 'SHIRT-X', stock: 7 }];
        await assertRejected(
          dema,
          update(shirt.id, { price: 21, variants }),
          { status: 422, code: 'VARIANT_NOT_FOUND', fields: ['body.variants.0.id'] },
          all(),
        );
      });

      test('answers 404 PRODUCT_NOT_FOUND for a product that does not exist', async () => {
        await assertRejected(dema, update(absentId, { price: 11 }), { status: 404, code: 'PRODUCT_NOT_FOUND' }, all());
      });
    });

    describe('GET /api/products query parameters', () => {
      test('refuses limit=0', async () => {
        await assertRejected(dema, list('?limit=0'), invalid(['query.limit']), all());
      });

      test('refuses limit=abc', async () => {
        await assertRejected(dema, list('?limit=abc'), invalid(['query.limit']), all());
      });

      test('refuses a number not written in plain decimal digits, and a blank one, naming it as not a number', async () => {
        for (const query of ['limit=0x10', 'limit=%2B5', 'limit=1e1', 'limit=%20', 'limit=', 'minPrice=0x10', 'minPrice=.5']) {
          const problem = await assertRejected(dema, list(`?${query}`), invalid([`query.${query.split('=')[0]}`]), all());
          assert.match(problem.invalidParams![0]!.reason, /^must be an? (integer|number) in plain decimal digits/, query);
        }
      });

      test('takes a number written in plain decimal digits', async () => {
        const response = await dema.anonymous('GET', '/api/products?limit=05&offset=0&minPrice=0.5&maxPrice=100');
        assert.equal(response.status, 200, await response.clone().text());
        assert.equal(((await response.json()) as { limit: number }).limit, 5);
      });

      test('refuses an unknown sort', async () => {
        const problem = await assertRejected(dema, list('?sort=popular'), invalid(['query.sort']), all());
        assert.match(problem.invalidParams![0]!.reason, /newest/);
      });

      test('refuses a sort given twice, saying so rather than what each alternative is', async () => {
        const problem = await assertRejected(dema, list('?sort=price&sort=name'), invalid(['query.sort']), all());
        assert.deepEqual(problem.invalidParams, [{ name: 'query.sort', reason: 'is given 2 times; give it once' }]);
      });

      test('refuses a negative minPrice', async () => {
        await assertRejected(dema, list('?minPrice=-1'), invalid(['query.minPrice']), all());
      });

      test('refuses an unknown query parameter, naming it', async () => {
        await assertRejected(dema, list('?colour=red'), invalid(['query.colour']), all());
      });

      test('lists every bad parameter when there are several', async () => {
        await assertRejected(
          dema,
          list('?limit=0&sort=popular&minPrice=-1&colour=red'),
          invalid(['query.limit', 'query.sort', 'query.minPrice', 'query.colour']),
          all(),
        );
      });
    });

    describe('POST /api/products/:id/stock-adjustments', () => {
      test('refuses a delta of 0, saying it must not be 0', async () => {
        const problem = await assertRejected(dema, adjust(kettle.id, { delta: 0 }), invalid(['body.delta']), all());
        assert.deepEqual(problem.invalidParams, [{ name: 'body.delta', reason: 'must not be 0' }]);
      });

      test('refuses a delta that is not a whole number', async () => {
        await assertRejected(dema, adjust(kettle.id, { delta: 1.5 }), invalid(['body.delta']), all());
      });

      test('refuses a delta sent as a string', async () => {
        await assertRejected(dema, adjust(kettle.id, { delta: '2' }), invalid(['body.delta']), all());
      });

      test('refuses taking the stock below zero with 409 INSUFFICIENT_STOCK: stock unchanged, no event', async () => {
        await assertRejected(dema, adjust(kettle.id, { delta: -4 }), { status: 409, code: 'INSUFFICIENT_STOCK' }, all());
        const reread = (await (await dema.anonymous('GET', `/api/products/${kettle.id}`)).json()) as Product;
        assert.equal(reread.stock, 3);
      });

      test("refuses taking a variant's stock below zero with 409 INSUFFICIENT_STOCK", async () => {
        const body = { delta: -3, variantId: shirt.variants[0]!.id };
        await assertRejected(dema, adjust(shirt.id, body), { status: 409, code: 'INSUFFICIENT_STOCK' }, all());
      });

      test("refuses another product's variant with 422 VARIANT_NOT_FOUND", async () => {
        const body = { delta: 1, variantId: mug.variants[0]!.id };
        await assertRejected(dema, adjust(shirt.id, body), { status: 422, code: 'VARIANT_NOT_FOUND', fields: ['body.variantId'] }, all());
      });

      test('refuses an adjustment without variantId on a product whose stock lives in its variants', async () => {
        await assertRejected(dema, adjust(shirt.id, { delta: 1 }), { status: 422, code: 'STOCK_MANAGED_BY_VARIANTS', fields: ['body.variantId'] }, all());
      });
    });

    describe('categories', () => {
      const createCategory = (body: unknown) => () => dema.admin('POST', '/api/categories', body);

      test('refuses a category name that is a number', async () => {
        await assertRejected(dema, createCategory({ name: 42 }), invalid(['body.name']), all());
      });

      test('refuses an unknown field on a category, naming it', async () => {
        await assertRejected(dema, createCategory({ name: 'Garden', colour: 'green' }), invalid(['body.colour']), all());
      });

      test('refuses a slug that is not lower-case words joined by hyphens', async () => {
        await assertRejected(dema, createCategory({ name: 'Garden', slug: 'Garden Tools' }), invalid(['body.slug']), all());
      });

      test("refuses a slug with a uuid's shape, which would be read as a category id, on create and update", async () => {
        // As a slug, another category's id would shadow it: GET /api/categories/<it> reads the other one.
        for (const slug of ['00000000-0000-0000-0000-000000000001', kitchen.id]) {
          await assertRejected(dema, createCategory({ name: 'Shadow', slug }), invalid(['body.slug']), all());
          await assertRejected(dema, () => dema.admin('PUT', `/api/categories/${kitchen.id}`, { slug }), invalid(['body.slug']), all());
        }
      });

      test('refuses a category name of 256 characters', async () => {
        await assertRejected(dema, createCategory({ name: 'n'.repeat(256) }), invalid(['body.name']), all());
      });

      test('refuses a category name with no visible character, on create and update', async () => {
        for (const name of invisibleNames) {
          await assertRejected(dema, createCategory({ name }), invalid(['body.name']), all());
          await assertRejected(dema, () => dema.admin('PUT', `/api/categories/${kitchen.id}`, { name }), invalid(['body.name']), all());
        }
      });

      test('refuses an empty category update', async () => {
        await assertRejected(dema, () => dema.admin('PUT', `/api/categories/${kitchen.id}`, {}), invalid(['body']), all());
      });

      test('refuses a category id that is not a uuid on update, naming path.id', async () => {
        await assertRejected(dema, () => dema.admin('PUT', '/api/categories/kitchen', { name: 'Cooking' }), invalid(['path.id']), all());
      });

      test('answers malformed JSON for a category with 400 MALFORMED_BODY', async () => {
        await assertRejected(dema, createCategory('{"name":'), { status: 400, code: 'MALFORMED_BODY' }, all());
      });

      test('refuses a gzip-compressed category body with 415 UNSUPPORTED_MEDIA_TYPE, not as JSON that does not parse', async () => {
        const send = () =>
          fetch(`${dema.url}/api/categories`, {
            method: 'POST',
            headers: { authorization: `Bearer ${dema.adminToken}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
            body: gzipSync('{"name":"Packed"}'),
          });
        const problem = await assertRejected(dema, send, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }, all());
        assert.match(problem.detail ?? '', /Content-Encoding gzip is not accepted/);
      });

      test('refuses a category body with a __proto__ key with 400 naming body.__proto__, not as JSON that does not parse', async () => {
        await assertRejected(dema, createCategory('{"name":"Shadow","__proto__":{"x":1}}'), invalid(['body.__proto__']), all());
      });
    });
  });

  describe(`a body over the size limit is refused (${target.name})`, () => {
    let dema: ProductTestProcess;
    let category: { id: string };
    let product: Product;

    before(async () => {
      dema = await startProductService(target, { bodyLimit: 2048 });
      category = await dema.createCategory('Limits');
      product = await dema.createProduct({ name: 'Small enough', price: 1, stock: 1, categoryId: category.id });
    });
    after(() => dema.dispose());

    test('a create of about 10 KB gets 413 BODY_TOO_LARGE', async () => {
      const body = { name: 'Too big', price: 10, stock: 1, categoryId: category.id, description: 'x'.repeat(10_000) };
      await assertRejected(dema, () => dema.admin('POST', '/api/products', body), { status: 413, code: 'BODY_TOO_LARGE' }, [product.id]);
    });

    test('an update of about 10 KB gets 413 BODY_TOO_LARGE', async () => {
      const body = { description: 'x'.repeat(10_000) };
      await assertRejected(dema, () => dema.admin('PUT', `/api/products/${product.id}`, body), { status: 413, code: 'BODY_TOO_LARGE' }, [product.id]);
    });

    test('a body under the limit is still accepted', async () => {
      const response = await dema.admin('PUT', `/api/products/${product.id}`, { description: 'x'.repeat(1_000) });
      assert.equal(response.status, 200, await response.clone().text());
    });
  });
}
