import { createHash, randomUUID } from 'node:crypto';
import {
  ErrorCode,
  fromCents,
  toCents,
  type CreatePayment,
  type CreateRefund,
  type Payment,
  type PaymentProvider,
  type PaymentStatus,
  type Principal,
  type Refund,
  type RefundLine,
} from '@dema/contracts';
import { AppError, conflict, notFound, recordAudit, unprocessable, unprocessableContent, type Db, type OutboxRelay, type Queryable } from '@dema/platform';
import type { Logger } from 'pino';
import * as payments from './db/payments.repository.ts';
import type { PaymentRecord, PendingRefund } from './db/payments.repository.ts';
import { decideMove, refundableCents, statusAfterRefund, stripeEventMoves } from './domain/payment-status.ts';
import { refundLineProblems } from './domain/refund-lines.ts';
import { recordPaymentAuthorized, recordPaymentCaptured, recordPaymentFailed, recordPaymentRefunded, recordPaymentVoided } from './events/payment-events.ts';
import type { PaymentProviderAdapter } from './providers/provider.ts';

type User = Principal & { kind: 'user' };

/** A provider webhook event as the Payment service reads it, after its signature was verified. */
export interface ProviderEvent {
  id: string;
  type: string;
  data: { object: Record<string, unknown> };
}

/**
 * A refund pending this long lost its request (a crash between asking the provider and recording
 * the answer): longer than the Stripe client's three attempts of 20 s each take.
 */
const defaultStaleRefundSeconds = 120;

/** Why the system refunds a cancelled order's payment in full. */
const cancelledOrderReason = 'Order cancelled';

/**
 * The Payment service's use cases: one payment per order, moved along the transition table of
 * @dema/contracts by the Order service (open, capture, cancel), by admins (mark paid, refund) and by
 * the provider's webhooks, each change and its event in one transaction. The provider is asked
 * before the change is recorded, with an idempotency key derived from the order (or the refund), so
 * a retry after a failure half-way asks the same question again and gets the same answer.
 */
export class Payments {
  constructor(
    private readonly db: Db,
    private readonly providers: Partial<Record<PaymentProvider, PaymentProviderAdapter>>,
    private readonly relay: OutboxRelay,
    private readonly log: Logger,
  ) {}

  /**
   * Opens the payment of an order (the Order service, after placing it). Idempotent by order id: a
   * repeat with the same body returns the same payment (Stripe's PaymentIntent too, by its key); the
   * same order with another amount, currency, provider or customer is a 409.
   */
  async openPayment(orderId: string, body: CreatePayment): Promise<{ payment: Payment; clientSecret: string | null }> {
    const provider = this.provider(body.provider, 'body.provider');
    // Every placement opens a payment: a provider with no one to call skips the look-up (one
    // statement fewer per order) and finds a repeat by the insert's conflict below.
    if (provider.remote) {
      const existing = await payments.findPayment(this.db, orderId);
      if (existing) return this.sameRequest(existing, body);
    }
    const amount = fromCents(toCents(body.amount));
    const opened = await provider.createPayment(orderId, amount, body.currency, `payment-open-${orderId}`);
    const inserted = await payments.insertPayment(this.db, {
      id: randomUUID(),
      orderId,
      userId: body.userId,
      provider: body.provider,
      status: opened.status,
      amount,
      currency: body.currency,
      providerRef: opened.providerRef,
      clientSecret: opened.clientSecret ?? null,
      lines: body.lines ?? null,
    });
    // A concurrent open of the same order may have written first: then that one is the payment.
    return this.sameRequest(inserted ?? (await payments.findPayment(this.db, orderId))!, body);
  }

  private sameRequest(found: { payment: Payment; clientSecret: string | null }, body: CreatePayment) {
    const { payment } = found;
    const differs = (['userId', 'amount', 'currency', 'provider'] as const).filter((field) => payment[field] !== body[field]);
    if (differs.length > 0) {
      throw conflict(
        ErrorCode.CONFLICT,
        `Order ${payment.orderId} already has a payment with another ${differs.join(', ')}`,
        differs.map((field) => ({ name: `body.${field}`, reason: `differs from the payment already opened (${String(payment[field])})` })),
      );
    }
    return found;
  }

