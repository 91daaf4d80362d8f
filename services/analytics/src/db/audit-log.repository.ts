import type { AuditEntry, AuditQuery, AuditRecordedEvent } from '@dema/contracts';
import { auditEventOf, type AuditedChange, type Queryable } from '@dema/platform';

/**
 * An admin action on the Analytics service's own data (webhooks): appended straight to the log in
 * the change's transaction, the bus not needed between two tables of one database.
 */
export async function recordOwnAudit(tx: Queryable, change: AuditedChange): Promise<void> {
  const event = auditEventOf(change);
  if (event) await appendAuditEntries(tx, [event]);
}

/**
 * Appends the entries of `events` (AUDIT_RECORDED, already checked) in one statement; an event
 * whose id is there already adds nothing (the unique event id, not a read first, so two deliveries
 * racing still make one row).
 */
export async function appendAuditEntries(tx: Queryable, events: AuditRecordedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const column = <K extends keyof AuditRecordedEvent['payload']>(key: K) => events.map((e) => e.payload[key]);
  await tx.query(
    `INSERT INTO audit_log (event_id, actor_id, actor_role, action, resource_type, resource_id, before, after, request_id, occurred_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[], $6::text[], $7::jsonb[], $8::jsonb[], $9::text[], $10::timestamptz[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      events.map((e) => e.id),
      column('actorId'),
      column('actorRole'),
      column('action'),
      column('resourceType'),
      column('resourceId'),
      column('before').map((v) => (v === null ? null : JSON.stringify(v))),
      column('after').map((v) => (v === null ? null : JSON.stringify(v))),
      column('requestId'),
      column('timestamp'),
    ],
  );
}

interface AuditRow {
  event_id: string;
  actor_id: string;
  actor_role: string;
  action: string;
  resource_type: string;
  resource_id: string;
  before: unknown;
  after: unknown;
  request_id: string;
  occurred_at: Date | string;
  total: number;
}

/** One page of entries matching every filter of `query`, newest first, with how many match in all. */
export async function searchAuditLog(db: Queryable, query: AuditQuery): Promise<{ items: AuditEntry[]; total: number }> {
  const params: unknown[] = [];
  const where: string[] = [];
  const filter = (value: unknown, sql: (p: string) => string) => {
    if (value === undefined) return;
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  filter(query.actorId, (p) => `actor_id = ${p}::uuid`);
  filter(query.action, (p) => `action = ${p}`);
  filter(query.resourceType, (p) => `resource_type = ${p}`);
  filter(query.resourceId, (p) => `resource_id = ${p}`);
  filter(query.requestId, (p) => `request_id = ${p}`);
  filter(query.from, (p) => `occurred_at >= ${p}::timestamptz`);
  filter(query.to, (p) => `occurred_at < ${p}::timestamptz`);
  // The free text is a substring, not a pattern: % and _ in it match themselves.
  filter(
    query.q === undefined ? undefined : `%${query.q.replace(/[\\%_]/g, '\\$&')}%`,
    (p) => `(action ILIKE ${p} OR resource_type ILIKE ${p} OR resource_id ILIKE ${p} OR request_id ILIKE ${p}
             OR before::text ILIKE ${p} OR after::text ILIKE ${p})`,
  );
  params.push(query.limit, query.offset);
  const { rows } = await db.query<AuditRow>(
    `SELECT event_id, actor_id, actor_role, action, resource_type, resource_id, before, after, request_id, occurred_at,
            count(*) OVER ()::int AS total
       FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY occurred_at DESC, seq DESC
      LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  const total = rows[0]?.total ?? (query.offset > 0 ? await countAuditLog(db, where, params.slice(0, -2)) : 0);
  return {
    items: rows.map((row) => ({
      id: row.event_id,
      actorId: row.actor_id,
      actorRole: row.actor_role,
      action: row.action,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      before: row.before,
      after: row.after,
      requestId: row.request_id,
      at: new Date(row.occurred_at).toISOString(),
    })),
    total,
  };
}

// A page past the end has no row to carry the window count.
async function countAuditLog(db: Queryable, where: string[], params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}`, params);
  return rows[0]!.n;
}
