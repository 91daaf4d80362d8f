import type { EventEnvelope } from '@dema/contracts';
import type { Db, Queryable } from '../db/db.ts';

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
