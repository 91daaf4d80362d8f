import type { EventEnvelope } from '@dema/contracts';
import { handleOnce, type Db, type EventBus, type Queryable } from '@dema/platform';
import type { Logger } from 'pino';
import client from 'prom-client';
import { checkEnvelope, factOf } from '../domain/analytics-events.ts';
import { appendEvent } from '../db/event-log.repository.ts';
import { applyFact } from '../db/facts.repository.ts';

/** The durable consumer name (RabbitMQ queue `dema.analytics`; key in `processed_events`). */
export const analyticsConsumer = 'analytics';
/** Order events and system events (seed: Message Queue → Order Events, System Events). */
export const analyticsBindings = ['order.#', 'system.#'];

/** What recording an event did. */
export type RecordOutcome = 'counted' | 'history-only' | 'duplicate';

/**
 * Records one event inside `tx`: appends it to the history and, when analytics derives figures
 * from it, writes its fact. An event whose id is already in the history changes nothing, so each
 * event counts once however often it is delivered or imported. Throws InvalidEvent (changing
 * nothing) when a known event breaks its contract.
 */
export async function recordEvent(tx: Queryable, event: EventEnvelope): Promise<RecordOutcome> {
  const fact = factOf(checkEnvelope(event));
  const seq = await appendEvent(tx, event);
  if (seq === undefined) return 'duplicate';
  await applyFact(tx, fact, seq);
  return fact.kind === 'history-only' ? 'history-only' : 'counted';
}

/**
 * Subscribes the Analytics service to the bus. Each delivery runs through `handleOnce` (its id in
 * `processed_events` in the same transaction as its facts), so a redelivery or a concurrent
 * duplicate does nothing. A handler error rolls everything back and the bus retries the event,
 * then dead-letters it; other events go on being handled meanwhile.
 */
export function subscribeAnalytics(bus: EventBus, db: Db, log: Logger, registry?: client.Registry): Promise<void> {
  const consumed = new client.Counter({
    name: 'dema_analytics_events_total',
    help: 'Events the Analytics service consumed, by type and outcome (counted, history-only, duplicate, failed)',
    labelNames: ['type', 'outcome'] as const,
    registers: registry ? [registry] : [],
  });
  return bus.subscribe(analyticsConsumer, analyticsBindings, async (event) => {
    let outcome: RecordOutcome = 'duplicate';
    try {
      await handleOnce(db, analyticsConsumer, event, async (tx) => {
        outcome = await recordEvent(tx, event);
      });
    } catch (error) {
      consumed.inc({ type: String(event.type), outcome: 'failed' });
      log.warn({ err: error, eventId: event.id, type: event.type }, 'analytics could not record an event; the bus will retry it');
      throw error;
    }
    consumed.inc({ type: event.type, outcome });
  });
}
