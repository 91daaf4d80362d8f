import { fromCents, maxAmount, toCents, type ReservedLine } from '@dema/contracts';

export interface PricedLine extends ReservedLine {
  /** unitPrice × quantity, as a DECIMAL string. */
  lineTotal: string;
}

export interface PricedOrder {
  lines: PricedLine[];
  /** The exact sum of the line totals, as a DECIMAL string. */
  total: string;
}

/** The largest order total the seed's `orders.total DECIMAL(10,2)` can hold, in cents. */
const maxTotalCents = toCents(maxAmount);

/**
 * Prices an order from what the catalog reserved: every figure in integer cents, so the total is
 * the exact decimal sum of price × quantity. Throws RangeError when the total would not fit the
 * seed's DECIMAL(10,2) column.
 */
export function priceOrder(lines: ReservedLine[]): PricedOrder {
  let total = 0n;
  const priced = lines.map((line) => {
    const lineCents = toCents(line.unitPrice) * BigInt(line.quantity);
    total += lineCents;
    return { ...line, lineTotal: fromCents(lineCents) };
  });
  if (total > maxTotalCents) throw new RangeError(`order total ${fromCents(total)} exceeds ${maxAmount}`);
  return { lines: priced, total: fromCents(total) };
}
