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

export type DemaEvent = OrderCreatedEvent | StockUpdatedEvent | OrderStatusChangedEvent;
export type DemaEventType = DemaEvent['type'];

/** Current payload version of each event type. */
export const eventVersions: Record<DemaEventType, number> = {
  ORDER_CREATED: 1,
  STOCK_UPDATED: 1,
  ORDER_STATUS_CHANGED: 1,
};

/**
 * Routing keys on the topic exchange: order events and system events on their own keys, so a
 * consumer binds to `order.#` or `system.#` (or both).
 */
export const routingKeys: Record<DemaEventType, string> = {
  ORDER_CREATED: 'order.created',
  STOCK_UPDATED: 'system.stock.updated',
  ORDER_STATUS_CHANGED: 'order.status.changed',
};

export const eventExchange = 'dema.events';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0 });

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
  ORDER_STATUS_CHANGED: Type.Object(
    { orderId: Uuid, userId: Uuid, oldStatus: Type.String(), newStatus: Type.String(), timestamp: Timestamp },
    { additionalProperties: false },
  ),
} satisfies Record<DemaEventType, TSchema>;
