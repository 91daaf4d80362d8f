import { randomUUID } from 'node:crypto';
import type { Queryable } from '@dema/platform';

/** An email to send: which template, to whom, with what values, and the one cause it is sent for. */
export interface QueuedEmail {
  /** Unique per reason to write (`password-reset:<token id>`, `order:<event id>`): a second enqueue of one cause is ignored. */
  cause: string;
  template: string;
  to: string;
  data: Record<string, unknown>;
}

export interface DueEmail {
  id: string;
  template: string;
  to: string;
  data: Record<string, unknown>;
  attempts: number;
}

/** Queues `email` in `tx` (the transaction of the change it tells about); returns false when its cause was already queued. */
export async function enqueueEmail(tx: Queryable, email: QueuedEmail): Promise<boolean> {
  const { rowCount } = await tx.query(
    'INSERT INTO email_outbox (id, cause, template, recipient, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cause) DO NOTHING',
    [randomUUID(), email.cause, email.template, email.to, email.data],
  );
  return rowCount > 0;
}

/**
 * Queues emails to customers, each with its customer's name added to its `data`, reading the
 * accounts in the same statement (one statement for the order emails of a batch of events); queues
 * nothing for an account the User DB no longer has or that was deleted, nor for a cause already
 * queued. Returns how many were queued.
 */
export async function enqueueCustomerEmails(tx: Queryable, emails: (Omit<QueuedEmail, 'to'> & { userId: string })[]): Promise<number> {
  if (emails.length === 0) return 0;
  const { rowCount } = await tx.query(
    `INSERT INTO email_outbox (id, cause, template, recipient, data)
     SELECT e.id, e.cause, e.template, u.email, e.data || jsonb_build_object('name', u.name)
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[]) WITH ORDINALITY AS e(id, cause, template, user_id, data, n)
       JOIN users u ON u.id = e.user_id AND u.deleted_at IS NULL
      ORDER BY e.n
     ON CONFLICT (cause) DO NOTHING`,
    [
      emails.map(() => randomUUID()),
      emails.map((e) => e.cause),
      emails.map((e) => e.template),
      emails.map((e) => e.userId),
      emails.map((e) => JSON.stringify(e.data)),
    ],
  );
  return rowCount;
}

/**
 * Queues `email` in `tx` like `enqueueEmail`, but when its cause is already queued the row is
 * rewritten as it is: the transaction then commits a write either way, and takes as long whether or
 * not this is the first time (a signup's answer must not tell a repeat by its speed).
 */
export async function enqueueEmailWriting(tx: Queryable, email: QueuedEmail): Promise<void> {
  await tx.query(
    `INSERT INTO email_outbox (id, cause, template, recipient, data) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (cause) DO UPDATE SET next_attempt_at = email_outbox.next_attempt_at`,
    [randomUUID(), email.cause, email.template, email.to, email.data],
  );
}

/**
 * Takes up to `limit` emails that are due, for `claimSeconds`: SKIP LOCKED and the lease let several
 * senders share one outbox without two of them sending one email.
 */
export async function claimDueEmails(db: Queryable, limit: number, claimSeconds: number): Promise<DueEmail[]> {
  const { rows } = await db.query<{ id: string; template: string; recipient: string; data: Record<string, unknown>; attempts: number }>(
    `UPDATE email_outbox SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM email_outbox
         WHERE sent_at IS NULL AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, template, recipient, data, attempts`,
    [limit, claimSeconds],
  );
  return rows.map((row) => ({ id: row.id, template: row.template, to: row.recipient, data: row.data, attempts: row.attempts }));
}

export async function markSent(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE email_outbox SET sent_at = now(), claimed_until = NULL, last_error = NULL, data = NULL WHERE id = $1', [id]);
}

/** Puts a failed email back in line, due again after `retryMs`. */
export async function markFailed(db: Queryable, id: string, error: string, retryMs: number): Promise<void> {
  await db.query(`UPDATE email_outbox SET claimed_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`, [
    id,
    error.slice(0, 2000),
    retryMs / 1000,
  ]);
}

/** When the next queued email is due, if any waits. */
export async function nextDue(db: Queryable): Promise<Date | undefined> {
  const { rows } = await db.query<{ due: Date | string | null }>('SELECT min(next_attempt_at) AS due FROM email_outbox WHERE sent_at IS NULL');
  const due = rows[0]?.due;
  return due ? new Date(due) : undefined;
}