  /** The payment of an order with its refunds, for its owner or an admin; anyone else gets a 404. */
  async getPayment(user: User, orderId: string): Promise<Payment> {
    const found = await payments.findPayment(this.db, orderId);
    if (!found || (user.role !== 'admin' && found.payment.userId !== user.userId)) throw paymentNotFound(orderId);
    const awaitingCard = found.payment.status === 'unpaid' || found.payment.status === 'failed';
    // The card form needs it; nobody else does (it lets its holder confirm the payment).
    if (found.clientSecret && awaitingCard && found.payment.userId === user.userId) return { ...found.payment, clientSecret: found.clientSecret };
    return found.payment;
  }

  /** The payment for the service that asked (internal routes), without its client secret. */
  async readPayment(orderId: string): Promise<Payment> {
    const found = await payments.findPayment(this.db, orderId);
    if (!found) throw paymentNotFound(orderId);
    return found.payment;
  }

  /**
   * Takes the money of an authorized payment (the Order service: when the order ships, or at once
   * per store setting): all of it or `amount`. Idempotent: a payment already captured is returned
   * as it is. PAYMENT_CAPTURED fires once, whether this or Stripe's webhook records the capture first.
   */
  async capture(orderId: string, amount: number | undefined): Promise<Payment> {
    const payment = await payments.readPayment(this.db, orderId);
    if (!payment) throw paymentNotFound(orderId);
    if (['paid', 'partially_refunded', 'refunded'].includes(payment.status)) return this.readPayment(orderId);
    const provider = this.provider(payment.provider, 'provider');
    // A manual payment is never authorized: an admin marks it paid instead.
    if (payment.status !== 'authorized') {
      throw conflict(ErrorCode.PAYMENT_INVALID_STATE, `The payment of order ${orderId} is ${payment.status}: only an authorized payment is captured`);
    }
    const wanted = amount === undefined ? undefined : fromCents(toCents(amount));
    if (wanted !== undefined && toCents(wanted) > toCents(payment.amount)) {
      throw unprocessable(ErrorCode.VALIDATION_FAILED, 'body.amount', `must be at most the authorized ${payment.amount}`);
    }
    const { amountCaptured } = await provider.capture(payment.providerRef!, wanted, `payment-capture-${orderId}`);
    await this.db.transaction(async (tx) => this.moveToPaid(tx, orderId, amountCaptured));
    this.relay.notify();
    return this.readPayment(orderId);
  }

  /**
   * An admin records that a manual payment's money arrived: `unpaid` → `paid`, PAYMENT_CAPTURED.
   * A card payment, or one not unpaid, is a 409.
   */
  async markPaid(orderId: string): Promise<Payment> {
    await this.db.transaction(async (tx) => {
      const payment = await payments.lockPayment(tx, orderId);
      if (!payment) throw paymentNotFound(orderId);
      if (payment.provider !== 'manual') {
        throw conflict(ErrorCode.PAYMENT_INVALID_STATE, `The payment of order ${orderId} is by ${payment.provider}: only a manual payment is marked paid`);
      }
      if (payment.status !== 'unpaid') throw conflict(ErrorCode.PAYMENT_INVALID_STATE, `The payment of order ${orderId} is already ${payment.status}`);
      await this.moveToPaid(tx, orderId, payment.amount);
      await recordAudit(tx, {
        action: 'payment.marked_paid',
        resourceType: 'payment',
        resourceId: payment.id,
        before: { orderId, status: payment.status, amountCaptured: payment.amountCaptured },
        after: { orderId, status: 'paid', amountCaptured: payment.amount },
      });
    });
    this.relay.notify();
    return this.readPayment(orderId);
  }

