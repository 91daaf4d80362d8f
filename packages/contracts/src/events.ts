import Type, { type TSchema } from 'typebox';

/**
 * Events that cross service boundaries. The envelope is the seed's `{ type, payload }` plus an `id`
 * (uuid, the de-duplication key consumers store) and a schema `version`. Payloads carry ids and
 * values only, never whole entities: they travel over RabbitMQ and outlive the code that wrote them.
 */
export interface EventEnvelope<TType extends string = string, TPayload = unknown> {
  id: string;
  type: TType;
  version: number;
  payload: TPayload;
}

/** Fired once per placed order, in the same transaction that writes the order. */
export interface OrderCreatedEvent
  extends EventEnvelope<
    'ORDER_CREATED',
    {
      orderId: string;
      userId: string;
      items: Array<{ productId: string; quantity: number; price: number }>;
      total: number;
      timestamp: string;
      /** Added with checkout (issue 20); absent in events of orders placed before it. Σ price × quantity. */
      subtotal?: number;
      discountTotal?: number;
      shippingTotal?: number;
      /** Tax on items and shipping; inside `total` either way (see pricesIncludeTax). */
      taxTotal?: number;
      pricesIncludeTax?: boolean;
      currency?: string;
    }
  > {}

export type StockUpdateReason = 'ORDER' | 'MANUAL' | 'RETURN';

/**
 * Fired whenever a product's stock changes, in the same transaction as the change: an order
 * reserving it (ORDER), an admin adjusting it (MANUAL), a cancelled or returned order putting it
 * back (RETURN). `oldStock`/`newStock` are the product's total across its variants.
 */
export interface StockUpdatedEvent
  extends EventEnvelope<
    'STOCK_UPDATED',
    {
      productId: string;
      oldStock: number;
      newStock: number;
      reason: StockUpdateReason;
      timestamp: string;
    }
  > {}

/**
 * Fired once when an admin deletes a product, in the same transaction as the deletion, with the name
 * it had. A product's last event: nothing moves its stock after (a cancelled or returned order does
 * not restock a deleted product). `timestamp` is read after the product's row is gone, so it is
 * later than that of every STOCK_UPDATED of it. Analytics drops the product from its stock reports;
 * integrations hear `product.deleted`.
 */
export interface ProductDeletedEvent
  extends EventEnvelope<
    'PRODUCT_DELETED',
    {
      productId: string;
      name: string;
      timestamp: string;
    }
  > {}

/**
 * Fired once per status change of an order (admin moves, a customer's cancellation), in the same
 * transaction as the change. Not in the seed; the Analytics service needs it for orders by status.
 */
export interface OrderStatusChangedEvent
  extends EventEnvelope<
    'ORDER_STATUS_CHANGED',
    {
      orderId: string;
      userId: string;
      oldStatus: string;
      newStatus: string;
      timestamp: string;
    }
  > {}

/** What every payment event says of its payment; amounts are numbers with two decimals, as on the wire. */
interface PaymentFacts {
  paymentId: string;
  orderId: string;
  userId: string;
  provider: 'manual' | 'stripe';
  currency: string;
  timestamp: string;
}

/**
 * Fired once when a card payment is authorized (the money is held, not taken), in the transaction
 * that records it: from the provider's webhook, whichever of its deliveries comes first.
 */
export interface PaymentAuthorizedEvent extends EventEnvelope<'PAYMENT_AUTHORIZED', PaymentFacts & { amount: number }> {}

/**
 * Fired once when a payment's money is taken: a card captured (by the Order service's capture, or
 * the provider's webhook, whichever is recorded first) or a manual payment marked paid by an admin.
 * `amount` is what was captured.
 */
export interface PaymentCapturedEvent extends EventEnvelope<'PAYMENT_CAPTURED', PaymentFacts & { amount: number }> {}

/**
 * Fired once per refund that succeeded (an admin's, the full refund of a cancelled order, or one made
 * at the provider and learned from its webhook). `amount` is this refund; `amountRefunded` the
 * payment's total refunded so far, `fullyRefunded` whether that is everything captured; `lines` the
 * order's lines the refund is for, when it names them. A refund restocks nothing: a return
 * (`POST /api/orders/:id/returns`) restocks and refunds in one step.
 */
