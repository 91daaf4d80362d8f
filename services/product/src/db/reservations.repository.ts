import { eventVersions, routingKeys, type ReservedLine, type StockLine } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

export interface ReserveProblem {
  /** 1-based position of the line. */
  n: number;
  problem: 'unknown-product' | 'foreign-variant' | 'variant-required' | 'short';
  productId: string;
  productName: string | null;
  variantName: string | null;
  quantity: number;
  available: number | null;
}

export type ReserveOutcome =
  | { status: 'reserved' | 'replayed'; lines: ReservedLine[] }
  | { status: 'released' }
  | { status: 'refused'; problems: ReserveProblem[] };

/**
 * Reserves `lines` (merged: one per product and variant) for `orderId` in one statement, the
 * `reserve_stock` function of migrations 0004, 0006 and 0008: all or nothing, with a STOCK_UPDATED (reason ORDER)
 * per product in the outbox. Throws a unique violation when a concurrent call reserved the same id.
 */
export async function reserveStock(db: Queryable, orderId: string, lines: StockLine[]): Promise<ReserveOutcome> {
  const { rows } = await db.query<{ outcome: ReserveOutcome }>('SELECT reserve_stock($1, $2::uuid[], $3::uuid[], $4::int[], $5, $6, $7) AS outcome', [
    orderId,
    lines.map((l) => l.productId),
    lines.map((l) => l.variantId),
    lines.map((l) => l.quantity),
    'STOCK_UPDATED',
    eventVersions.STOCK_UPDATED,
    routingKeys.STOCK_UPDATED,
  ]);
  return rows[0]!.outcome;
}

/**
 * Marks `orderId` released and returns the lines to put back: the reserved ones the first time,
 * none when it was released already or never reserved (then a tombstone blocks later reservations).
 */
export async function markReleased(tx: Queryable, orderId: string): Promise<ReservedLine[] | undefined> {
  const tombstone = await tx.query("INSERT INTO stock_reservations (order_id, status, released_at) VALUES ($1, 'RELEASED', now()) ON CONFLICT DO NOTHING", [
    orderId,
  ]);
  if (tombstone.rowCount === 1) return undefined;
  const { rows } = await tx.query<{ lines: ReservedLine[] }>(
    `WITH target AS (SELECT order_id, lines FROM stock_reservations WHERE order_id = $1 AND status = 'RESERVED' FOR UPDATE)
     UPDATE stock_reservations r SET status = 'RELEASED', released_at = now() FROM target
      WHERE r.order_id = target.order_id RETURNING target.lines`,
    [orderId],
  );
  return rows[0]?.lines;
}

/** Locks the reservation of `orderId` (what a release also locks); undefined when the order never reserved. */
export async function lockReservation(tx: Queryable, orderId: string): Promise<{ status: 'RESERVED' | 'RELEASED'; lines: StockLine[] } | undefined> {
  const { rows } = await tx.query<{ status: 'RESERVED' | 'RELEASED'; lines: ReservedLine[] }>(
    'SELECT status, lines FROM stock_reservations WHERE order_id = $1 FOR UPDATE',
    [orderId],
  );
  const row = rows[0];
  return row && { status: row.status, lines: row.lines.map((l) => ({ productId: l.productId, variantId: l.variantId, quantity: l.quantity })) };
}

export async function findReturn(tx: Queryable, returnId: string): Promise<{ orderId: string; restocked: boolean } | undefined> {
  const { rows } = await tx.query<{ order_id: string; restocked: boolean }>('SELECT order_id, restocked FROM stock_returns WHERE return_id = $1', [returnId]);
  return rows[0] && { orderId: rows[0].order_id, restocked: rows[0].restocked };
}

/** Every unit the returns of `orderId` gave back, merged per product and variant. */
export async function returnedLines(tx: Queryable, orderId: string): Promise<StockLine[]> {
  const { rows } = await tx.query<{ lines: StockLine[] }>('SELECT lines FROM stock_returns WHERE order_id = $1', [orderId]);
  return mergeLines(rows.flatMap((r) => r.lines));
}

