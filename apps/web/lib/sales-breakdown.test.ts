import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCents, type SalesBreakdown } from '@dema/contracts';
import { salesRows } from './sales-breakdown.ts';

// Two orders half refunded, as the Analytics service's tests have them: 130.90 with prices
// including 20.90 of tax, 63.76 with 4.79 of tax on top; 10.45 and 2.40 of the refunds were tax.
const sales: SalesBreakdown = {
  from: '2026-12-01',
  to: '2026-12-01',
  orders: 2,
  grossSales: 178.97,
  discounts: 6,
  shipping: 16.9,
  tax: 25.69,
  taxInPrices: 20.9,
  refunds: 97.33,
  refundedTax: 12.85,
  netRevenue: 84.49,
};

/** The rows above the total, signed as their labels say. */
function signedSumCents(rows: ReturnType<typeof salesRows>['toNet']): bigint {
  return rows.filter((row) => !row.total).reduce((sum, row) => (row.label.startsWith('Less') ? sum - toCents(row.amount) : sum + toCents(row.amount)), 0n);
}

test('the rows above net revenue add up to it: refunds come out without the tax they paid back, and the tax inside prices comes out', () => {
  const { toNet } = salesRows(sales);
  assert.deepEqual(
    toNet.map((row) => [row.label, row.amount]),
    [
      ['Gross sales', 178.97],
      ['Less discounts', 6],
      ['Plus shipping', 16.9],
      ['Less refunds (excl. tax)', 84.48],
      ['Less tax inside prices', 20.9],
      ['Net revenue (tax excluded)', 84.49],
    ],
  );
  assert.equal(toNet.at(-1)!.total, true);
  assert.equal(signedSumCents(toNet), toCents(sales.netRevenue));
});

test('figures with tax in them are set apart and say so; the tax inside prices is left out where prices exclude tax', () => {
  const onTop = { ...sales, grossSales: 59.97, shipping: 5, tax: 4.79, taxInPrices: 0, refunds: 63.76, refundedTax: 4.79, netRevenue: 0 };
  const { toNet, withTax } = salesRows(onTop);
  assert.deepEqual(
    withTax.map((row) => [row.label, row.amount]),
    [
      ['Tax charged', 4.79],
      ['Refunds paid back (incl. tax)', 63.76],
    ],
  );
  assert.equal(
    toNet.some((row) => row.label.includes('inside prices')),
    false,
  );
  assert.equal(signedSumCents(toNet), 0n, 'a fully refunded order nets 0');
});