  /**
   * What cancelling an order does to its payment (the Order service): an authorization is released,
   * a payment taken is refunded in full (what is left of it), one never completed is closed
   * (Stripe's PaymentIntent cancelled, so the card can no longer be authorized for it); one already
   * refunded or voided stays as it is.
   */
  async cancel(orderId: string): Promise<Payment> {
    const payment = await payments.readPayment(this.db, orderId);
    if (!payment) throw paymentNotFound(orderId);
    switch (payment.status) {
      case 'unpaid':
      case 'failed':
      case 'authorized': {
        const provider = this.provider(payment.provider, 'provider');
        if (payment.providerRef) await provider.cancel(payment.providerRef, `payment-cancel-${orderId}`);
        await this.db.transaction(async (tx) => {
          const locked = (await payments.lockPayment(tx, orderId))!;
          if (decideMove(locked.status, 'voided') === 'ignore') return;
          await payments.updatePayment(tx, locked.id, { status: 'voided' });
          await recordPaymentVoided(tx, locked);
        });
        this.relay.notify();
        break;
      }
      case 'paid':
      case 'partially_refunded':
        await this.startRefund(orderId, { reason: cancelledOrderReason }, null, 'refund-all');
        break;
      default:
        break;
    }
    return this.readPayment(orderId);
  }

  /**
   * An admin's refund: `amount` (all that is left when absent), never more than was captured minus
   * what was refunded or is being refunded, recorded with who made it and why. Under concurrency the
   * payment row is locked while the refund is reserved (a pending row), so ten racing refunds of
   * 10.00 on a 50.00 payment give exactly five. The provider is asked after the reservation commits;
   * a refusal drops the reservation and nothing was refunded. `lines` must be the order's (as it
   * opened the payment), each for at most the units earlier refunds did not name: a 422 naming the
   * line otherwise. With an `idempotencyKey`, a repeat of the same request answers with the first
   * refund (`replayed`), even while that one is being made, before its lines are checked again; the
   * same key with another request is a 422.
   */
  refund(user: User, orderId: string, body: CreateRefund, idempotencyKey?: string): Promise<{ refund: Refund; replayed: boolean }> {
    return this.refundFor(user.userId, orderId, body, idempotencyKey);
  }

  /** `refund` on behalf of `createdBy` (an admin the calling service names; null: the system), for the internal route. */
  async refundFor(createdBy: string | null, orderId: string, body: CreateRefund, idempotencyKey?: string): Promise<{ refund: Refund; replayed: boolean }> {
    if (body.lines && body.amount === undefined) {
      throw unprocessable(ErrorCode.VALIDATION_FAILED, 'body.amount', 'is required with lines: the amount to give back for them');
    }
    const idempotency = idempotencyKey === undefined ? undefined : { key: idempotencyKey, requestHash: hashRefundRequest(body) };
    const outcome = (await this.startRefund(orderId, body, createdBy, 'as-asked', idempotency))!;
    return 'replayed' in outcome ? { refund: outcome.replayed, replayed: true } : { refund: outcome, replayed: false };
  }

