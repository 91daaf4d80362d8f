import Type, { type Static } from 'typebox';
import { CurrencyCode } from './checkout.ts';
import { Quantity } from './quantity.ts';

/**
 * Payment contracts (issue 20: the Payment service). One payment per order, taken by a provider
 * (`manual`: bank transfer or cash on delivery, marked paid by an admin; `stripe`: a PaymentIntent
 * authorized at checkout and captured later). Money on the wire is a JSON number with two decimals,
 * as everywhere in the API; at rest DECIMAL(10,2); arithmetic in cents.
 */

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
/** A positive amount with at most two decimals, within DECIMAL(10,2). */
const PositiveAmount = Type.Number({ minimum: 0.01, maximum: 99_999_999.99, multipleOf: 0.01 });

export const paymentProviders = ['manual', 'stripe'] as const;
export type PaymentProvider = (typeof paymentProviders)[number];
const ProviderName = Type.Union([Type.Literal('manual'), Type.Literal('stripe')]);

/**
 * `unpaid`: waiting for the money (a manual payment until an admin marks it paid, a card not yet
 * authorized); `authorized`: the card is held, not yet charged; `paid`: captured; `partially_refunded`
 * / `refunded`: part or all of what was captured went back; `failed`: the card was declined (the
 * shopper may try another, which authorizes it after all); `voided`: given up before any money moved
 * (an authorization released, an unpaid order cancelled).
 */
