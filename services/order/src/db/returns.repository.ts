import { toWireAmount, type OrderReturn } from '@dema/contracts';
import type { Queryable } from '@dema/platform';
import type { ReturnableLine } from '../domain/returns-pricing.ts';

interface ReturnRow {
  id: string;
  order_id: string;
  lines: Array<{ productId: string; variantId: string | null; quantity: number; amount: string }>;
  amount: string;
  reason: string;
  created_by: string;
  refund_id: string | null;
  status: 'pending' | 'completed';
  request_hash: string | null;
  created_at: string;
}

/** A return as it is stored: amounts as DECIMAL strings. */
export type ReturnRecord = Omit<OrderReturn, 'amount' | 'lines'> & { amount: string; lines: ReturnRow['lines']; requestHash: string | null };

const columns = `id, order_id, lines, amount::text AS amount, reason, created_by, refund_id, status, request_hash, created_at`;

const toRecord = (row: ReturnRow): ReturnRecord => ({
  id: row.id,
  orderId: row.order_id,
  lines: row.lines,
  amount: row.amount,
  reason: row.reason,
  createdBy: row.created_by,
  refundId: row.refund_id,
  status: row.status,
  requestHash: row.request_hash,
  createdAt: new Date(row.created_at).toISOString(),
});

export const toWireReturn = (record: ReturnRecord): OrderReturn => ({
  id: record.id,
  orderId: record.orderId,
  lines: record.lines.map((l) => ({ ...l, amount: toWireAmount(l.amount) })),
  amount: toWireAmount(record.amount),
  reason: record.reason,
  createdBy: record.createdBy,
  refundId: record.refundId,
  status: record.status,
  createdAt: record.createdAt,
});

/**
 * The locked order's lines with how many units of each its returns (pending or completed, or only
 * completed) have taken, and whether its prices include tax.
 */
export async function returnableLines(
  tx: Queryable,
  orderId: string,
  counting: 'all' | 'completed',
): Promise<{ lines: ReturnableLine[]; pricesIncludeTax: boolean }> {
  const { rows } = await tx.query<{
    product_id: string;
    variant_id: string | null;
    unit_price: string;
    quantity: number;
    discount: string;
    tax: string;
    returned: number;
    prices_include_tax: boolean;
  }>(
    `SELECT i.product_id, i.variant_id, i.unit_price::text AS unit_price, i.quantity, i.discount::text AS discount, i.tax::text AS tax,
            o.prices_include_tax,
            COALESCE((SELECT sum((l->>'quantity')::int) FROM order_returns r, jsonb_array_elements(r.lines) l
                       WHERE r.order_id = i.order_id AND ($2 = 'all' OR r.status = 'completed')
                         AND l->>'productId' = i.product_id::text AND l->>'variantId' IS NOT DISTINCT FROM i.variant_id::text), 0)::int AS returned
       FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.order_id = $1 ORDER BY i.position`,
    [orderId, counting],
  );
  return {
    pricesIncludeTax: rows[0]?.prices_include_tax ?? false,
    lines: rows.map((r) => ({
      productId: r.product_id,
      variantId: r.variant_id,
      price: r.unit_price,
      quantity: r.quantity,
      discount: r.discount,
      tax: r.tax,
      returned: r.returned,
    })),
  };
}

export async function insertReturn(tx: Queryable, record: Omit<ReturnRecord, 'createdAt' | 'refundId' | 'status'>, idempotencyKey?: string): Promise<void> {
  await tx.query(
    `INSERT INTO order_returns (id, order_id, lines, amount, reason, created_by, idempotency_key, request_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [record.id, record.orderId, JSON.stringify(record.lines), record.amount, record.reason, record.createdBy, idempotencyKey ?? null, record.requestHash],
  );
}

export async function findReturn(db: Queryable, id: string): Promise<ReturnRecord | undefined> {
  const { rows } = await db.query<ReturnRow>(`SELECT ${columns} FROM order_returns WHERE id = $1`, [id]);
  return rows[0] && toRecord(rows[0]);
}

export async function findReturnByKey(db: Queryable, orderId: string, key: string): Promise<ReturnRecord | undefined> {
  const { rows } = await db.query<ReturnRow>(`SELECT ${columns} FROM order_returns WHERE order_id = $1 AND idempotency_key = $2`, [orderId, key]);
  return rows[0] && toRecord(rows[0]);
}

export async function listReturns(db: Queryable, orderId: string): Promise<ReturnRecord[]> {
  const { rows } = await db.query<ReturnRow>(`SELECT ${columns} FROM order_returns WHERE order_id = $1 ORDER BY created_at, id`, [orderId]);
  return rows.map(toRecord);
}

/** Pending returns older than `seconds`: their request died between the steps. */
export async function stalePendingReturns(db: Queryable, seconds: number, limit: number): Promise<ReturnRecord[]> {
  const { rows } = await db.query<ReturnRow>(
    `SELECT ${columns} FROM order_returns WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2`,
    [seconds, limit],
  );
  return rows.map(toRecord);
}

export async function setRefund(db: Queryable, id: string, refundId: string): Promise<void> {
  await db.query('UPDATE order_returns SET refund_id = $2 WHERE id = $1', [id, refundId]);
}

export async function dropPendingReturn(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM order_returns WHERE id = $1 AND status = 'pending'", [id]);
}

/** Marks the return completed; false when it was already (a concurrent finish). */
export async function completeReturn(tx: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await tx.query("UPDATE order_returns SET status = 'completed' WHERE id = $1 AND status = 'pending'", [id]);
  return rowCount === 1;
}
