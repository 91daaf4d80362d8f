import { toCents } from '@dema/contracts';

/**
 * What a return of order lines gives back (issue 20: returns refund and restock in one step), pure.
 *
 * - A line was paid its line total − its share of the discount, plus its tax when prices exclude
 *   tax (with prices with tax, the tax is inside the line total already). Shipping and its tax are
 *   not given back by a return of lines: only an amount refund does that.
 * - Returning units refunds their share of what the line was paid, in cents, as the difference of
 *   two cumulative figures: after m of n units are back, round(paid × m / n) has been refunded
 *   (half away from zero), and after all n exactly `paid`. So any sequence of partial returns of a
 *   line adds up to exactly what it was paid, the last unit taking the remainder, and no return is
 *   ever negative or more than was paid, whatever order and size the returns come in.
 */

/** A money amount as stored (DECIMAL string) or as on the wire (JSON number with two decimals). */
export type Amount = string | number;

/** An order line as the order recorded it. */
export interface PaidLine {
  /** Unit price. */
  price: Amount;
  quantity: number;
  /** The promotion's share of the line. */
  discount: Amount;
  /** Tax charged on the line (inside the price when prices include tax). */
  tax: Amount;
}

/** What the customer paid for the line, in cents (never negative). */
export function linePaidCents(line: PaidLine, pricesIncludeTax: boolean): bigint {
  const paid = toCents(line.price) * BigInt(line.quantity) - toCents(line.discount) + (pricesIncludeTax ? 0n : toCents(line.tax));
  return paid < 0n ? 0n : paid;
}

/**
 * What has been refunded for a line of `quantity` units paid `paidCents` once `returned` of them are
 * back: round(paid × returned / quantity), and exactly `paidCents` for all of them.
 */
export function refundedAfterCents(paidCents: bigint, quantity: number, returned: number): bigint {
  if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError(`not a line quantity: ${quantity}`);
  if (!Number.isInteger(returned) || returned < 0 || returned > quantity) throw new RangeError(`cannot have returned ${returned} of ${quantity}`);
  if (returned === quantity) return paidCents;
  const numerator = paidCents * BigInt(returned);
  const denominator = BigInt(quantity);
  const quotient = numerator / denominator;
  return 2n * (numerator % denominator) >= denominator ? quotient + 1n : quotient;
}

/**
 * The refund, in cents, for returning `returning` more units of a line of which `alreadyReturned`
 * are back. Throws RangeError when that would return more than was bought.
 */
export function returnRefundCents(paidCents: bigint, quantity: number, alreadyReturned: number, returning: number): bigint {
  return refundedAfterCents(paidCents, quantity, alreadyReturned + returning) - refundedAfterCents(paidCents, quantity, alreadyReturned);
}

/** An order line with what is known about its returns. */
export interface ReturnableLine extends PaidLine {
  productId: string;
  variantId: string | null;
  /** Units of it already returned (by earlier returns, finished or under way). */
  returned: number;
}

/** A line a return asks for. */
export interface ReturnRequestLine {
  productId: string;
  variantId?: string | null;
  quantity: number;
}

/** A line of a return, priced. */
export interface PricedReturnLine {
  productId: string;
  variantId: string | null;
  quantity: number;
  refundCents: bigint;
}

/** Why a requested line cannot be returned: `field` is its index's field (`quantity`, `productId`). */
export interface ReturnLineProblem {
  index: number;
  field: 'productId' | 'quantity';
  reason: string;
}

export type ReturnPlan =
  | { kind: 'priced'; lines: PricedReturnLine[]; refundCents: bigint; returnsEverything: boolean }
  | { kind: 'refused'; problems: ReturnLineProblem[] };

const lineKey = (productId: string, variantId: string | null | undefined) => `${productId.toLowerCase()}/${variantId?.toLowerCase() ?? ''}`;

/**
 * Prices a return of `requested` lines of an order whose lines are `lines`: each requested line must
 * name a line of the order, once, for at most what is left of it to return. `returnsEverything`
 * tells whether every unit of the order is back once this return is made.
 */
export function planReturn(lines: readonly ReturnableLine[], pricesIncludeTax: boolean, requested: readonly ReturnRequestLine[]): ReturnPlan {
  const byKey = new Map(lines.map((line) => [lineKey(line.productId, line.variantId), line]));
  const seen = new Map<string, number>();
  const problems: ReturnLineProblem[] = [];
  const priced: PricedReturnLine[] = [];
  requested.forEach((request, index) => {
    const key = lineKey(request.productId, request.variantId);
    const line = byKey.get(key);
    if (!line) {
      problems.push({ index, field: 'productId', reason: 'names no line of this order (with this variantId)' });
      return;
    }
    if (seen.has(key)) {
      problems.push({ index, field: 'productId', reason: `names the same line as lines.${seen.get(key)}` });
      return;
    }
    seen.set(key, index);
    const left = line.quantity - line.returned;
    if (request.quantity > left) {
      problems.push({ index, field: 'quantity', reason: `is more than is left to return: ${left} of ${line.quantity}` });
      return;
    }
    const refundCents = returnRefundCents(linePaidCents(line, pricesIncludeTax), line.quantity, line.returned, request.quantity);
    priced.push({ productId: line.productId, variantId: line.variantId, quantity: request.quantity, refundCents });
  });
  if (problems.length > 0) return { kind: 'refused', problems };
  const returning = new Map(priced.map((l) => [lineKey(l.productId, l.variantId), l.quantity]));
  const returnsEverything = lines.every((line) => line.returned + (returning.get(lineKey(line.productId, line.variantId)) ?? 0) === line.quantity);
  return { kind: 'priced', lines: priced, refundCents: priced.reduce((sum, l) => sum + l.refundCents, 0n), returnsEverything };
}
