import { fromCents, toCents, type SalesBreakdown } from '@dema/contracts';

/** A row of the admin's sales table; `total` marks the figure the rows above it add up to. */
export interface SalesRow {
  label: string;
  amount: number;
  total?: true;
}

/**
 * The admin's sales table from the Analytics service's breakdown. `toNet` adds up, each row taken
 * as its label says, to net revenue: refunds come out of it without the tax they paid back, and
 * the tax inside prices comes out where the store enters prices with tax, as the service counts
 * them. `withTax` holds the figures that include tax (the tax charged, refunds as paid back), set
 * apart and labelled so, since subtracting them would not give net revenue.
 */
export function salesRows(sales: SalesBreakdown): { toNet: SalesRow[]; withTax: SalesRow[] } {
  const refundsWithoutTax = Number(fromCents(toCents(sales.refunds) - toCents(sales.refundedTax)));
  return {
    toNet: [
      { label: 'Gross sales', amount: sales.grossSales },
      { label: 'Less discounts', amount: sales.discounts },
      { label: 'Plus shipping', amount: sales.shipping },
      { label: 'Less refunds (excl. tax)', amount: refundsWithoutTax },
      // Only where prices include tax: elsewhere it is 0 and the row would only puzzle.
      ...(toCents(sales.taxInPrices) === 0n ? [] : [{ label: 'Less tax inside prices', amount: sales.taxInPrices }]),
      { label: 'Net revenue (tax excluded)', amount: sales.netRevenue, total: true as const },
    ],
    withTax: [
      { label: 'Tax charged', amount: sales.tax },
      { label: 'Refunds paid back (incl. tax)', amount: sales.refunds },
    ],
  };
}
