import { eventConsumers, type EventEnvelope } from '@dema/contracts';
import { handleInBatches, handleOnceBatch, type Db, type EventBus, type Queryable } from '@dema/platform';
import type { Logger } from 'pino';
import client from 'prom-client';
import { checkEnvelope, factOf } from '../domain/analytics-events.ts';
import { appendEvents } from '../db/event-log.repository.ts';
import { applyFacts } from '../db/facts.repository.ts';

/** The durable consumer name (RabbitMQ queue `dema.analytics`; key in `processed_events`). */
export const analyticsConsumer = 'analytics';
/**
 * Order events and system events (seed: Message Queue → Order Events, System Events), and refunds
 * for the sales breakdown; the other payment events tell analytics nothing it counts.
 */
export const analyticsBindings = eventConsumers.analytics;

/** Events written in one transaction at most. */
const analyticsBatchSize = 256;

/** What recording an event did. */
export type RecordOutcome = 'counted' | 'history-only' | 'duplicate';

/**
 * Records `events` inside `tx`, in a handful of statements whatever their number: appends them to
 * the history in their order and, for those analytics derives figures from, writes their facts.
 * An event whose id is already in the history (or earlier in `events`) changes nothing, so each
 * event counts once however often it is delivered or imported; the figures are those of recording
 * the events one at a time, in any order. Throws InvalidEvent, before writing anything, when a
 * known event breaks its contract. Resolves each event's outcome, in the order of `events`.
 */
export async function recordEvents(tx: Queryable, events: EventEnvelope[]): Promise<RecordOutcome[]> {
  const checked = events.map(checkEnvelope);
  const facts = checked.map(factOf);
  const seqs = await appendEvents(tx, checked);
  await applyFacts(
    tx,
    facts.flatMap((fact, i) => (seqs[i] === undefined ? [] : [{ fact, seq: seqs[i]! }])),
  );
  return facts.map((fact, i) => (seqs[i] === undefined ? 'duplicate' : fact.kind === 'history-only' ? 'history-only' : 'counted'));
}

/**
 * Subscribes the Analytics service to the bus. Deliveries are handled in batches (see
 * `handleInBatches`): each batch in one transaction through `handleOnceBatch`, its ids in
 * `processed_events` with its facts, so a redelivery or a concurrent duplicate does nothing, and a
 * delivery is acked only once its batch committed. A batch that fails is handled again one event
 * at a time, so an error rolls back and retries (then dead-letters) only the event that causes it;
 * other events go on being handled meanwhile.
 */
export function subscribeAnalytics(bus: EventBus, db: Db, log: Logger, registry?: client.Registry): Promise<void> {
  const consumed = new client.Counter({
    name: 'dema_analytics_events_total',
    help: 'Events the Analytics service consumed, by type and outcome (counted, history-only, duplicate, failed)',
    labelNames: ['type', 'outcome'] as const,
    registers: registry ? [registry] : [],
  });
  const handle = handleInBatches(
    async (events) => {
      let outcomes: RecordOutcome[] = [];
      const ran = await handleOnceBatch(db, analyticsConsumer, events, async (tx, fresh) => {
        outcomes = await recordEvents(tx, fresh);
      });
      // Counted once committed: a batch that fails counts nothing and is handled again event by event.
      const fresh = outcomes.values();
      for (const [i, event] of events.entries()) consumed.inc({ type: event.type, outcome: ran[i] ? fresh.next().value! : 'duplicate' });
    },
    { maxBatchSize: analyticsBatchSize },
  );
  return bus.subscribe(
    analyticsConsumer,
    analyticsBindings,
    async (event) => {
      try {
        await handle(event);
      } catch (error) {
        consumed.inc({ type: String(event.type), outcome: 'failed' });
        log.warn({ err: error, eventId: event.id, type: event.type }, 'analytics could not record an event; the bus will retry it');
        throw error;
      }
    },
    // Two batches in hand: the next one fills while one is written, so analytics keeps up with
    // every order's four events at hundreds of orders a second.
    { prefetch: 2 * analyticsBatchSize },
  );
}
