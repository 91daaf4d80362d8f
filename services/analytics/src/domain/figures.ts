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