export interface PaymentRefundedEvent
  extends EventEnvelope<
    'PAYMENT_REFUNDED',
    PaymentFacts & {
      refundId: string;
      amount: number;
      amountRefunded: number;
      fullyRefunded: boolean;
      reason: string;
      lines: Array<{ productId: string; variantId: string | null; quantity: number }> | null;
    }
  > {}

/** Fired once each time the provider reports the card declined (the shopper may try another card). */
export interface PaymentFailedEvent extends EventEnvelope<'PAYMENT_FAILED', PaymentFacts & { reason: string }> {}

/**
 * Fired once when a payment is given up before any money moved (`voided`): its order cancelled (an
 * authorization released, an unpaid payment closed), or the PaymentIntent cancelled at Stripe.
 */
export interface PaymentVoidedEvent extends EventEnvelope<'PAYMENT_VOIDED', PaymentFacts> {}

/**
 * Fired once per admin action (a product changed, an order moved, a setting saved: docs/audit-log.md
 * lists which), in the same transaction as the change, so an entry is never lost and never written
 * for a change that rolled back. `before`/`after` are the resource as the API shows it (null: it did
 * not exist). Only the audit log consumes it; it is not a webhook event.
 */
export interface AuditRecordedEvent
  extends EventEnvelope<
    'AUDIT_RECORDED',
    {
      actorId: string;
      actorRole: string;
      action: string;
      resourceType: string;
      resourceId: string;
      before: unknown;
      after: unknown;
      requestId: string;
      timestamp: string;
    }
  > {}

/**
 * Fired once each time the Analytics service disables a webhook endpoint because its last attempts
 * all failed (`DEMA_WEBHOOKS_DISABLE_AFTER_FAILURES` in a row, over `DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS`), in the transaction that disables it;
 * never when an admin disables one. `reason` is the endpoint's `disabledReason` as the API shows it,
 * `failedAttempts` the consecutive failures that disabled it, `timestamp` the last one's time. The
 * User service emails it to the admins; it is not a webhook event (the endpoint it is about gets
 * nothing any more, and the others would hear of the shop's settings rather than its trade).
 */
export interface WebhookEndpointDisabledEvent
  extends EventEnvelope<
    'WEBHOOK_ENDPOINT_DISABLED',
    {
      endpointId: string;
      url: string;
      reason: string;
      failedAttempts: number;
      timestamp: string;
    }
  > {}

export type DemaEvent =
  | OrderCreatedEvent
  | StockUpdatedEvent
  | ProductDeletedEvent
  | OrderStatusChangedEvent
  | PaymentAuthorizedEvent
  | PaymentCapturedEvent
  | PaymentRefundedEvent
  | PaymentFailedEvent
  | PaymentVoidedEvent
  | AuditRecordedEvent
  | WebhookEndpointDisabledEvent;
export type DemaEventType = DemaEvent['type'];

/** Current payload version of each event type. */
export const eventVersions: Record<DemaEventType, number> = {
  ORDER_CREATED: 1,
  STOCK_UPDATED: 1,
  PRODUCT_DELETED: 1,
  ORDER_STATUS_CHANGED: 1,
  PAYMENT_AUTHORIZED: 1,
  PAYMENT_CAPTURED: 1,
  PAYMENT_REFUNDED: 1,
  PAYMENT_FAILED: 1,
  PAYMENT_VOIDED: 1,
  AUDIT_RECORDED: 1,
  WEBHOOK_ENDPOINT_DISABLED: 1,
};

/**
 * Routing keys on the topic exchange: order, payment, system, audit and webhook events on their own
 * keys, so a consumer binds to `order.#`, `payment.#`, `system.#`, `audit.#` or `webhook.#` (or several).
 */
export const routingKeys: Record<DemaEventType, string> = {
  ORDER_CREATED: 'order.created',
  STOCK_UPDATED: 'system.stock.updated',
  PRODUCT_DELETED: 'system.product.deleted',
  ORDER_STATUS_CHANGED: 'order.status.changed',
  PAYMENT_AUTHORIZED: 'payment.authorized',
  PAYMENT_CAPTURED: 'payment.captured',
  PAYMENT_REFUNDED: 'payment.refunded',
  PAYMENT_FAILED: 'payment.failed',
  PAYMENT_VOIDED: 'payment.voided',
  AUDIT_RECORDED: 'audit.recorded',
  WEBHOOK_ENDPOINT_DISABLED: 'webhook.endpoint.disabled',
};

