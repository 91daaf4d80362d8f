import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Product, ReservedLine } from '@dema/contracts';
import { platformMigrations, runMigrations, type Db } from '@dema/platform';
import { dbTargets, type DbTarget } from '@dema/platform/testing';
import { type MigrationCut, productMigrationsWhere } from './helpers.ts';

/**
 * 0008_weights on a catalog written before it: every product weighs 0 and every variant its
 * product's weight, the stored documents say so, reservations made before keep their lines as they
 * were, and the two functions it redefines keep the generic plans of 0005/0006.
 */
const migration = '0008_weights.sql';

let before0008: MigrationCut;
/** Up to 0008 and no further, so that 0008 is what these tests see applied, whatever follows it. */
let through0008: MigrationCut;

before(async () => {
  before0008 = await productMigrationsWhere((file) => file < migration);
  through0008 = await productMigrationsWhere((file) => file <= migration);
});
after(async () => {
  await before0008.remove();
  await through0008.remove();
});

const kettle = '6e1d4b2f-7a8c-4d35-9e11-2b3c4d5e6f70';
const shirt = '7f2e5c3a-8b9d-4e46-8f22-3c4d5e6f7a81';
const small = '8a3f6d4b-9c0e-4f57-9a33-4d5e6f7a8b92';
const oldOrder = '9b4a7e5c-0d1f-4a68-8b44-5e6f7a8b9ca3';

async function document(db: Db, productId: string): Promise<Product> {
  const { rows } = await db.query<{ body: string }>('SELECT body FROM product_documents WHERE product_id = $1', [productId]);
  return JSON.parse(rows[0]!.body) as Product;
}

type Outcome = { status: string; lines: ReservedLine[] };

async function reserve(db: Db, orderId: string, lines: Array<[string, string | null, number]>): Promise<Outcome> {
  const { rows } = await db.query<{ outcome: Outcome }>(
    `SELECT reserve_stock($1, $2::uuid[], $3::uuid[], $4::int[], 'STOCK_UPDATED', 1, 'system.stock.updated') AS outcome`,
    [orderId, lines.map((l) => l[0]), lines.map((l) => l[1]), lines.map((l) => l[2])],
  );
  return rows[0]!.outcome;
}

