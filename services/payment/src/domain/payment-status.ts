import { canMovePayment, type PaymentStatus } from '@dema/contracts';

/**
 * Whether a payment in `from` takes a report that it is now `to` (a webhook, a capture, a refund):
 * `move` when the transition table allows it, `ignore` otherwise. A late or repeated report never
 * moves a payment backwards: `authorized` after `paid` or `refunded`, `failed` after `authorized`.
 */
export function decideMove(from: PaymentStatus, to: PaymentStatus): 'move' | 'ignore' {
  return canMovePayment(from, to) ? 'move' : 'ignore';
}

/** The status once `refundedCents` of `capturedCents` went back: refunded when all of it did. */
export function statusAfterRefund(capturedCents: bigint, refundedCents: bigint): 'partially_refunded' | 'refunded' {
  if (refundedCents <= 0n || refundedCents > capturedCents) throw new RangeError(`refunded ${refundedCents} of ${capturedCents} cents`);
  return refundedCents === capturedCents ? 'refunded' : 'partially_refunded';
}

/**
 * What is left to refund, in cents: captured minus refunded minus refunds still being made. Never
 * negative by construction of `refund` (a refund is only started within what is left).
 */
export function refundableCents(capturedCents: bigint, refundedCents: bigint, pendingCents: bigint): bigint {
  return capturedCents - refundedCents - pendingCents;
}

/** The Stripe webhook events that move a payment, and where to. `charge.refunded` is handled as a refund. */
export const stripeEventMoves: Readonly<Record<string, PaymentStatus>> = {
  'payment_intent.amount_capturable_updated': 'authorized',
  'payment_intent.succeeded': 'paid',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'voided',
};
