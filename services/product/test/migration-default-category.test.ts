import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCategoryId, type Product } from '@dema/contracts';
import { platformMigrations, runMigrations, startProcess, type Db, type RunningProcess } from '@dema/platform';
import { dbTargets, realTarget, type DbTarget } from '@dema/platform/testing';
import { createProductService } from '../src/app.ts';
import { type MigrationCut, productMigrationsWhere, startProductService, type ProductTestProcess } from './helpers.ts';

/**
 * 0007_default_category on a catalog written before it: products whose category_id is null (which
 * the schema allowed until then) are moved to the default category, and the column then refuses null.
 */
const migration = '0007_default_category.sql';

let before0007: MigrationCut;
/** Up to 0007 and no further, so that 0007 is what these tests see applied, whatever follows it. */
let through0007: MigrationCut;

before(async () => {
  before0007 = await productMigrationsWhere((file) => file < migration);
  through0007 = await productMigrationsWhere((file) => file <= migration);
});
after(async () => {
  await before0007.remove();
  await through0007.remove();
});

const garden = '5d0c3a1e-6f1b-4f44-9b0e-0a2c7e1f9d01';
const spade = '1f6b2e3c-8a7d-4e21-9c55-3b0d9e6a4f11';
const loose = ['2a7c3f4d-9b8e-4f32-8d66-4c1e0f7b5a22', '3b8d4a5e-0c9f-4a43-9e77-5d2f1a8c6b33'];

async function document(db: Db, productId: string): Promise<Product> {
  const { rows } = await db.query<{ body: string }>('SELECT body FROM product_documents WHERE product_id = $1', [productId]);
  return JSON.parse(rows[0]!.body) as Product;
}

for (const target of dbTargets) {
  describe(`migration ${migration} (${target.name})`, { skip: target.skip }, () => {
    let server: Awaited<ReturnType<DbTarget['open']>>;
    let db: Db;
    let applied: string[];

    before(async () => {
      server = await target.open();
      db = server.database('product_before_default');
      await runMigrations(db, [platformMigrations, before0007]);
      await db.query(`INSERT INTO categories (id, name, slug) VALUES ($1, 'Garden', 'garden')`, [garden]);
      await db.query(`INSERT INTO products (id, name, price, stock, category_id) VALUES ($1, 'Spade', 25, 4, $2)`, [spade, garden]);
      for (const id of loose) await db.query(`INSERT INTO products (id, name, price, stock, category_id) VALUES ($1, $2, 5, 1, NULL)`, [id, `Loose ${id}`]);
      assert.equal((await document(db, loose[0]!)).category, null, 'before the migration, the document of a product without category has none');
      applied = await runMigrations(db, [platformMigrations, through0007]);
    });
    after(() => server.close());

    test('applies only 0007 on a catalog at 0006', () => {
      assert.deepEqual(applied, [`product/${migration}`]);
    });

    test('creates the default category with the id the contracts export', async () => {
      const { rows } = await db.query<{ name: string; slug: string }>('SELECT name, slug FROM categories WHERE id = $1', [defaultCategoryId]);
      assert.deepEqual(rows, [{ name: 'Uncategorized', slug: 'uncategorized' }]);
    });

    test('moves every product without a category to the default one, and leaves the others where they were', async () => {
      const { rows } = await db.query<{ id: string; category_id: string }>('SELECT id, category_id FROM products ORDER BY id');
      assert.deepEqual(Object.fromEntries(rows.map((row) => [row.id, row.category_id])), {
        [spade]: garden,
        [loose[0]!]: defaultCategoryId,
        [loose[1]!]: defaultCategoryId,
      });
    });

    test('rebuilds the stored documents of the moved products with the default category', async () => {
      for (const id of loose) assert.deepEqual((await document(db, id)).category, { id: defaultCategoryId, name: 'Uncategorized', slug: 'uncategorized' });
      assert.deepEqual((await document(db, spade)).category, { id: garden, name: 'Garden', slug: 'garden' });
    });

    test('the column then refuses null, and a row that names no category gets the default one', async () => {
      await assert.rejects(db.query('UPDATE products SET category_id = NULL WHERE id = $1', [spade]), /null/i);
      const id = '4c9e5b6f-1d0a-4b54-8f88-6e3a2b9d7c44';
      await db.query(`INSERT INTO products (id, name, price, stock) VALUES ($1, 'Unfiled', 3, 1)`, [id]);
      assert.equal((await document(db, id)).category.id, defaultCategoryId);
    });

    test('keeps a slug `uncategorized` an install already used, giving the default category another', async () => {
      const other = server.database('product_slug_taken');
      await runMigrations(other, [platformMigrations, before0007]);
      await other.query(`INSERT INTO categories (id, name, slug) VALUES ($1, 'Misc', 'uncategorized')`, [garden]);
      await runMigrations(other, [platformMigrations, through0007]);
      const { rows } = await other.query<{ id: string; slug: string }>('SELECT id, slug FROM categories ORDER BY slug');
      assert.deepEqual(rows, [
        { id: garden, slug: 'uncategorized' },
        { id: defaultCategoryId, slug: 'uncategorized-default' },
      ]);
    });
  });
}

// Only Redis outlives a start: the embedded cache is gone with the process that filled it.
const real = realTarget();
describe('a start that applies a migration drops the catalog cached before it (postgres+redis)', { skip: !real && 'TEST_DATABASE_URL is not set' }, () => {
  let dema: ProductTestProcess;
  let restarted: RunningProcess | undefined;

  before(async () => {
    dema = await startProductService(real!);
  });
  after(async () => {
    await restarted?.close();
    await dema.dispose();
  });

  test('a product document the migration changed is read fresh, not from Redis', async () => {
    const category = await dema.createCategory('Before Migration');
    const product = await dema.createProduct({ name: 'Cached Lamp', price: 9, stock: 1, categoryId: category.id });
    const nameAt = async (url: string) => ((await (await fetch(`${url}/api/products/${product.id}`)).json()) as Product).category.name;
    assert.equal(await nameAt(dema.url), 'Before Migration');
    assert.equal(await nameAt(dema.url), 'Before Migration'); // now in Redis
    // What a migration does: change documents in SQL, past the Catalog and its invalidations.
    const db = await dema.infra.database('product');
    await db.query(`UPDATE categories SET name = 'After Migration' WHERE id = $1`, [category.id]);
    await db.query(`DELETE FROM schema_migrations WHERE name = $1`, [`product/${migration}`]);
    restarted = await startProcess(dema.environment.config, 'after-migration', [createProductService]);
    assert.equal(await nameAt(restarted.url), 'After Migration');
  });
});
