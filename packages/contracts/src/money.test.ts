import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromCents, toCents } from './money.ts';

test('toCents reads decimals exactly, where floats would drift', () => {
  assert.equal(toCents('0.10') + toCents('0.20'), toCents('0.30'));
  assert.equal(toCents(19.99), 1999n);
  assert.equal(toCents('19.9'), 1990n);
  assert.equal(toCents('99999999.99'), 9999999999n);
  assert.equal(toCents('-5.01'), -501n);
});

test('toCents refuses more than two decimals and non-numbers', () => {
  assert.throws(() => toCents('1.999'), RangeError);
  assert.throws(() => toCents(0.001), RangeError);
  assert.throws(() => toCents('abc'), RangeError);
  assert.throws(() => toCents(Number.NaN), RangeError);
});

test('fromCents formats two decimals', () => {
  assert.equal(fromCents(1999n * 3n), '59.97');
  assert.equal(fromCents(5n), '0.05');
  assert.equal(fromCents(-501n), '-5.01');
});
