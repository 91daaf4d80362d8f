import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProductVariant } from '@dema/contracts';
import { formatWeight, specificationsWithWeight } from './product-weight.ts';

const variant = (name: string, weightGrams: number | null): ProductVariant => ({
  id: '0b5e8c1a-3d2f-4a6b-9c7d-1e2f3a4b5c6d',
  name,
  sku: null,
  price: null,
  stock: 1,
  weightGrams,
  options: {},
});

test('weights read in grams below a kilogram and in exact kilograms from one', () => {
  assert.equal(formatWeight(0), '0 g');
  assert.equal(formatWeight(254), '254 g');
  assert.equal(formatWeight(999), '999 g');
  assert.equal(formatWeight(1000), '1 kg');
  assert.equal(formatWeight(1100), '1.1 kg');
  assert.equal(formatWeight(1234), '1.234 kg');
  assert.equal(formatWeight(48000), '48 kg');
});

test("the product's weight is added after its specifications", () => {
  assert.deepEqual(specificationsWithWeight({ specifications: { Steel: 'High-carbon' }, weightGrams: 230, variants: [] }), [
    ['Steel', 'High-carbon'],
    ['Weight', '230 g'],
  ]);
});

test('a specification that already speaks of weight is left as the merchant wrote it', () => {
  const specifications = { 'Packed Weight': '1.55 kg', Capacity: '2 people' };
  assert.deepEqual(specificationsWithWeight({ specifications, weightGrams: 1550, variants: [] }), Object.entries(specifications));
  assert.deepEqual(specificationsWithWeight({ specifications: { weight: '220 g/m²' }, weightGrams: 180, variants: [] }), [['weight', '220 g/m²']]);
  // "Weightless" is not a weight.
  assert.deepEqual(specificationsWithWeight({ specifications: { Weightless: 'yes' }, weightGrams: 5, variants: [] }), [
    ['Weightless', 'yes'],
    ['Weight', '5 g'],
  ]);
});

test('no weight is shown while none is set', () => {
  assert.deepEqual(specificationsWithWeight({ specifications: {}, weightGrams: 0, variants: [] }), []);
  assert.deepEqual(specificationsWithWeight({ specifications: {}, weightGrams: 0, variants: [variant('S', null)] }), []);
});

test('variants that weigh differently show as a range; those without a weight weigh what the product does', () => {
  const variants = [variant('350 ml', null), variant('1 L', 900)];
  assert.deepEqual(specificationsWithWeight({ specifications: {}, weightGrams: 450, variants }), [['Weight', '450 g – 900 g']]);
  assert.deepEqual(specificationsWithWeight({ specifications: {}, weightGrams: 450, variants: [variant('A', null), variant('B', 450)] }), [
    ['Weight', '450 g'],
  ]);
  // Every variant has its own weight: the product's own does not count.
  assert.deepEqual(specificationsWithWeight({ specifications: {}, weightGrams: 10, variants: [variant('A', 1200), variant('B', 1500)] }), [
    ['Weight', '1.2 kg – 1.5 kg'],
  ]);
});
