import { randomInt, randomUUID } from 'node:crypto';
import type { Queryable } from '@dema/platform';

export type TokenPurpose = 'password-reset' | 'email-verification';

/** Records a link token by its hash; returns its id (what the email's outbox cause names). */
export async function insertAccountToken(tx: Queryable, userId: string, purpose: TokenPurpose, tokenHash: string, ttlSeconds: number): Promise<string> {
  const id = randomUUID();
  await tx.query('INSERT INTO account_tokens (id, user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))', [
    id,
    userId,
    purpose,
    tokenHash,
    ttlSeconds,
  ]);
  return id;
}

/** Rows of `password_reset_decoys` (its CHECK allows slots 0 to 63). */
const decoySlots = 64;

/**
 * Writes in `tx` what stands for a reset link's token and email when no active account has the
 * email: two of at most 64 rows, written again each time, so the table never grows.
 */
export async function writeResetDecoy(tx: Queryable): Promise<void> {
  // One statement per row the real request inserts (the token, the email), as a statement costs more
  // than the row it writes. In ascending order, so that two requests never wait for each other's
  // rows in a cycle (a deadlock).
  const slots = [randomInt(decoySlots), randomInt(decoySlots)].sort((a, b) => a - b);
  for (const slot of slots) {
    await tx.query(
      `INSERT INTO password_reset_decoys (slot, written_at) VALUES ($1, now())
       ON CONFLICT (slot) DO UPDATE SET written_at = excluded.written_at`,
      [slot],
    );
  }
}

export interface PresentedAccountToken {
  userId: string;
  used: boolean;
  expired: boolean;
}

/** The account the token with this hash and purpose was sent to, without locking anything. */
export async function accountTokenOwner(db: Queryable, tokenHash: string, purpose: TokenPurpose): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM account_tokens WHERE token_hash = $1 AND purpose = $2', [tokenHash, purpose]);
  return rows[0]?.user_id;
}

/** Locks the token with this hash and purpose: two uses of one token run one after the other. */
export async function lockAccountToken(tx: Queryable, tokenHash: string, purpose: TokenPurpose): Promise<PresentedAccountToken | undefined> {
  const { rows } = await tx.query<{ user_id: string; used: boolean; expired: boolean }>(
    `SELECT user_id, used_at IS NOT NULL AS used, expires_at <= now() AS expired
       FROM account_tokens WHERE token_hash = $1 AND purpose = $2 FOR UPDATE`,
    [tokenHash, purpose],
  );
  const row = rows[0];
  return row && { userId: row.user_id, used: row.used, expired: row.expired };
}

/** Uses up every open token of the user for `purpose`: the one presented and any sent before it. */
export async function useAccountTokens(tx: Queryable, userId: string, purpose: TokenPurpose): Promise<void> {
  await tx.query('UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL', [userId, purpose]);
}