export const paymentStatuses = ['unpaid', 'authorized', 'paid', 'partially_refunded', 'refunded', 'failed', 'voided'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/**
 * The payment lifecycle as a transition table: `paymentTransitions[from]` lists where a payment may
 * go. Provider webhooks arrive late, twice and out of order; a move the table does not list is
 * ignored, so nothing ever goes backwards (a late "authorized" after "refunded" changes nothing).
 * `partially_refunded → partially_refunded` is another partial refund.
 */
export const paymentTransitions: Record<PaymentStatus, readonly PaymentStatus[]> = {
  unpaid: ['authorized', 'paid', 'failed', 'voided'],
  failed: ['authorized', 'paid', 'voided'],
  authorized: ['paid', 'voided'],
  paid: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  voided: [],
};

export const canMovePayment = (from: PaymentStatus, to: PaymentStatus): boolean => paymentTransitions[from].includes(to);

/**
 * Whether a payment in `from` can get to `to` by one or more moves of the table. An order follows
 * its payment from events that may arrive out of order (a refund before the capture it refunds):
 * it takes any status that lies ahead, never one behind, and a repeat changes nothing.
 */
export function canReachPayment(from: PaymentStatus, to: PaymentStatus): boolean {
  const seen = new Set<PaymentStatus>();
  const next = [...paymentTransitions[from]];
  for (let status = next.pop(); status !== undefined; status = next.pop()) {
    if (status === to) return true;
    if (seen.has(status)) continue;
    seen.add(status);
    next.push(...paymentTransitions[status]);
  }
  return false;
}

/** The statuses a payment can get to `to` from (see `canReachPayment`). */
export const paymentStatusesBefore = (to: PaymentStatus): PaymentStatus[] => paymentStatuses.filter((from) => canReachPayment(from, to));

export const PaymentStatus = Type.Union(
  paymentStatuses.map((s) => Type.Literal(s)),
  { $id: 'PaymentStatus' },
);

/** A line of the order a refund gives money back for (a return); recorded with the refund. */
export const RefundLine = Type.Object(
  { productId: Uuid, variantId: Type.Optional(Type.Union([Uuid, Type.Null()])), quantity: Quantity },
  { additionalProperties: false },
);
export type RefundLine = Static<typeof RefundLine>;

export const Refund = Type.Object(
  {
    id: Uuid,
    paymentId: Uuid,
    amount: Type.Number(),
    reason: Type.String(),
    lines: Type.Union([Type.Array(RefundLine), Type.Null()]),
    /** The admin who made it; null for one the system made (an order cancelled, a refund made at the provider). */
    createdBy: Type.Union([Uuid, Type.Null()]),
    /** `pending` while the provider is being asked; a refund the provider refused is not kept. */
    status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded')]),
    providerRef: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
  },
  { $id: 'Refund' },
);
export type Refund = Static<typeof Refund>;

export const Payment = Type.Object(
  {
    id: Uuid,
    orderId: Uuid,
    userId: Uuid,
    provider: ProviderName,
    status: Type.Ref('PaymentStatus'),
    amount: Type.Number(),
    amountCaptured: Type.Number(),
    amountRefunded: Type.Number(),
    /** ISO 4217, upper case. */
    currency: Type.String(),
    /** The provider's id of the payment (a PaymentIntent's `pi_…`); null for a manual payment. */
    providerRef: Type.Union([Type.String(), Type.Null()]),
    /**
     * What the storefront's card form confirms the PaymentIntent with (Stripe.js); only to the
     * payment's owner while the card is still to be authorized.
     */
    clientSecret: Type.Optional(Type.String()),
    refunds: Type.Array(Type.Ref('Refund')),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Payment' },
);
export type Payment = Omit<Static<typeof Payment>, 'status' | 'refunds'> & { status: PaymentStatus; refunds: Refund[] };

/**
 * A line of the order a payment is for, as placed: what a refund's `lines` may name. The quantity
 * is the order's, beyond `Quantity`: lines naming the same product and variant are merged, up to
 * an order's 100 lines of 1000 units each.
 */
export const PaymentOrderLine = Type.Object(
  { productId: Uuid, variantId: Type.Optional(Type.Union([Uuid, Type.Null()])), quantity: Type.Integer({ minimum: 1, maximum: 100_000 }) },
  { additionalProperties: false },
);
export type PaymentOrderLine = Static<typeof PaymentOrderLine>;

/**
 * The Order service opens the payment of an order it placed (internal route, idempotent by order
 * id). `lines` are the order's, so that a refund's lines are checked against them without asking
 * the Order service; a payment opened without them (before they were sent) checks none.
 */
export const CreatePayment = Type.Object(
  {
    userId: Uuid,
    amount: PositiveAmount,
    currency: CurrencyCode,
    provider: ProviderName,
    // An order has at most 100 lines (its items, or a cart's), merged ones fewer.
    lines: Type.Optional(Type.Array(PaymentOrderLine, { minItems: 1, maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type CreatePayment = Static<typeof CreatePayment>;

/** Capture of an authorized payment: all of it, or `amount` of it (Stripe releases the rest). */
export const CapturePayment = Type.Object({ amount: Type.Optional(PositiveAmount) }, { additionalProperties: false });
export type CapturePayment = Static<typeof CapturePayment>;

/**
 * An admin's refund: `amount` of what was paid and not yet refunded, or all of it when absent.
 * `lines` record what was returned; with lines the amount must be given, as prices are the Order
 * service's. Each line must be one of the order's (product and variant), for at most the units
 * ordered less those earlier refunds named.
 */
export const CreateRefund = Type.Object(
  {
    amount: Type.Optional(PositiveAmount),
    lines: Type.Optional(Type.Array(RefundLine, { minItems: 1, maxItems: 100 })),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type CreateRefund = Static<typeof CreateRefund>;

export const OrderIdParam = Type.Object({ orderId: Uuid }, { additionalProperties: false });

/**
 * What a Stripe webhook must at least look like (Stripe's Event object); the rest is Stripe's and
 * passes through. The signature, not this shape, is what makes it trusted.
 */
export const StripeWebhookEvent = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 255 }),
    type: Type.String({ minLength: 1, maxLength: 255 }),
    data: Type.Object({ object: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: true }),
  },
  { additionalProperties: true },
);

export const WebhookReceipt = Type.Object(
  {
    received: Type.Literal(true),
    /** False when this event was handled before (the same event twice changes nothing). */
    processed: Type.Boolean(),
  },
  { additionalProperties: false },
);

/**
 * `POST /internal/payments/:orderId/refunds`: a refund made for someone else than the caller (the
 * Order service, for an admin or for the system): who made it is said, not taken from a token.
 */
export const CreateRefundFor = Type.Object(
  {
    ...CreateRefund.properties,
    /** The admin who asked for it; null for one the system makes. */
    createdBy: Type.Union([Uuid, Type.Null()]),
  },
  { additionalProperties: false },
);
export type CreateRefundFor = Static<typeof CreateRefundFor>;

/**
 * The Payment service as the Order service uses it: a port with an in-process adapter (the
 * all-in-one process) and an HTTP one (`/internal/payments`, a cluster), as `StockReservations` is.
 * Every call is idempotent by order id (a refund by its idempotency key), so a retry after a lost
 * answer is safe. Refusals are AppErrors (409 PAYMENT_INVALID_STATE, 422 naming the field); no
 * answer is a 503.
 */
export interface OrderPayments {
  /** Opens the order's payment; the same body again returns the same payment (with its client secret for Stripe). */
  openPayment(orderId: string, body: CreatePayment): Promise<Payment & { clientSecret?: string }>;
  /** Takes an authorized payment's money; one already taken is returned as it is; one not authorized is a 409. */
  capturePayment(orderId: string): Promise<Payment>;
  /**
   * What cancelling the order does to its payment: an authorization or an unpaid payment is voided,
   * money taken is refunded in full; undefined when the order has no payment (a placement undone
   * before it was opened). Idempotent.
   */
  cancelPayment(orderId: string): Promise<Payment | undefined>;
  /**
   * A refund of the order's payment made by `createdBy` (an admin; null: the system). Lines that
   * are not the order's, or more units than are left of one, are a 422 naming `body.lines.N.…`.
   */
  refundPayment(orderId: string, body: CreateRefund, createdBy: string | null, idempotencyKey?: string): Promise<Refund>;
}
