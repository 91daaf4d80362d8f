import { toWireAmount, type Promotion } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

interface PromotionRow {
  id: string;
  code: string;
  kind: Promotion['kind'];
  percent: string | null;
  amount: string | null;
  min_subtotal: string | null;
  starts_at: string | null;
  ends_at: string | null;
  usage_limit: number | null;
  per_customer_limit: number | null;
  times_used: number;
  active: boolean;
  created_at: string;
}

// trim_scale: a percentage as it was entered ("10", "12.5"), not padded to the column's scale.
const promotionColumns = `id, code, kind, trim_scale(percent)::text AS percent, amount::text AS amount, min_subtotal::text AS min_subtotal,
  starts_at, ends_at, usage_limit, per_customer_limit, active, created_at,
  (SELECT count(*)::int FROM promotion_redemptions r WHERE r.promotion_id = promotions.id) AS times_used`;

const wireAmount = (decimal: string | null) => (decimal === null ? null : toWireAmount(decimal));

function toPromotion(row: PromotionRow): Promotion {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    value: row.percent ?? wireAmount(row.amount),
    minSubtotal: wireAmount(row.min_subtotal),
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    usageLimit: row.usage_limit,
    perCustomerLimit: row.per_customer_limit,
    timesUsed: row.times_used,
    active: row.active,
    createdAt: row.created_at,
  };
}

/** Newest first; `total` counts them all. */
export async function listPromotions(db: Queryable, page: { limit: number; offset: number }): Promise<{ items: Promotion[]; total: number }> {
  const [rows, count] = await Promise.all([
    db.query<PromotionRow>(`SELECT ${promotionColumns} FROM promotions ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`, [page.limit, page.offset]),
    db.query<{ n: number }>('SELECT count(*)::int AS n FROM promotions'),
  ]);
  return { items: rows.rows.map(toPromotion), total: count.rows[0]!.n };
}

export async function findPromotion(db: Queryable, id: string, lock = false): Promise<Promotion | undefined> {
  const { rows } = await db.query<PromotionRow>(`SELECT ${promotionColumns} FROM promotions WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] && toPromotion(rows[0]);
}

/** What a placement reads fresh each time: the configuration's version and the promotion its code names. */
export interface PlacementTerms {
  /** The version of the cacheable checkout configuration (see migration 0008), as text (a BIGINT). */
  configurationVersion: string;
  /** The promotion the code names, whatever its case; its `timesUsed` is counted only when it has a usage limit (0 otherwise). */
  promotion: Promotion | undefined;
  /** How many of the customer's orders used it, counted only when it has a per-customer limit (0 otherwise). */
  usedByCustomer: number;
}

/**
 * The checkout configuration's version and the promotion the code in `$1` names (none when it is
 * null), for the customer in `$2`, as one row. A code's uses are counted only when a limit needs
 * them: a store-wide code without limits would otherwise count all of its redemptions on every
 * order, ever more of them. A SELECT to put after a placement's own WITH clauses (saga.repository).
 */
export const placementTermsSelect = `SELECT v.version::text AS configuration_version, p.*
       FROM checkout_configuration_version v
       LEFT JOIN LATERAL (
         SELECT id, code, kind, trim_scale(percent)::text AS percent, amount::text AS amount, min_subtotal::text AS min_subtotal,
                starts_at, ends_at, usage_limit, per_customer_limit, active, created_at,
                CASE WHEN usage_limit IS NULL THEN 0
                     ELSE (SELECT count(*)::int FROM promotion_redemptions r WHERE r.promotion_id = promotions.id) END AS times_used,
                CASE WHEN per_customer_limit IS NULL THEN 0
                     ELSE (SELECT count(*)::int FROM promotion_redemptions r WHERE r.promotion_id = promotions.id AND r.user_id = $2::uuid) END
                  AS used_by_customer
           FROM promotions WHERE upper(code) = upper($1)
       ) p ON true`;

export type PlacementTermsRow = { configuration_version: string } & Partial<PromotionRow> & { used_by_customer: number | null };

export function toPlacementTerms(row: PlacementTermsRow): PlacementTerms {
  return {
    configurationVersion: row.configuration_version,
    promotion: row.id === undefined || row.id === null ? undefined : toPromotion(row as PromotionRow),
    usedByCustomer: row.used_by_customer ?? 0,
  };
}

/** In one query: the checkout configuration's version and the promotion `code` names (none when `code` is undefined). */
export async function readPlacementTerms(db: Queryable, code: string | undefined, userId: string): Promise<PlacementTerms> {
  const { rows } = await db.query<PlacementTermsRow>(placementTermsSelect, [code ?? null, userId]);
  return toPlacementTerms(rows[0]!);
}

/**
 * Writes what an admin sets of the promotion (everything but `timesUsed` and `createdAt`, which are
 * the store's): inserted when its id is new, replaced otherwise. A code another promotion has, in
 * any case, fails on the unique index `promotions_code_key`.
 */
export async function savePromotion(tx: Queryable, promotion: Omit<Promotion, 'timesUsed' | 'createdAt'>): Promise<void> {
  const { value } = promotion;
  await tx.query(
    `INSERT INTO promotions (id, code, kind, percent, amount, min_subtotal, starts_at, ends_at, usage_limit, per_customer_limit, active)
     VALUES ($1, upper($2), $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, kind = EXCLUDED.kind, percent = EXCLUDED.percent, amount = EXCLUDED.amount,
       min_subtotal = EXCLUDED.min_subtotal, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, usage_limit = EXCLUDED.usage_limit,
       per_customer_limit = EXCLUDED.per_customer_limit, active = EXCLUDED.active`,
    [
      promotion.id,
      promotion.code,
      promotion.kind,
      typeof value === 'string' ? value : null,
      typeof value === 'number' ? value : null,
      promotion.minSubtotal,
      promotion.startsAt,
      promotion.endsAt,
      promotion.usageLimit,
      promotion.perCustomerLimit,
      promotion.active,
    ],
  );
}

/** Deletes the promotion and the record of its redemptions; false when there was none. */
export async function deletePromotion(tx: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM promotions WHERE id = $1', [id]);
  return rowCount > 0;
}
