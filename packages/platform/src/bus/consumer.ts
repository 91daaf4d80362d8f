import type { EventEnvelope } from '@dema/contracts';
import type { Db, Queryable } from '../db/db.ts';
import type { EventBus } from './bus.ts';

/**
 * Applies `effect` to an event exactly once per `consumer`, however often the bus delivers it: the
 * event id is recorded in `processed_events` in the same transaction as the effect, and a
 * redelivery finds it there and does nothing. The primary key makes two concurrent deliveries safe
 * (one commits, the other's insert conflicts and it returns false). The bus acks only after this
 * resolves, so a crash between effect and ack means a redelivery, never a loss.
 *
 * Resolves true when the effect ran, false when the event had been handled already.
 */
export async function handleOnce(
  db: Db,
  consumer: string,
  event: EventEnvelope,
  effect: (tx: Queryable, event: EventEnvelope) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await tx.query(
      'INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [consumer, event.id],
    );
    if (inserted.rowCount === 0) return false;
    await effect(tx, event);
    return true;
  });
}

/** Subscribes `consumer` to `bindings` with every event handled through `handleOnce` on `db`. */
export function subscribeOnce(
  bus: EventBus,
  db: Db,
  consumer: string,
  bindings: string[],
  effect: (tx: Queryable, event: EventEnvelope) => Promise<void>,
): Promise<void> {
  return bus.subscribe(consumer, bindings, async (event) => {
    await handleOnce(db, consumer, event, effect);
  });
}
