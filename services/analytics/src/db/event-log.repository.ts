import type { EventEnvelope } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

/** An event of the history with its place in it. */
export interface LoggedEvent {
  seq: string;
  event: EventEnvelope;
}

interface EventRow {
  seq: string;
  id: string;
  type: string;
  version: number;
  payload: unknown;
}

/**
 * Appends `event` to the history unless an event with its id is already there. Resolves its
 * sequence number, or undefined when it was there (the unique id makes a concurrent append of the
 * same event wait, then find it).
 */
export async function appendEvent(tx: Queryable, event: EventEnvelope): Promise<string | undefined> {
  const { rows } = await tx.query<{ seq: string }>(
    `INSERT INTO event_log (id, type, version, payload) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING seq::text AS seq`,
    [event.id, event.type, event.version, event.payload],
  );
  return rows[0]?.seq;
}

/** Up to `limit` events after `afterSeq`, in history order. */
export async function eventsAfter(db: Queryable, afterSeq: string, limit: number): Promise<LoggedEvent[]> {
  const { rows } = await db.query<EventRow>(
    'SELECT seq::text AS seq, id, type, version, payload FROM event_log WHERE seq > $1::bigint ORDER BY seq LIMIT $2',
    [afterSeq, limit],
  );
  return rows.map((row) => ({ seq: row.seq, event: { id: row.id, type: row.type, version: row.version, payload: row.payload } }));
}

export async function countEvents(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_log');
  return rows[0]!.n;
}

/**
 * Holds off new appends until the caller's transaction ends, and waits for those in flight to
 * commit: a replay then sees the whole history, and live events that arrive meanwhile are applied
 * on top of the rebuilt facts, never into the tables being rebuilt.
 */
export async function freezeEventLog(tx: Queryable): Promise<void> {
  await tx.query('LOCK TABLE event_log IN SHARE MODE');
}