  private async startRefund(
    orderId: string,
    request: { amount?: number; lines?: RefundLine[]; reason: string },
    createdBy: string | null,
    mode: 'as-asked' | 'refund-all',
    idempotency?: { key: string; requestHash: string },
  ): Promise<Refund | { replayed: Refund } | undefined> {
    const refundId = randomUUID();
    const reserved = await this.db.transaction(async (tx) => {
      const payment = await payments.lockPayment(tx, orderId);
      if (!payment) throw paymentNotFound(orderId);
      // Under the payment's lock, so a concurrent duplicate finds the first one's refund here.
      const earlier = idempotency && (await payments.findRefundByKey(tx, payment.id, idempotency.key));
      if (earlier) {
        if (earlier.requestHash !== idempotency.requestHash) {
          throw unprocessableContent(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for a different refund; use a new key for a new refund', [
            { name: 'header.idempotency-key', reason: 'was already used with another body' },
          ]);
        }
        return { replay: earlier.id };
      }
      // A refunded payment has nothing left: that is the amount's fault (422 below), not the state's.
      if (!['paid', 'partially_refunded', 'refunded'].includes(payment.status)) {
        throw conflict(ErrorCode.PAYMENT_INVALID_STATE, `The payment of order ${orderId} is ${payment.status}: only money that was taken is refunded`);
      }
      if (request.lines) await checkRefundLines(tx, payment.id, request.lines);
      const left = refundableCents(toCents(payment.amountCaptured), toCents(payment.amountRefunded), toCents(payment.amountPending));
      const cents = request.amount === undefined ? left : toCents(request.amount);
      if (cents <= 0n) {
        if (mode === 'refund-all') return undefined;
        throw unprocessable(ErrorCode.REFUND_EXCEEDS_PAID, 'body.amount', 'is more than is left to refund: nothing is left');
      }
      if (cents > left)
        throw unprocessable(ErrorCode.REFUND_EXCEEDS_PAID, 'body.amount', `must be at most ${fromCents(left)}, what was paid and not yet refunded`);
      const amount = fromCents(cents);
      await payments.insertRefund(
        tx,
        {
          id: refundId,
          paymentId: payment.id,
          amount,
          reason: request.reason,
          lines: request.lines ?? null,
          createdBy,
          status: 'pending',
          providerRef: null,
        },
        idempotency,
      );
      return { payment, amount };
    });
    // Refunding all of a payment with nothing left (refunds still being made cover it) is done.
    if (!reserved) return undefined;
    if ('replay' in reserved) return { replayed: (await this.readPayment(orderId)).refunds.find((r) => r.id === reserved.replay)! };
    const refund = await this.finishRefund({ id: refundId, orderId, amount: reserved.amount, reason: request.reason, lines: request.lines ?? null });
    return refund ?? (await this.readPayment(orderId)).refunds.find((r) => r.id === refundId)!;
  }

  /**
   * Asks the provider for a reserved (pending) refund, with the refund's id as idempotency key, and
   * records it: the payment's new total and status and PAYMENT_REFUNDED, once, however many times
   * it is finished (the request, the sweep). A refusal (4xx) drops the reservation; no answer (a
   * timeout, a 5xx) leaves it pending, since the provider may have made it: the sweep asks again.
   */
  private async finishRefund(pending: PendingRefund): Promise<Refund | undefined> {
    const payment = (await payments.readPayment(this.db, pending.orderId))!;
    const provider = this.provider(payment.provider, 'provider');
    let refundRef: string | null;
    try {
      ({ refundRef } = await provider.refund(payment.providerRef!, pending.amount, `refund-${pending.id}`));
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        await payments
          .dropPendingRefund(this.db, pending.id)
          .catch((err: unknown) =>
            this.log.error({ err, orderId: pending.orderId, refundId: pending.id }, 'a refused refund stays pending; the sweep retries'),
          );
      }
      throw error;
    }
    const refund = await this.db.transaction(async (tx) => {
      const locked = (await payments.lockPayment(tx, pending.orderId))!;
      const done = await payments.completeRefund(tx, pending.id, refundRef);
      if (done) {
        await this.addRefunded(tx, locked, pending);
        await recordAudit(tx, {
          action: 'refund.created',
          resourceType: 'refund',
          resourceId: pending.id,
          before: { orderId: pending.orderId, amountRefunded: locked.amountRefunded },
          after: { orderId: pending.orderId, amount: pending.amount, reason: pending.reason, lines: pending.lines },
        });
      }
      return done;
    });
    this.relay.notify();
    return refund;
  }

  /**
   * Finishes the refunds whose request died after reserving them (pending longer than
   * `staleRefundSeconds`): asks the provider again with the same idempotency key, so one it already
   * made is answered, not made twice. Returns how many it recorded.
   */
  async finishPendingRefunds(staleRefundSeconds = defaultStaleRefundSeconds): Promise<number> {
    let finished = 0;
    for (const pending of await payments.stalePendingRefunds(this.db, staleRefundSeconds, 50)) {
      try {
        if (await this.finishRefund(pending)) finished += 1;
      } catch (err) {
        this.log.error({ err, orderId: pending.orderId, refundId: pending.id }, 'could not finish a pending refund; a later sweep retries');
      }
    }
    return finished;
  }

  /** Counts a succeeded refund on a locked payment: new total, new status, PAYMENT_REFUNDED. */
  private async addRefunded(
    tx: Queryable,
    payment: PaymentRecord,
    refund: { id: string; amount: string; reason: string; lines: RefundLine[] | null },
  ): Promise<void> {
    const captured = toCents(payment.amountCaptured);
    const refunded = toCents(payment.amountRefunded) + toCents(refund.amount);
    const status = statusAfterRefund(captured, refunded);
    const amountRefunded = fromCents(refunded);
    await payments.updatePayment(tx, payment.id, { status, amountRefunded });
    await recordPaymentRefunded(tx, payment, refund, amountRefunded, status === 'refunded');
  }

  /** Records a capture on the locked payment, once: a second report of it (the webhook after the call) changes nothing. */
  private async moveToPaid(tx: Queryable, orderId: string, amountCaptured: string): Promise<void> {
    const payment = (await payments.lockPayment(tx, orderId))!;
    if (decideMove(payment.status, 'paid') === 'ignore') return;
    await payments.updatePayment(tx, payment.id, { status: 'paid', amountCaptured });
    await recordPaymentCaptured(tx, payment, amountCaptured);
  }

  /**
   * Applies a verified Stripe webhook event, once: the event id is recorded in the same transaction,
   * so a second delivery changes nothing (false). Events arrive in any order: a move the transition
   * table does not allow is ignored (a late "authorized" after a refund), a refund made at Stripe is
   * counted only for what Stripe reports beyond what is known here, and events about a PaymentIntent
   * that is not ours are recorded and ignored.
   */
  async handleStripeEvent(event: ProviderEvent): Promise<boolean> {
    const object = event.data.object;
    const intentId = event.type.startsWith('charge.') ? stringField(object, 'payment_intent') : stringField(object, 'id');
    const applied = await this.db.transaction(async (tx) => {
      if (!(await payments.claimWebhookEvent(tx, event.id, 'stripe', event.type))) return false;
      const payment = intentId === undefined ? undefined : await payments.lockPaymentByRef(tx, intentId);
      if (!payment) return true;
      if (event.type === 'charge.refunded') {
        await this.reconcileStripeRefunds(tx, payment, object);
        return true;
      }
      const to = stripeEventMoves[event.type];
      if (to === undefined || decideMove(payment.status, to) === 'ignore') return true;
      await this.applyStripeMove(tx, payment, to, object);
      return true;
    });
    if (applied) this.relay.notify();
    return applied;
  }

  private async applyStripeMove(tx: Queryable, payment: PaymentRecord, to: PaymentStatus, intent: Record<string, unknown>): Promise<void> {
    switch (to) {
      case 'paid': {
        const received = numberField(intent, 'amount_received') ?? Number(toCents(payment.amount));
        const amountCaptured = fromCents(BigInt(received));
        await payments.updatePayment(tx, payment.id, { status: 'paid', amountCaptured });
        await recordPaymentCaptured(tx, payment, amountCaptured);
        return;
      }
      case 'authorized':
        await payments.updatePayment(tx, payment.id, { status: 'authorized' });
        await recordPaymentAuthorized(tx, payment);
        return;
      case 'failed': {
        await payments.updatePayment(tx, payment.id, { status: 'failed' });
        const error = intent.last_payment_error as { message?: unknown } | null | undefined;
        await recordPaymentFailed(tx, payment, typeof error?.message === 'string' ? error.message : 'The card was declined');
        return;
      }
      case 'voided':
        await payments.updatePayment(tx, payment.id, { status: 'voided' });
        await recordPaymentVoided(tx, payment);
        return;
    }
  }

  /**
   * `charge.refunded`: Stripe's total refunded for the charge. What it reports beyond what is
   * refunded here and being refunded (a refund made in Stripe's dashboard) is recorded as a refund
   * by the system; a capture not yet known here (its webhook still on the way) is recorded first.
   */
  private async reconcileStripeRefunds(tx: Queryable, payment: PaymentRecord, charge: Record<string, unknown>): Promise<void> {
    const stripeRefunded = BigInt(numberField(charge, 'amount_refunded') ?? 0);
    let current = payment;
    if (decideMove(payment.status, 'paid') === 'move') {
      const captured = BigInt(numberField(charge, 'amount_captured') ?? numberField(charge, 'amount') ?? 0);
      if (captured <= 0n) return;
      await payments.updatePayment(tx, payment.id, { status: 'paid', amountCaptured: fromCents(captured) });
      await recordPaymentCaptured(tx, payment, fromCents(captured));
      current = { ...payment, status: 'paid', amountCaptured: fromCents(captured) };
    }
    if (current.status !== 'paid' && current.status !== 'partially_refunded') return;
    const known = toCents(current.amountRefunded) + toCents(current.amountPending);
    const beyond = stripeRefunded - known;
    const left = toCents(current.amountCaptured) - toCents(current.amountRefunded);
    if (beyond <= 0n || left <= 0n) return;
    const amount = fromCents(beyond < left ? beyond : left);
    const refund = { id: randomUUID(), amount, reason: 'Refunded at Stripe', lines: null };
    await payments.insertRefund(tx, { ...refund, paymentId: current.id, createdBy: null, status: 'succeeded', providerRef: null });
    await this.addRefunded(tx, current, refund);
  }

  private provider(name: PaymentProvider, field: string): PaymentProviderAdapter {
    const provider = this.providers[name];
    if (!provider) {
      throw new AppError(422, ErrorCode.VALIDATION_FAILED, `The ${name} provider is not configured (STRIPE_SECRET_KEY)`, [
        { name: field, reason: `${name} is not configured on this server` },
      ]);
    }
    return provider;
  }
}

