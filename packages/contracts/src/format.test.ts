import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPrice } from './format.ts';

test('formatPrice shows US dollars unless told another currency', () => {
  assert.equal(formatPrice(19.9), '$19.90');
  assert.equal(formatPrice(1234.5), '$1,234.50');
});

test('formatPrice uses the currency’s own digits', () => {
  assert.equal(formatPrice(19.9, 'EUR'), '€19.90');
  assert.equal(formatPrice(1990, 'JPY'), '¥1,990', 'the yen has no minor unit');
  assert.equal(formatPrice(1.5, 'KWD'), 'KWD\u00a01.500', 'the Kuwaiti dinar has three');
  assert.equal(formatPrice(19.9, 'USD'), formatPrice(19.9), 'the same formatter serves again');
});

test('formatPrice refuses a code that is no currency', () => {
  assert.throws(() => formatPrice(1, 'DOLLARS'), RangeError);
});
