import { toCents, type Payment } from '@dema/contracts';

/**
 * What is left to refund of `payment`, in cents: what was taken, less what went back and what is
 * going back (refunds still pending). Never negative. The API decides; this only fills in the
 * refund form's amount and its hint.
 */
export function refundableCents(payment: Pick<Payment, 'amountCaptured' | 'amountRefunded' | 'refunds'>): bigint {
  const pending = payment.refunds.filter((refund) => refund.status === 'pending').reduce((sum, refund) => sum + toCents(refund.amount), 0n);
  const left = toCents(payment.amountCaptured) - toCents(payment.amountRefunded) - pending;
  return left > 0n ? left : 0n;
}

/** The admin's refund amount as typed: a positive amount with at most two decimals, or null. */
export function parseRefundAmount(typed: string): number | null {
  const trimmed = typed.trim();
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed) || toCents(trimmed) <= 0n) return null;
  return Number(trimmed);
}
