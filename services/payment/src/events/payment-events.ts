import {
  toWireAmount,
  type PaymentAuthorizedEvent,
  type PaymentCapturedEvent,
  type PaymentFailedEvent,
  type PaymentRefundedEvent,
  type PaymentVoidedEvent,
  type RefundLine,
} from '@dema/contracts';
import { appendToOutbox, createEvent, type Queryable } from '@dema/platform';
import type { PaymentRecord } from '../db/payments.repository.ts';

// Each is appended in the transaction that makes the change it reports, so it is published once
// the change commits and never for a change that rolled back; the relay publishes after commit.

const facts = (payment: PaymentRecord) => ({
  paymentId: payment.id,
  orderId: payment.orderId,
  userId: payment.userId,
  provider: payment.provider,
  currency: payment.currency,
  timestamp: new Date().toISOString(),
});

/** PAYMENT_AUTHORIZED: the payment just became `authorized`. */
export async function recordPaymentAuthorized(tx: Queryable, payment: PaymentRecord): Promise<void> {
  await appendToOutbox(tx, createEvent<PaymentAuthorizedEvent>('PAYMENT_AUTHORIZED', { ...facts(payment), amount: toWireAmount(payment.amount) }));
}

/** PAYMENT_CAPTURED: the payment just became `paid`, `amountCaptured` taken. */
export async function recordPaymentCaptured(tx: Queryable, payment: PaymentRecord, amountCaptured: string): Promise<void> {
  await appendToOutbox(tx, createEvent<PaymentCapturedEvent>('PAYMENT_CAPTURED', { ...facts(payment), amount: toWireAmount(amountCaptured) }));
}

/** PAYMENT_REFUNDED: refund `refund` of the payment just succeeded; `amountRefunded` is the new total. */
export async function recordPaymentRefunded(
  tx: Queryable,
  payment: PaymentRecord,
  refund: { id: string; amount: string; reason: string; lines: RefundLine[] | null },
  amountRefunded: string,
  fullyRefunded: boolean,
): Promise<void> {
  await appendToOutbox(
    tx,
    createEvent<PaymentRefundedEvent>('PAYMENT_REFUNDED', {
      ...facts(payment),
      refundId: refund.id,
      amount: toWireAmount(refund.amount),
      amountRefunded: toWireAmount(amountRefunded),
      fullyRefunded,
      reason: refund.reason,
      lines: refund.lines?.map((l) => ({ productId: l.productId, variantId: l.variantId ?? null, quantity: l.quantity })) ?? null,
    }),
  );
}

/** PAYMENT_FAILED: the provider reported the card declined. */
export async function recordPaymentFailed(tx: Queryable, payment: PaymentRecord, reason: string): Promise<void> {
  await appendToOutbox(tx, createEvent<PaymentFailedEvent>('PAYMENT_FAILED', { ...facts(payment), reason }));
}

/** PAYMENT_VOIDED: the payment was just given up before any money moved. */
export async function recordPaymentVoided(tx: Queryable, payment: PaymentRecord): Promise<void> {
  await appendToOutbox(tx, createEvent<PaymentVoidedEvent>('PAYMENT_VOIDED', facts(payment)));
}
