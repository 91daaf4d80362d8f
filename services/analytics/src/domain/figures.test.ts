import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageOrderValue, netRevenue, sumAmounts } from './figures.ts';

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

const none = { grossSales: '0.00', discounts: '0.00', shipping: '0.00', taxInPrices: '0.00', refunds: '0.00' };

test('net revenue is gross sales less discounts, plus shipping, less refunds; tax added on top is not in it', () => {
  assert.equal(netRevenue(none), '0.00');
  // 59.97 of items, 5.00 shipping, 5.32 tax on top (left out): 64.97.
  assert.equal(netRevenue({ ...none, grossSales: '59.97', shipping: '5.00' }), '64.97');
  assert.equal(netRevenue({ ...none, grossSales: '100.00', discounts: '10.00', shipping: '4.99', refunds: '20.01' }), '74.98');
});

test('tax inside tax-inclusive prices comes out of net revenue', () => {
  // 119.00 with 19% inside: 19.00 of it is tax.
  assert.equal(netRevenue({ ...none, grossSales: '119.00', taxInPrices: '19.00' }), '100.00');
});

test('net revenue is exact in cents and may go below zero when refunds exceed the sales of the range', () => {
  assert.equal(netRevenue({ ...none, grossSales: '0.10', shipping: '0.20' }), '0.30');
  assert.equal(netRevenue({ ...none, grossSales: '10.00', refunds: '12.50' }), '-2.50');
});
