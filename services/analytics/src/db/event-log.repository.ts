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
 * Appends `events` to the history in one statement, in their order, each unless an event with its
 * id is already there (or earlier in `events`). Resolves, for each event, its sequence number, or
 * undefined when it was there (the unique id makes a concurrent append of the same event wait,
 * then find it).
 */
export async function appendEvents(tx: Queryable, events: EventEnvelope[]): Promise<Array<string | undefined>> {
  if (events.length === 0) return [];
  const { rows } = await tx.query<{ id: string; seq: string }>(
    `INSERT INTO event_log (id, type, version, payload)
     SELECT id, type, version, payload
       FROM unnest($1::uuid[], $2::varchar[], $3::int[], $4::jsonb[]) WITH ORDINALITY AS e(id, type, version, payload, n)
      ORDER BY n
     ON CONFLICT (id) DO NOTHING RETURNING id, seq::text AS seq`,
    [events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.version), events.map((e) => JSON.stringify(e.payload))],
  );
  const appended = new Map(rows.map((row) => [row.id, row.seq]));
  return events.map((event) => {
    const id = event.id.toLowerCase();
    const seq = appended.get(id);
    // A repeat later in the batch was not appended: only the first copy gets the number.
    appended.delete(id);
    return seq;
  });
}

/** Up to `limit` events after `afterSeq`, in history order. */
export async function eventsAfter(db: Queryable, afterSeq: string, limit: number): Promise<LoggedEvent[]> {
  const { rows } = await db.query<EventRow>('SELECT seq::text AS seq, id, type, version, payload FROM event_log WHERE seq > $1::bigint ORDER BY seq LIMIT $2', [
    afterSeq,
    limit,
  ]);
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
