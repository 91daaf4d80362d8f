import { routingKeys, webhookEventNames, type EventEnvelope, type WebhookEventType } from '@dema/contracts';
import type { Db, EventBus } from '@dema/platform';
import { fanOut, isSubscribedTo } from './webhooks.repository.ts';

/** The durable consumer name (RabbitMQ queue `dema.webhooks`), apart from analytics' own so neither holds up the other. */
export const webhooksConsumer = 'webhooks';

/** The Standard Webhooks body of `event`: its catalog name, when it happened, and its payload. */
export function webhookBody(event: EventEnvelope, name: string): string {
  const payload = event.payload as { timestamp?: unknown };
  const timestamp = typeof payload.timestamp === 'string' ? payload.timestamp : new Date().toISOString();
  return JSON.stringify({ type: name, timestamp, data: event.payload });
}

/**
 * Subscribes webhooks to every event of the catalog, fed by the services' outboxes through the bus.
 * Handling an event only records its deliveries (one per subscribed endpoint, in one transaction,
 * each event once however often the bus delivers it): sending happens apart, so no receiver ever
 * holds up the bus. `created` is told when deliveries were created.
 */
export function subscribeWebhooks(bus: EventBus, db: Db, retryWindowMs: number, created: () => void): Promise<void> {
  const bindings = [...new Set(Object.keys(webhookEventNames).map((type) => routingKeys[type as WebhookEventType]))];
  return bus.subscribe(webhooksConsumer, bindings, async (event) => {
    const name = webhookEventNames[event.type as WebhookEventType] as string | undefined;
    if (name === undefined) return;
    // Most events of most shops go to no endpoint: those cost one read, and nothing is kept of them.
    if (!(await isSubscribedTo(db, name))) return;
    const count = await db.transaction((tx) => fanOut(tx, { id: event.id, name, body: webhookBody(event, name) }, retryWindowMs));
    if (count > 0) created();
  });
}