const paymentNotFound = (orderId: string) => notFound(ErrorCode.PAYMENT_NOT_FOUND, `No payment for order ${orderId}`);

/**
 * Refuses (422 naming `body.lines.N.productId` / `.quantity`) refund lines the order cannot account
 * for, on the locked payment, so two refunds of an order's last unit cannot both pass. The order's
 * items are the Order service's: the lines it opened the payment with stand for them, and a payment
 * opened without them has nothing to check against.
 */
async function checkRefundLines(tx: Queryable, paymentId: string, lines: RefundLine[]): Promise<void> {
  const { ordered, refunded } = await payments.refundLinesOf(tx, paymentId);
  if (!ordered) return;
  const params = refundLineProblems(ordered, refunded, lines).map((p) => ({ name: `body.lines.${p.index}.${p.field}`, reason: p.reason }));
  if (params.length > 0) throw unprocessableContent(ErrorCode.VALIDATION_FAILED, params.map((p) => `${p.name} ${p.reason}`).join('; '), params);
}

function stringField(object: Record<string, unknown>, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

function numberField(object: Record<string, unknown>, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/** A refund request as its Idempotency-Key remembers it: the same fields in any order hash the same. */
function hashRefundRequest(body: CreateRefund): string {
  const lines = body.lines?.map((l) => ({ productId: l.productId.toLowerCase(), variantId: l.variantId?.toLowerCase() ?? null, quantity: l.quantity })) ?? null;
  return createHash('sha256')
    .update(JSON.stringify({ amount: body.amount ?? null, reason: body.reason, lines }))
    .digest('hex');
}
