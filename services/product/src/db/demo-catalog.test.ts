import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { demoCategories, demoProducts } from './demo-catalog.ts';

const assetsDir = new URL('../../assets/demo/', import.meta.url);
const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const pricePattern = /^\d{1,8}\.\d{2}$/;

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    if (seen.has(v)) return true;
    seen.add(v);
    return false;
  });
}

test('has at least 8 categories with unique kebab-case slugs', () => {
  assert.ok(demoCategories.length >= 8, `only ${demoCategories.length} categories`);
  assert.deepEqual(duplicates(demoCategories.map((c) => c.slug)), []);
  for (const c of demoCategories) {
    assert.match(c.slug, slugPattern);
    assert.ok(c.name.length > 0 && c.description.length > 0, c.slug);
  }
});

test('has at least 72 products, at least 8 per category, each in a known category', () => {
  assert.ok(demoProducts.length >= 72, `only ${demoProducts.length} products`);
  const categorySlugs = new Set(demoCategories.map((c) => c.slug));
  for (const p of demoProducts) assert.ok(categorySlugs.has(p.categorySlug), `${p.slug}: unknown category ${p.categorySlug}`);
  for (const c of demoCategories) {
    const count = demoProducts.filter((p) => p.categorySlug === c.slug).length;
    assert.ok(count >= 8, `${c.slug} has only ${count} products`);
  }
});

test('product slugs are unique kebab-case; names and descriptions fit', () => {
  assert.deepEqual(duplicates(demoProducts.map((p) => p.slug)), []);
  for (const p of demoProducts) {
    assert.match(p.slug, slugPattern);
    assert.ok(p.name.length > 0 && p.name.length <= 120, `${p.slug}: name length`);
    assert.ok(p.description.length > 0 && p.description.length <= 600, `${p.slug}: description length`);
    const specs = Object.keys(p.specifications).length;
    assert.ok(specs >= 3 && specs <= 6, `${p.slug}: ${specs} specifications`);
  }
});

test('prices are decimal strings with two decimals', () => {
  for (const p of demoProducts) {
    assert.match(p.price, pricePattern, p.slug);
    for (const v of p.variants ?? []) if (v.price !== null) assert.match(v.price, pricePattern, v.sku);
  }
});

test('stock is a non-negative integer and equals the sum of variant stock', () => {
  for (const p of demoProducts) {
    assert.ok(Number.isInteger(p.stock) && p.stock >= 0, p.slug);
    if (!p.variants) continue;
    for (const v of p.variants) assert.ok(Number.isInteger(v.stock) && v.stock >= 0, v.sku);
    const sum = p.variants.reduce((total, v) => total + v.stock, 0);
    assert.equal(p.stock, sum, `${p.slug}: stock ${p.stock} but variants sum to ${sum}`);
  }
});

test('every product has a weight in whole grams; a variant with its own weighs something else', () => {
  const grams = (value: number) => Number.isInteger(value) && value >= 0 && value <= 1_000_000;
  for (const p of demoProducts) {
    assert.ok(grams(p.weightGrams) && p.weightGrams > 0, `${p.slug}: weight ${p.weightGrams}`);
    for (const v of p.variants ?? []) {
      if (v.weightGrams === undefined) continue;
      assert.ok(grams(v.weightGrams) && v.weightGrams !== p.weightGrams, `${v.sku}: weight ${v.weightGrams}`);
    }
  }
});

test('a product whose Weight specification is in g or kg weighs that much', () => {
  const units: Record<string, number> = { g: 1, kg: 1000 };
  for (const p of demoProducts) {
    const match = /^(\d+(?:\.\d+)?) (g|kg)$/.exec(p.specifications.Weight ?? '');
    if (match) assert.equal(p.weightGrams, Math.round(Number(match[1]) * units[match[2]!]!), p.slug);
  }
});

test('some products are out of stock and some have variants', () => {
  const outOfStock = demoProducts.filter((p) => p.stock === 0).length;
  const withVariants = demoProducts.filter((p) => (p.variants?.length ?? 0) > 0).length;
  assert.ok(outOfStock >= 4, `only ${outOfStock} out of stock`);
  assert.ok(withVariants >= 15, `only ${withVariants} with variants`);
});

test('variant SKUs are unique across the catalog and uppercase', () => {
  const skus = demoProducts.flatMap((p) => (p.variants ?? []).map((v) => v.sku));
  assert.deepEqual(duplicates(skus), []);
  for (const sku of skus) assert.match(sku, /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/);
});

test('every referenced image exists and every image is referenced', () => {
  const referenced = demoProducts.flatMap((p) => p.images);
  assert.deepEqual(duplicates(referenced), []);
  for (const p of demoProducts) assert.ok(p.images.length >= 1 && p.images.length <= 3, `${p.slug}: image count`);
  for (const name of referenced) {
    assert.ok(existsSync(new URL(`../../assets/demo/${name}`, import.meta.url)), `missing image ${name}`);
  }
  const onDisk = readdirSync(assetsDir).sort();
  const unreferenced = onDisk.filter((f) => !referenced.includes(f));
  assert.deepEqual(unreferenced, [], 'files in assets/demo not referenced by any product');
});
