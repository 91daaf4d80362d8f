import { eventConsumers, webhookEventNames, type EventEnvelope, type WebhookEventType } from '@dema/contracts';
import { handleInBatches, type Db, type EventBus } from '@dema/platform';
import { fanOut, subscribedEventNames } from './webhooks.repository.ts';

/** The durable consumer name (RabbitMQ queue `dema.webhooks`), apart from analytics' own so neither holds up the other. */
export const webhooksConsumer = 'webhooks';

/** The Standard Webhooks body of `event`: its catalog name, when it happened, and its payload. */
export function webhookBody(event: EventEnvelope, name: string): string {
  const payload = event.payload as { timestamp?: unknown };
  const timestamp = typeof payload.timestamp === 'string' ? payload.timestamp : new Date().toISOString();
  return JSON.stringify({ type: name, timestamp, data: event.payload });
}

/** Events handled in one transaction at most. */
const webhooksBatchSize = 256;

/**
 * Subscribes webhooks to every event of the catalog, fed by the services' outboxes through the bus.
 * Handling an event only records its deliveries (one per subscribed endpoint, each event once
 * however often the bus delivers it): sending happens apart, so no receiver ever holds up the bus.
 * Deliveries arriving together are handled as one batch (`handleInBatches`): one read says which of
 * their events any endpoint wants, and their deliveries are recorded in one transaction; a batch
 * that fails is handled again event by event. `created` is told when deliveries were created.
 */
export function subscribeWebhooks(bus: EventBus, db: Db, retryWindowMs: number, created: () => void): Promise<void> {
  const handle = handleInBatches(
    async (events) => {
      const named = events.flatMap((event) => {
        const name = webhookEventNames[event.type as WebhookEventType] as string | undefined;
        return name === undefined ? [] : [{ event, name }];
      });
      if (named.length === 0) return;
      // Most events of most shops go to no endpoint: those cost a share of one read, and nothing is kept of them.
      const subscribed = await subscribedEventNames(db, [...new Set(named.map((n) => n.name))]);
      const wanted = named.filter((n) => subscribed.has(n.name));
      if (wanted.length === 0) return;
      const count = await db.transaction(async (tx) => {
        let made = 0;
        for (const { event, name } of wanted) made += await fanOut(tx, { id: event.id, name, body: webhookBody(event, name) }, retryWindowMs);
        return made;
      });
      if (count > 0) created();
    },
    { maxBatchSize: webhooksBatchSize },
  );
  return bus.subscribe(webhooksConsumer, eventConsumers.webhooks, handle);
}