for (const target of dbTargets) {
  describe(`migration ${migration} (${target.name})`, { skip: target.skip }, () => {
    let server: Awaited<ReturnType<DbTarget['open']>>;
    let db: Db;
    let applied: string[];
    let updatedBefore: Array<{ id: string; updated_at: string }>;
    let reservedBefore: Outcome;
    let documentBefore: Product;

    before(async () => {
      server = await target.open();
      db = server.database('product_before_weights');
      await runMigrations(db, [platformMigrations, before0008]);
      await db.query(`INSERT INTO products (id, name, price, stock) VALUES ($1, 'Kettle', 35, 4)`, [kettle]);
      await db.query(`INSERT INTO products (id, name, price, stock) VALUES ($1, 'Shirt', 20, 3)`, [shirt]);
      await db.query(`INSERT INTO product_variants (id, product_id, name, stock) VALUES ($1, $2, 'Small', 3)`, [small, shirt]);
      reservedBefore = await reserve(db, oldOrder, [
        [kettle, null, 1],
        [shirt, small, 1],
      ]);
      assert.equal(reservedBefore.status, 'reserved');
      documentBefore = await document(db, kettle);
      updatedBefore = (await db.query<{ id: string; updated_at: string }>('SELECT id, updated_at::text AS updated_at FROM products ORDER BY id')).rows;
      applied = await runMigrations(db, [platformMigrations, through0008]);
    });
    after(() => server.close());

    test('applies only 0008 on a catalog at 0007', () => {
      assert.deepEqual(applied, [`product/${migration}`]);
    });

    test("a product created before weighs 0 and its variant weighs the product's weight; the documents say so", async () => {
      const { rows } = await db.query('SELECT id, weight_grams FROM products ORDER BY id');
      assert.deepEqual(rows, [
        { id: kettle, weight_grams: 0 },
        { id: shirt, weight_grams: 0 },
      ]);
      assert.equal((await document(db, kettle)).weightGrams, 0);
      const shirtDocument = await document(db, shirt);
      assert.equal(shirtDocument.weightGrams, 0);
      assert.deepEqual(
        shirtDocument.variants.map((v) => [v.id, v.weightGrams]),
        [[small, null]],
      );
    });

    test('rebuilds the documents without touching the products: updated_at stays', async () => {
      const { rows } = await db.query<{ id: string; updated_at: string }>('SELECT id, updated_at::text AS updated_at FROM products ORDER BY id');
      assert.deepEqual(rows, updatedBefore);
      assert.deepEqual(await document(db, kettle), { ...documentBefore, weightGrams: 0 });
    });

    test('weights are whole grams from 0 to 1,000,000, for products and variants alike', async () => {
      for (const grams of [-1, 1_000_001]) {
        await assert.rejects(db.query('UPDATE products SET weight_grams = $2 WHERE id = $1', [kettle, grams]), /products_weight_grams_range/);
        await assert.rejects(db.query('UPDATE product_variants SET weight_grams = $2 WHERE id = $1', [small, grams]), /product_variants_weight_grams_range/);
      }
      await assert.rejects(db.query('UPDATE products SET weight_grams = NULL WHERE id = $1', [kettle]), /null/i);
      await db.query('UPDATE products SET weight_grams = 1000000 WHERE id = $1', [kettle]);
      await db.query('UPDATE products SET weight_grams = 0 WHERE id = $1', [kettle]);
    });

    test('a reservation made before replays its lines as they were recorded, without a weight', async () => {
      const replayed = await reserve(db, oldOrder, [[kettle, null, 1]]);
      assert.equal(replayed.status, 'replayed');
      assert.deepEqual(replayed.lines, reservedBefore.lines);
      for (const line of replayed.lines) assert.ok(!('weightGrams' in line), 'no weight was recorded then');
    });

    test('a reservation made after carries the weight of each line: the variant’s own, else its product’s', async () => {
      await db.query('UPDATE products SET weight_grams = 180 WHERE id = $1', [shirt]);
      await db.query('UPDATE products SET weight_grams = 1250 WHERE id = $1', [kettle]);
      const inherited = await reserve(db, 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', [
        [kettle, null, 1],
        [shirt, small, 1],
      ]);
      assert.deepEqual(
        inherited.lines.map((l) => [l.name, l.weightGrams]),
        [
          ['Kettle', 1250],
          ['Shirt (Small)', 180],
        ],
      );
      await db.query('UPDATE product_variants SET weight_grams = 210 WHERE id = $1', [small]);
      const own = await reserve(db, 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e', [[shirt, small, 1]]);
      assert.deepEqual(
        own.lines.map((l) => [l.name, l.weightGrams]),
        [['Shirt (Small)', 210]],
      );
    });

    test('the redefined functions keep their generic plans and search path, and there is one of each', async () => {
      const { rows } = await db.query<{ proname: string; proconfig: string[] }>(
        `SELECT proname, proconfig FROM pg_proc
          WHERE proname IN ('reserve_stock', 'refresh_product_documents') AND pronamespace = current_schema()::regnamespace ORDER BY proname`,
      );
      assert.deepEqual(
        rows.map((r) => r.proname),
        ['refresh_product_documents', 'reserve_stock'],
      );
      for (const row of rows) {
        assert.ok(row.proconfig.includes('plan_cache_mode=force_generic_plan'), `${row.proname}: ${row.proconfig}`);
        assert.ok(
          row.proconfig.some((setting) => setting.startsWith('search_path=')),
          `${row.proname}: ${row.proconfig}`,
        );
      }
    });
  });
}