export const eventExchange = 'dema.events';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0 });
const Amount = Type.Number({ minimum: 0 });
const paymentFacts = {
  paymentId: Uuid,
  orderId: Uuid,
  userId: Uuid,
  provider: Type.Union([Type.Literal('manual'), Type.Literal('stripe')]),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  timestamp: Timestamp,
};

/**
 * The published schema of each event's payload, keyed by event type: what a consumer may rely on
 * and what contract tests hold every emitted event to. No field beyond these is allowed.
 */
export const eventPayloadSchemas = {
  ORDER_CREATED: Type.Object(
    {
      orderId: Uuid,
      userId: Uuid,
      items: Type.Array(
        Type.Object({ productId: Uuid, quantity: Type.Integer({ minimum: 1 }), price: Type.Number({ minimum: 0 }) }, { additionalProperties: false }),
      ),
      total: Type.Number({ minimum: 0 }),
      timestamp: Timestamp,
      subtotal: Type.Optional(Type.Number({ minimum: 0 })),
      discountTotal: Type.Optional(Type.Number({ minimum: 0 })),
      shippingTotal: Type.Optional(Type.Number({ minimum: 0 })),
      taxTotal: Type.Optional(Type.Number({ minimum: 0 })),
      pricesIncludeTax: Type.Optional(Type.Boolean()),
      currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
    },
    { additionalProperties: false },
  ),
  STOCK_UPDATED: Type.Object(
    {
      productId: Uuid,
      oldStock: Count,
      newStock: Count,
      reason: Type.Union([Type.Literal('ORDER'), Type.Literal('MANUAL'), Type.Literal('RETURN')]),
      timestamp: Timestamp,
    },
    { additionalProperties: false },
  ),
  PRODUCT_DELETED: Type.Object({ productId: Uuid, name: Type.String({ minLength: 1 }), timestamp: Timestamp }, { additionalProperties: false }),
  ORDER_STATUS_CHANGED: Type.Object(
    { orderId: Uuid, userId: Uuid, oldStatus: Type.String(), newStatus: Type.String(), timestamp: Timestamp },
    { additionalProperties: false },
  ),
  PAYMENT_AUTHORIZED: Type.Object({ ...paymentFacts, amount: Amount }, { additionalProperties: false }),
  PAYMENT_CAPTURED: Type.Object({ ...paymentFacts, amount: Amount }, { additionalProperties: false }),
  PAYMENT_REFUNDED: Type.Object(
    {
      ...paymentFacts,
      refundId: Uuid,
      amount: Amount,
      amountRefunded: Amount,
      fullyRefunded: Type.Boolean(),
      reason: Type.String(),
      lines: Type.Union([
        Type.Array(
          Type.Object({ productId: Uuid, variantId: Type.Union([Uuid, Type.Null()]), quantity: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        ),
        Type.Null(),
      ]),
    },
    { additionalProperties: false },
  ),
  PAYMENT_FAILED: Type.Object({ ...paymentFacts, reason: Type.String() }, { additionalProperties: false }),
  PAYMENT_VOIDED: Type.Object(paymentFacts, { additionalProperties: false }),
  AUDIT_RECORDED: Type.Object(
    {
      actorId: Uuid,
      actorRole: Type.String(),
      action: Type.String({ pattern: '^[a-z_]+\\.[a-z_]+$' }),
      resourceType: Type.String({ minLength: 1 }),
      resourceId: Type.String({ minLength: 1 }),
      before: Type.Unknown(),
      after: Type.Unknown(),
      requestId: Type.String({ minLength: 1 }),
      timestamp: Timestamp,
    },
    { additionalProperties: false },
  ),
  WEBHOOK_ENDPOINT_DISABLED: Type.Object(
    {
      endpointId: Uuid,
      url: Type.String({ minLength: 1 }),
      reason: Type.String({ minLength: 1 }),
      failedAttempts: Type.Integer({ minimum: 1 }),
      timestamp: Timestamp,
    },
    { additionalProperties: false },
  ),
} satisfies Record<DemaEventType, TSchema>;
