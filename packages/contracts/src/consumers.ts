import { routingKeys, type DemaEventType } from './events.ts';
import { webhookEventNames } from './webhooks.ts';

/**
 * Every durable consumer of the event bus (RabbitMQ queue `dema.<name>`) and the routing keys its
 * queue is bound to. Each service subscribes with its entry here, and every process declares all
 * of them when it connects: an event published before its consumer's service ever started (a new
 * cluster whose Order service takes orders before the User service is up) waits in the consumer's
 * queue instead of being dropped by the broker for want of a binding.
 */
export const eventConsumers = {
  /** Order and system events, and refunds for the sales breakdown (seed: Analytics Service). */
  analytics: ['order.#', 'system.#', routingKeys.PAYMENT_REFUNDED],
  audit: [routingKeys.AUDIT_RECORDED],
  webhooks: [...new Set(Object.keys(webhookEventNames).map((type) => routingKeys[type as DemaEventType]))],
  'order-payments': [
    routingKeys.PAYMENT_AUTHORIZED,
    routingKeys.PAYMENT_CAPTURED,
    routingKeys.PAYMENT_REFUNDED,
    routingKeys.PAYMENT_FAILED,
    routingKeys.PAYMENT_VOIDED,
  ],
  'payment-cancellations': [routingKeys.ORDER_STATUS_CHANGED],
  'product-stock': [routingKeys.ORDER_STATUS_CHANGED],
  'user-order-emails': [routingKeys.ORDER_CREATED, routingKeys.ORDER_STATUS_CHANGED, routingKeys.PAYMENT_CAPTURED, routingKeys.PAYMENT_REFUNDED],
  'user-admin-notices': [routingKeys.WEBHOOK_ENDPOINT_DISABLED],
} as const satisfies Record<string, readonly string[]>;

export type EventConsumer = keyof typeof eventConsumers;
