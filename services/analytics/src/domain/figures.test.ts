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

const none = { grossSales: '0.00', discounts: '0.00', shipping: '0.00', taxInPrices: '0.00', refunds: '0.00', refundedTax: '0.00' };

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

test('a refund comes out of net revenue without the tax it paid back', () => {
  // 100.00 of items, 4.99 shipping; 20.01 refunded of which 1.60 was tax: 104.99 − 18.41.
  assert.equal(netRevenue({ ...none, grossSales: '100.00', shipping: '4.99', refunds: '20.01', refundedTax: '1.60' }), '86.58');
});

// Tax on top: 59.97 of items, 6.00 off, 5.00 shipping, 4.79 tax; total 63.76, net 58.97.
const taxOnTop = { ...none, grossSales: '59.97', discounts: '6.00', shipping: '5.00' };
// Tax inside: 119.00 of items and 11.90 of shipping holding 20.90 of tax; total 130.90, net 110.00.
const taxInside = { ...none, grossSales: '119.00', shipping: '11.90', taxInPrices: '20.90' };

test('a fully refunded order nets 0, whether its prices exclude tax or include it', () => {
  assert.equal(netRevenue(taxOnTop), '58.97');
  // A full refund pays back the whole total, the whole tax with it: 63.76 × 4.79 / 63.76 = 4.79.
  assert.equal(netRevenue({ ...taxOnTop, refunds: '63.76', refundedTax: '4.79' }), '0.00');
  assert.equal(netRevenue(taxInside), '110.00');
  assert.equal(netRevenue({ ...taxInside, refunds: '130.90', refundedTax: '20.90' }), '0.00');
});

test('an order refunded half its total keeps half its net revenue', () => {
  // 65.45 of 130.90 paid back, with 65.45 × 20.90 / 130.90 = 10.45 of tax: 110.00 − 55.00.
  assert.equal(netRevenue({ ...taxInside, refunds: '65.45', refundedTax: '10.45' }), '55.00');
  // 100.00 + 10.00 shipping + 8.80 tax = 118.80; half is 59.40 with 59.40 × 8.80 / 118.80 = 4.40 of tax: 110.00 − 55.00.
  assert.equal(netRevenue({ ...none, grossSales: '100.00', shipping: '10.00', refunds: '59.40', refundedTax: '4.40' }), '55.00');
});

test('net revenue is exact in cents and may go below zero when refunds exceed the sales of the range', () => {
  assert.equal(netRevenue({ ...none, grossSales: '0.10', shipping: '0.20' }), '0.30');
  assert.equal(netRevenue({ ...none, grossSales: '10.00', refunds: '12.50' }), '-2.50');
});
