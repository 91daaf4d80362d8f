import type { PaymentOrderLine, RefundLine } from '@dema/contracts';

/** Why a line of a refund cannot be: `field` is the line's field to fix (`body.lines.<index>.<field>`). */
export interface RefundLineProblem {
  index: number;
  field: 'productId' | 'quantity';
  reason: string;
}

const lineKey = (line: { productId: string; variantId?: string | null }) => `${line.productId.toLowerCase()}/${line.variantId?.toLowerCase() ?? ''}`;

function unitsByLine(lines: readonly { productId: string; variantId?: string | null; quantity: number }[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const line of lines) units.set(lineKey(line), (units.get(lineKey(line)) ?? 0) + line.quantity);
  return units;
}

/**
 * The lines of a refund its order cannot account for, pure: each must name a line of `ordered`
 * (product and variant; no variant matches a line without one), for at most the units of it that
 * neither `earlier` refunds nor the refund's lines before it already named. A line named twice is
 * counted twice. Empty: the refund may name its lines.
 */
export function refundLineProblems(
  ordered: readonly PaymentOrderLine[],
  earlier: readonly RefundLine[],
  requested: readonly RefundLine[],
): RefundLineProblem[] {
  const bought = unitsByLine(ordered);
  const named = unitsByLine(earlier);
  const problems: RefundLineProblem[] = [];
  requested.forEach((line, index) => {
    const key = lineKey(line);
    const quantity = bought.get(key);
    if (quantity === undefined) {
      problems.push({ index, field: 'productId', reason: 'names no line of this order (with this variantId)' });
      return;
    }
    const already = named.get(key) ?? 0;
    if (already + line.quantity > quantity) {
      const left = Math.max(quantity - already, 0);
      problems.push({ index, field: 'quantity', reason: `is more than is left to refund of this line: ${left} of the ${quantity} ordered` });
      return;
    }
    named.set(key, already + line.quantity);
  });
  return problems;
}
