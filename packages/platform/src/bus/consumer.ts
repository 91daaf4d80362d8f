import type { EventEnvelope } from '@dema/contracts';
import type { Db, Queryable } from '../db/db.ts';

/**
 * Applies `effect` exactly once per `consumer` to each of `events`, however often the bus delivers
 * them: their ids go into `processed_events` in one statement, in the same transaction as the
 * effect, and `effect` runs once, with those not handled before (each id once, in batch order, even
 * when the batch holds it twice). A redelivery finds its id there and does nothing; the primary key
 * makes concurrent deliveries safe, also from another instance handling an overlapping batch.
 * Everything commits or nothing does: a batch that throws leaves every event of it to be delivered
 * again. The bus acks only after this resolves, so a crash between effect and ack means a
 * redelivery, never a loss.
 *
 * Resolves, for each event of `events`, whether the effect ran for it (false: handled before, or
 * an earlier copy in this batch). `effect` is not called when no event is new.
 */
export async function handleOnceBatch(
  db: Db,
  consumer: string,
  events: EventEnvelope[],
  effect: (tx: Queryable, fresh: EventEnvelope[]) => Promise<void>,
): Promise<boolean[]> {
  if (events.length === 0) return [];
  return db.transaction(async (tx) => {
    const ids = [...new Set(events.map((e) => e.id.toLowerCase()))];
    const { rows } = await tx.query<{ event_id: string }>(
      `INSERT INTO processed_events (consumer, event_id)
       SELECT $1, event_id FROM unnest($2::uuid[]) AS e(event_id)
        -- Two transactions claiming overlapping batches take the keys in the same order: one
        -- waits for the other instead of the two deadlocking.
        ORDER BY event_id
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, ids],
    );
    const claimed = new Set(rows.map((row) => row.event_id));
    const ran = events.map((event) => claimed.delete(event.id.toLowerCase()));
    const fresh = events.filter((_, i) => ran[i]);
    if (fresh.length > 0) await effect(tx, fresh);
    return ran;
  });
}