export async function insertReturn(tx: Queryable, stockReturn: { returnId: string; orderId: string; lines: StockLine[]; restocked: boolean }): Promise<void> {
  await tx.query('INSERT INTO stock_returns (return_id, order_id, lines, restocked) VALUES ($1, $2, $3, $4)', [
    stockReturn.returnId,
    stockReturn.orderId,
    JSON.stringify(stockReturn.lines),
    stockReturn.restocked,
  ]);
}

/** `lines` less `minus` per product and variant; lines left with nothing are dropped. */
export function subtractLines<Line extends StockLine>(lines: Line[], minus: StockLine[]): Line[] {
  const taken = new Map(mergeLines(minus).map((l) => [`${l.productId}/${l.variantId ?? ''}`, l.quantity]));
  return lines.flatMap((line) => {
    const key = `${line.productId}/${line.variantId ?? ''}`;
    const quantity = line.quantity - (taken.get(key) ?? 0);
    taken.set(key, Math.max(0, -quantity));
    return quantity > 0 ? [{ ...line, quantity }] : [];
  });
}

export interface LockedProduct {
  id: string;
  name: string;
  price: string;
  stock: number;
  hasVariants: boolean;
}

/**
 * Locks the products in id order, so two orders over the same products queue instead of
 * deadlocking. Products that do not exist are simply absent from the result.
 */
export async function lockProducts(tx: Queryable, ids: string[]): Promise<Map<string, LockedProduct>> {
  const { rows } = await tx.query<{ id: string; name: string; price: string; stock: number; has_variants: boolean }>(
    `SELECT p.id, p.name, p.price::text AS price, p.stock,
            EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id) AS has_variants
       FROM products p WHERE p.id = ANY($1::uuid[]) ORDER BY p.id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, price: r.price, stock: r.stock, hasVariants: r.has_variants }]));
}

export interface LockedVariant {
  id: string;
  productId: string;
  name: string;
  price: string | null;
  stock: number;
}

export async function lockVariants(tx: Queryable, ids: string[]): Promise<Map<string, LockedVariant>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<{ id: string; product_id: string; name: string; price: string | null; stock: number }>(
    `SELECT id, product_id, name, price::text AS price, stock FROM product_variants
      WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, productId: r.product_id, name: r.name, price: r.price, stock: r.stock }]));
}

/**
 * Applies per-product and per-variant stock deltas in two statements and returns each product's
 * new total. The CHECK constraints are the last guard: a negative result aborts the transaction.
 */
export async function applyStockDeltas(tx: Queryable, productDeltas: Map<string, number>, variantDeltas: Map<string, number>): Promise<Map<string, number>> {
  if (variantDeltas.size > 0) {
    await tx.query(
      `UPDATE product_variants v SET stock = v.stock + d.delta
         FROM unnest($1::uuid[], $2::int[]) AS d(id, delta) WHERE v.id = d.id`,
      [[...variantDeltas.keys()], [...variantDeltas.values()]],
    );
  }
  const { rows } = await tx.query<{ id: string; stock: number }>(
    `UPDATE products p SET stock = p.stock + d.delta
       FROM unnest($1::uuid[], $2::int[]) AS d(id, delta) WHERE p.id = d.id RETURNING p.id, p.stock`,
    [[...productDeltas.keys()], [...productDeltas.values()]],
  );
  return new Map(rows.map((r) => [r.id, r.stock]));
}

/** Merges lines naming the same product and variant, so each is checked against stock once. */
export function mergeLines(lines: StockLine[]): StockLine[] {
  const merged = new Map<string, StockLine>();
  for (const line of lines) {
    const key = `${line.productId}/${line.variantId ?? ''}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, quantity: seen.quantity + line.quantity } : { ...line });
  }
  return [...merged.values()];
}
