import Type, { type Static } from 'typebox';
import type { DemaEventType } from './events.ts';

/**
 * Webhooks for integrations (issue 21): endpoints an admin registers, and the deliveries of the
 * shop's events to them, signed as the Standard Webhooks specification says
 * (https://www.standardwebhooks.com): headers `webhook-id` (the event's id, the same on every
 * retry), `webhook-timestamp` and `webhook-signature`; the body `{ type, timestamp, data }`.
 */

/**
 * The events webhooks deliver: all but AUDIT_RECORDED, which carries whole before/after records of
 * admin actions and stays inside the shop (the audit log), and WEBHOOK_ENDPOINT_DISABLED, a notice
 * to the shop's admins about webhooks themselves: the endpoint it concerns no longer receives
 * anything, and delivering it to the others could chain (a failing subscriber disabled in turn).
 */
export type WebhookEventType = Exclude<DemaEventType, 'AUDIT_RECORDED' | 'WEBHOOK_ENDPOINT_DISABLED'>;

/**
 * The name each event of the catalog has in webhooks: lower case, dotted, without the bus's routing
 * prefixes (`system.`), so that the names stay what integrators subscribe to if the topology changes.
 */
export const webhookEventNames = {
  ORDER_CREATED: 'order.created',
  ORDER_STATUS_CHANGED: 'order.status_changed',
  STOCK_UPDATED: 'stock.updated',
  PRODUCT_DELETED: 'product.deleted',
  PAYMENT_AUTHORIZED: 'payment.authorized',
  PAYMENT_CAPTURED: 'payment.captured',
  PAYMENT_REFUNDED: 'payment.refunded',
  PAYMENT_FAILED: 'payment.failed',
  PAYMENT_VOIDED: 'payment.voided',
} as const satisfies Record<WebhookEventType, string>;
export type WebhookEventName = (typeof webhookEventNames)[WebhookEventType];

export const WebhookEventNameSchema = Type.Union(
  Object.values(webhookEventNames).map((name) => Type.Literal(name)),
  { description: 'An event of the catalog, e.g. order.created' },
);

/** `whsec_` then the key's bytes in base64 (24 to 64 bytes), as the Standard Webhooks libraries take it. */
export const WebhookSecret = Type.String({
  pattern: '^whsec_[A-Za-z0-9+/]{32,88}={0,2}$',
  description: '`whsec_` followed by 24 to 64 random bytes in base64',
});

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const WebhookUrl = Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://', description: 'http or https' });
const Events = Type.Array(WebhookEventNameSchema, { minItems: 1, maxItems: 50, uniqueItems: true });

const endpointFields = {
  id: Uuid,
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  /** Why deliveries stopped when the endpoint kept failing; null when enabled or disabled by an admin. */
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  failingSince: Type.Union([Timestamp, Type.Null()], {
    description: 'When the run of failed attempts since the last success began; null when the last attempt succeeded, none was made, or it was enabled again',
  }),
  consecutiveFailures: Type.Integer({
    minimum: 0,
    description: 'Attempts failed in a row since failingSince; at DEMA_WEBHOOKS_DISABLE_AFTER_FAILURES (50), over a day, the endpoint is disabled',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

/** An endpoint as lists show it: without its secret. */
export const WebhookEndpoint = Type.Object(endpointFields, { $id: 'WebhookEndpoint' });
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

/** An endpoint with its signing secret: the answer to creating, reading or changing one. */
export const WebhookEndpointWithSecret = Type.Object({ ...endpointFields, secret: Type.String() }, { $id: 'WebhookEndpointWithSecret' });
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>;

export const WebhookEndpointList = Type.Object({ items: Type.Array(Type.Ref('WebhookEndpoint')) }, { $id: 'WebhookEndpointList' });
export type WebhookEndpointList = { items: WebhookEndpoint[] };

export const CreateWebhookEndpoint = Type.Object(
  {
    url: WebhookUrl,
    events: Events,
    secret: Type.Optional(WebhookSecret),
    enabled: Type.Optional({ ...Type.Boolean(), default: true }),
  },
  { additionalProperties: false },
);
export type CreateWebhookEndpoint = Static<typeof CreateWebhookEndpoint>;

/** Enabling an endpoint again clears its `disabledReason` and resumes its pending deliveries. */
export const UpdateWebhookEndpoint = Type.Partial(Type.Object({ url: WebhookUrl, events: Events, secret: WebhookSecret, enabled: Type.Boolean() }), {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateWebhookEndpoint = Static<typeof UpdateWebhookEndpoint>;

/** Pending while attempts go on; succeeded on a 2xx; failed once its retry window is over. */
const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]);
export type WebhookDeliveryStatus = Static<typeof DeliveryStatus>;

export const WebhookAttempt = Type.Object({
  attemptedAt: Timestamp,
  /** The receiver's status code; null when no response came (refused, timed out). */
  responseStatus: Type.Union([Type.Integer(), Type.Null()]),
  /** Why the attempt failed without a response; null otherwise. */
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});
export type WebhookAttempt = Static<typeof WebhookAttempt>;

/** One event's delivery to one endpoint, with every attempt made; `eventId` is the `webhook-id` header. */
export const WebhookDelivery = Type.Object(
  {
    id: Uuid,
    endpointId: Uuid,
    eventId: Uuid,
    eventType: Type.String(),
    status: DeliveryStatus,
    /** When the next attempt is due; null once succeeded or failed. */
    nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
    createdAt: Timestamp,
    attempts: Type.Array(WebhookAttempt),
  },
  { $id: 'WebhookDelivery' },
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveryList = Type.Object({ items: Type.Array(Type.Ref('WebhookDelivery')) }, { $id: 'WebhookDeliveryList' });
export type WebhookDeliveryList = { items: WebhookDelivery[] };

export const WebhookDeliveryQuery = Type.Object(
  {
    status: Type.Optional(DeliveryStatus),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export type WebhookDeliveryQuery = Static<typeof WebhookDeliveryQuery>;

export const WebhookDeliveryParams = Type.Object({ id: Uuid, deliveryId: Uuid }, { additionalProperties: false });
export type WebhookDeliveryParams = Static<typeof WebhookDeliveryParams>;
