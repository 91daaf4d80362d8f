import type { Db, Queryable } from '@dema/platform';
import { placementTermsSelect, toPlacementTerms, type PlacementTerms, type PlacementTermsRow } from './promotions.repository.ts';

/**
 * The placement saga's own bookkeeping: idempotency keys and pending orders (see the migration).
 */

export type KeyClaim = { kind: 'claimed' } | { kind: 'existing'; requestHash: string; orderId: string } | { kind: 'gone' };

/**
 * Starts a placement: claims the Idempotency-Key (if any) for `orderId` and logs the placement as
 * pending, in one statement, or reports who holds the key. Atomic: the key's primary key decides
 * between concurrent duplicates, and the pending row exists exactly when the claim succeeded. The
 * same statement reads the placement's terms (the checkout configuration's version and the
 * promotion `promotionCode` names), which every placement needs next: one round trip, not two.
 */
export async function beginPlacement(
  db: Db,
  orderId: string,
  userId: string,
  idempotency: { key: string; requestHash: string } | undefined,
  promotionCode: string | undefined,
): Promise<{ claim: KeyClaim; terms: PlacementTerms }> {
  const placed =
    idempotency === undefined
      ? `WITH placed AS (INSERT INTO pending_orders (order_id, user_id) VALUES ($3, $2) RETURNING order_id)`
      : `WITH claim AS (
           INSERT INTO idempotency_keys (user_id, key, request_hash, order_id) VALUES ($2, $3, $4, $5)
           ON CONFLICT DO NOTHING RETURNING order_id),
         placed AS (INSERT INTO pending_orders (order_id, user_id) SELECT order_id, $2 FROM claim RETURNING order_id)`;
  const params = idempotency === undefined ? [orderId] : [idempotency.key, idempotency.requestHash, orderId];
  const { rows } = await db.query<PlacementTermsRow & { claimed: boolean }>(
    `${placed}
     SELECT EXISTS (SELECT 1 FROM placed) AS claimed, terms.* FROM (${placementTermsSelect}) terms`,
    [promotionCode ?? null, userId, ...params],
  );
  const row = rows[0]!;
  const terms = toPlacementTerms(row);
  if (row.claimed) return { claim: { kind: 'claimed' }, terms };
  const { rows: held } = await db.query<{ request_hash: string; order_id: string }>(
    'SELECT request_hash, order_id FROM idempotency_keys WHERE user_id = $1 AND key = $2',
    [userId, idempotency!.key],
  );
  // Released between our insert and read: the first request failed; the caller claims again.
  const claim: KeyClaim = held[0] ? { kind: 'existing', requestHash: held[0].request_hash, orderId: held[0].order_id } : { kind: 'gone' };
  return { claim, terms };
}

export async function idempotencyKeyHeld(db: Queryable, userId: string, key: string, orderId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND order_id = $3', [userId, key, orderId]);
  return rows.length > 0;
}

/** Frees a key whose order was not placed, so a retry with it tries again. */
export async function releaseIdempotencyKey(db: Queryable, userId: string, key: string, orderId: string): Promise<void> {
  await db.query('DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND order_id = $3', [userId, key, orderId]);
}

/**
 * Frees keys older than `seconds` whose order neither exists nor is being placed: their request
 * died between claiming the key and logging the placement (or between abandoning it and freeing
 * the key). Without this, every retry with such a key would wait and fail until the key expires.
 */
export async function releaseOrphanIdempotencyKeys(db: Queryable, seconds: number): Promise<void> {
  await db.query(
    `DELETE FROM idempotency_keys k
      WHERE k.created_at < now() - make_interval(secs => $1)
        AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = k.order_id)
        AND NOT EXISTS (SELECT 1 FROM pending_orders p WHERE p.order_id = k.order_id)`,
    [seconds],
  );
}

/**
 * Leases pending orders older than `seconds` (a crashed or stuck placement), at most `limit`, for
 * `leaseSeconds`: neither taken by another sweep meanwhile nor, ever after, recorded as an order
 * (`record_checkout_order` refuses a leased placement). Rows whose lease ran out (their sweeper died) are
 * taken again. Concurrent sweeps skip each other's rows (SKIP LOCKED).
 */
export async function leaseStalePendingOrders(
  db: Queryable,
  seconds: number,
  limit: number,
  leaseSeconds: number,
): Promise<Array<{ orderId: string; userId: string }>> {
  const { rows } = await db.query<{ order_id: string; user_id: string }>(
    `UPDATE pending_orders SET swept_until = now() + make_interval(secs => $3) WHERE order_id IN (
       SELECT order_id FROM pending_orders
        WHERE created_at < now() - make_interval(secs => $1) AND (swept_until IS NULL OR swept_until < now())
        ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING order_id, user_id`,
    [seconds, limit, leaseSeconds],
  );
  return rows.map((r) => ({ orderId: r.order_id, userId: r.user_id }));
}

/** Ends a swept placement once its stock is back: its pending row and its idempotency key go together. */
export async function endSweptPlacement(db: Db, orderId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM idempotency_keys WHERE order_id = $1', [orderId]);
    await tx.query('DELETE FROM pending_orders WHERE order_id = $1', [orderId]);
  });
}

/** Lets the next sweep retry a placement at once (its release failed), still never to be recorded. */
export async function expireSweepLease(db: Queryable, orderId: string): Promise<void> {
  await db.query('UPDATE pending_orders SET swept_until = now() WHERE order_id = $1', [orderId]);
}
