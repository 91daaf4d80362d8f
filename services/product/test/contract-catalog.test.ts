import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Category, CategoryList, CategoryRef, Product, ProductPage, ProductVariant } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { demoCategories, demoProducts } from '../src/db/demo-catalog.ts';
import { startProductService, type ProductTestProcess } from './helpers.ts';

/**
 * The published response schemas name every field the API sends: the product document is built in
 * SQL (product_documents) and sent as stored, past Fastify's serializer, so a field added there and
 * not to the contract would reach clients unannounced. Objects the schema leaves open by default are
 * therefore checked closed; one that says otherwise (a record, an explicit additionalProperties)
 * keeps what it says.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = closed(value);
  if (copy.type === 'object' && 'properties' in copy && !('additionalProperties' in copy) && !('patternProperties' in copy)) {
    copy.additionalProperties = false;
  }
  return copy;
}

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats.default(ajv);
// JSON round trip: TypeBox's own symbol keys are not JSON Schema.
for (const schema of [CategoryRef, Category, CategoryList, ProductVariant, Product, ProductPage])
  ajv.addSchema(closed(JSON.parse(JSON.stringify(schema))) as object);
const validator = (id: string): ValidateFunction => ajv.getSchema(id) ?? assert.fail(`no schema ${id}`);

/** Fails naming the first few mismatches, and the field the schema does not name, if that is one. */
function conforms(validate: ValidateFunction, body: unknown, what: string): void {
  if (validate(body)) return;
  const mismatches = (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${what}${e.instancePath} ${e.message}${'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  assert.fail(mismatches.join('; '));
}

for (const target of testTargets()) {
  describe(`the demo catalog, read through the API, matches the published schemas (${target.name})`, () => {
    let dema: ProductTestProcess;

    before(async () => {
      dema = await startProductService(target, { demoData: true });
    });
    after(() => dema.dispose());

    const read = async (url: string) => {
      const response = await dema.anonymous('GET', url);
      assert.equal(response.status, 200, `${url}: ${await response.clone().text()}`);
      return response.json() as Promise<unknown>;
    };

    /** Every page of `/api/products`, `limit` at a time. */
    async function allPages(limit: number): Promise<ProductPage[]> {
      const pages: ProductPage[] = [];
      for (let offset = 0; ; offset += limit) {
        const page = (await read(`/api/products?limit=${limit}&offset=${offset}`)) as ProductPage;
        pages.push(page);
        if (offset + limit >= page.total) return pages;
      }
    }

    test('every list page is a ProductPage, and the pages together hold every demo product once', async () => {
      const pages = await allPages(25);
      for (const [index, page] of pages.entries()) conforms(validator('ProductPage'), page, `page ${index}`);
      const ids = pages.flatMap((page) => page.items.map((product) => product.id));
      assert.equal(ids.length, demoProducts.length);
      assert.equal(new Set(ids).size, demoProducts.length);
    });

    test("every demo product's detail is a Product", async () => {
      const ids = (await allPages(100)).flatMap((page) => page.items.map((product) => product.id));
      for (const id of ids) conforms(validator('Product'), await read(`/api/products/${id}`), `product ${id}`);
    });

    test('each demo product and variant weighs what the demo catalog says; a variant without a weight of its own, null', async () => {
      const loaded = new Map((await allPages(100)).flatMap((page) => page.items.map((product) => [product.name, product])));
      for (const demo of demoProducts) {
        const product = loaded.get(demo.name) ?? assert.fail(`${demo.slug} was not loaded`);
        assert.deepEqual(
          { product: product.weightGrams, variants: product.variants.map((v) => [v.sku, v.weightGrams]) },
          { product: demo.weightGrams, variants: (demo.variants ?? []).map((v) => [v.sku, v.weightGrams ?? null]) },
          demo.slug,
        );
      }
    });

    test('the categories list is a CategoryList and each category a Category', async () => {
      const list = (await read('/api/categories')) as CategoryList;
      conforms(validator('CategoryList'), list, 'categories');
      // The demo's categories, and the default one every install has.
      assert.deepEqual(list.items.map((category) => category.slug).sort(), [...demoCategories.map((category) => category.slug), 'uncategorized'].sort());
      for (const category of list.items) conforms(validator('Category'), await read(`/api/categories/${category.slug}`), `category ${category.slug}`);
    });

    test('a field the schema does not name fails the check', async () => {
      const [product] = ((await read('/api/products?limit=1')) as ProductPage).items;
      assert.equal(validator('Product')({ ...product, weight: 1 }), false);
      assert.equal(validator('Product')({ ...product, category: { ...product!.category, parent: null } }), false);
    });

    test('a product without a category fails the check: every product has one', async () => {
      const [product] = ((await read('/api/products?limit=1')) as ProductPage).items;
      assert.equal(validator('Product')(product), true);
      assert.equal(validator('Product')({ ...product, category: null }), false);
    });
  });
}
