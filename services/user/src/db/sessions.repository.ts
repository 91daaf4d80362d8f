import { randomUUID } from 'node:crypto';
import type { Queryable } from '@dema/platform';

export async function insertFamily(tx: Queryable, userId: string): Promise<string> {
  const id = randomUUID();
  await tx.query('INSERT INTO session_families (id, user_id) VALUES ($1, $2)', [id, userId]);
  return id;
}

export async function insertRefreshToken(tx: Queryable, familyId: string, tokenHash: string, ttlSeconds: number): Promise<void> {
  await tx.query(`INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`, [
    tokenHash,
    familyId,
    ttlSeconds,
  ]);
}

export interface PresentedToken {
  familyId: string;
  userId: string;
  expired: boolean;
  used: boolean;
  familyRevoked: boolean;
}

/** Locks the presented token's row: two refreshes with one token run one after the other. */
export async function lockRefreshToken(tx: Queryable, tokenHash: string): Promise<PresentedToken | undefined> {
  const { rows } = await tx.query<{ family_id: string; user_id: string; expired: boolean; used: boolean; family_revoked: boolean }>(
    `SELECT t.family_id, f.user_id, t.expires_at <= now() AS expired, t.used_at IS NOT NULL AS used, f.revoked_at IS NOT NULL AS family_revoked
       FROM refresh_tokens t JOIN session_families f ON f.id = t.family_id
      WHERE t.token_hash = $1 FOR UPDATE OF t`,
    [tokenHash],
  );
  const row = rows[0];
  return row && { familyId: row.family_id, userId: row.user_id, expired: row.expired, used: row.used, familyRevoked: row.family_revoked };
}

export async function markUsed(tx: Queryable, tokenHash: string): Promise<void> {
  await tx.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [tokenHash]);
}

/** Ends one login session; returns whether it was still active. */
export async function revokeFamily(tx: Queryable, familyId: string, reason: string): Promise<boolean> {
  const { rowCount } = await tx.query('UPDATE session_families SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL', [
    familyId,
    reason,
  ]);
  return rowCount > 0;
}

/** Ends every active session of a user but `keep`; returns the ended session ids. */
export async function revokeUserFamilies(tx: Queryable, userId: string, reason: string, keep?: string): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE session_families SET revoked_at = now(), revoked_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3::uuid RETURNING id`,
    [userId, reason, keep ?? null],
  );
  return rows.map((row) => row.id);
}

/** Deletes the refresh tokens of a user's sessions (the sessions themselves stay, ended). */
export async function deleteUserRefreshTokens(tx: Queryable, userId: string): Promise<void> {
  await tx.query('DELETE FROM refresh_tokens WHERE family_id IN (SELECT id FROM session_families WHERE user_id = $1)', [userId]);
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a login session has ended; one the User DB does not know counts as ended. */
export async function isFamilyEnded(db: Queryable, familyId: string): Promise<boolean> {
  if (!uuid.test(familyId)) return true;
  const { rows } = await db.query<{ ended: boolean }>('SELECT revoked_at IS NOT NULL AS ended FROM session_families WHERE id = $1', [familyId]);
  return rows[0]?.ended ?? true;
}

/** Sessions ended in the last `seconds`, with the seconds left of that span for each. */
export async function familiesEndedWithin(db: Queryable, seconds: number): Promise<Array<{ sid: string; ttlSeconds: number }>> {
  const { rows } = await db.query<{ id: string; ttl: number }>(
    `SELECT id, ceil($1 - extract(epoch FROM now() - revoked_at))::int AS ttl
       FROM session_families WHERE revoked_at > now() - make_interval(secs => $1)`,
    [seconds],
  );
  return rows.map((row) => ({ sid: row.id, ttlSeconds: Math.max(1, row.ttl) }));
}
