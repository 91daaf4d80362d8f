import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromCents, maxAmount, toCents, toWireAmount } from './money.ts';

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

test('toCents reads whole amounts, one decimal, surrounding blanks and JSON numbers', () => {
  assert.equal(toCents('19'), 1900n);
  assert.equal(toCents(7), 700n);
  assert.equal(toCents(' 4.5 '), 450n);
  assert.equal(toCents('0'), 0n);
  assert.equal(toCents(-0.5), -50n);
});

test('toCents names the refused amount, and refuses infinities and exponents', () => {
  assert.throws(() => toCents('1.'), { name: 'RangeError', message: 'not a money amount: 1.' });
  assert.throws(() => toCents(Number.POSITIVE_INFINITY), { message: 'not a money amount: Infinity' });
  assert.throws(() => toCents(1e21), { message: 'not a money amount: 1e+21' });
  assert.throws(() => toCents('--1'), RangeError);
  assert.throws(() => toCents('1 2'), RangeError);
});

test('fromCents writes zero and amounts under a unit without a sign or a missing digit', () => {
  assert.equal(fromCents(0n), '0.00');
  assert.equal(fromCents(100n), '1.00');
  assert.equal(fromCents(-5n), '-0.05');
  assert.equal(fromCents(9999999999n), '99999999.99');
});

test('toWireAmount gives the JSON number of a stored decimal', () => {
  assert.equal(toWireAmount('19.90'), 19.9);
  assert.equal(toWireAmount('0.00'), 0);
  assert.equal(toWireAmount('-5.01'), -5.01);
  assert.equal(maxAmount, 99_999_999.99);
});
