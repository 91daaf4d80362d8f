import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageOrderValue, sumAmounts } from './figures.ts';

test('amounts add up exactly where binary floating point would drift', () => {
  assert.equal(0.1 + 0.2 === 0.3, false);
  assert.equal(sumAmounts(['0.10', '0.20']), '0.30');
  assert.equal(sumAmounts(Array.from({ length: 1000 }, () => '19.99')), '19990.00');
  assert.equal(sumAmounts([]), '0.00');
});

test('the average order value is rounded half up to the cent', () => {
  assert.equal(averageOrderValue('10.00', 3), '3.33');
  assert.equal(averageOrderValue('20.00', 3), '6.67');
  assert.equal(averageOrderValue('0.05', 2), '0.03');
  assert.equal(averageOrderValue('0.01', 3), '0.00');
  assert.equal(averageOrderValue('159.60', 2), '79.80');
});

test('without orders the average order value is zero, not a division by zero', () => {
  assert.equal(averageOrderValue('0', 0), '0.00');
});
