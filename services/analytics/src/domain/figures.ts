import { fromCents, toCents } from '@dema/contracts';

/** Adds decimal amounts exactly (in cents); "0.00" for none. */
export function sumAmounts(amounts: Iterable<string>): string {
  let cents = 0n;
  for (const amount of amounts) cents += toCents(amount);
  return fromCents(cents);
}

/** `revenue / orders` rounded half up to the cent, exactly; "0.00" without orders. */
export function averageOrderValue(revenue: string, orders: number): string {
  if (orders === 0) return '0.00';
  const cents = toCents(revenue);
  const n = BigInt(orders);
  // Half up on the magnitude: (2c + n) / 2n is c/n rounded to the nearest cent, ties away from zero.
  const rounded = cents >= 0n ? (2n * cents + n) / (2n * n) : -((-2n * cents + n) / (2n * n));
  return fromCents(rounded);
}

/** Sums over the sales of a range, each DECIMAL text (see `SalesBreakdown` in the contracts). */
export interface SalesSums {
  /** Σ subtotal: items at their prices, before discounts. */
  grossSales: string;
  discounts: string;
  shipping: string;
  /** Σ tax charged, on items and shipping. */
  tax: string;
  /** The part of `tax` charged on orders whose prices include tax: it sits inside their subtotal. */
  taxInPrices: string;
  /** Σ refund amounts: what was paid back, tax included. */
  refunds: string;
  /**
   * The part of `refunds` that paid back tax: each refund's order's tax in proportion to the
   * order's total, rounded to the cent (0 for a total of 0); the order's whole tax for a full refund.
   */
  refundedTax: string;
}

/**
 * Net revenue = gross sales − discounts + shipping − (refunds − refunded tax) − tax inside prices,
 * exactly (cents). Tax is never revenue: where prices exclude it, it was added on top and gross
 * sales lacks it already; where they include it, it sits inside the subtotal and comes out here.
 * A refund pays back tax too, which net revenue never held, so only the refund's share without tax
 * comes out of it: a fully refunded order nets 0, whether its prices include tax or not.
 */
export function netRevenue(sums: Omit<SalesSums, 'tax'>): string {
  const c = (amount: string) => toCents(amount);
  const refundedRevenue = c(sums.refunds) - c(sums.refundedTax);
  return fromCents(c(sums.grossSales) - c(sums.discounts) + c(sums.shipping) - refundedRevenue - c(sums.taxInPrices));
}
