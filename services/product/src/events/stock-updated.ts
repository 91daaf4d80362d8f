import { eventVersions, routingKeys, type StockUpdateReason } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

export interface StockChange {
  productId: string;
  oldStock: number;
  newStock: number;
}

/**
 * Records a STOCK_UPDATED event in the transaction that changed the stock. Fires for every change of
 * a product's total stock: admin adjustments and edits (MANUAL), creation with initial stock
 * (MANUAL, from 0), reservations (ORDER, in `reserve_stock`) and returns (RETURN).
 * A change that leaves the total as it was (units moved between variants) records nothing.
 *
 * The `timestamp` is the database's clock read while the caller holds the product's row lock, as
 * `reserve_stock` does for ORDER events: a product's events are then in the order their changes
 * were made, and "the latest STOCK_UPDATED" (what Analytics keeps as the stock) is the last change.
 * A clock read before waiting for the lock (or on another machine) could date a change earlier than
 * the one it waited for.
 */
export async function recordStockUpdated(tx: Queryable, productId: string, oldStock: number, newStock: number, reason: StockUpdateReason): Promise<void> {
  await recordStockUpdates(tx, [{ productId, oldStock, newStock }], reason);
}

/** `recordStockUpdated` for several products changed in one transaction, in one statement. */
export async function recordStockUpdates(tx: Queryable, changes: StockChange[], reason: StockUpdateReason): Promise<void> {
  const moved = changes.filter((c) => c.oldStock !== c.newStock);
  if (moved.length === 0) return;
  await tx.query(
    `INSERT INTO outbox (id, type, version, routing_key, payload)
     SELECT gen_random_uuid(), 'STOCK_UPDATED', $1, $2,
            jsonb_build_object('productId', c.product_id, 'oldStock', c.old_stock, 'newStock', c.new_stock, 'reason', $3::text, 'timestamp', stock_event_time())
       FROM unnest($4::uuid[], $5::int[], $6::int[]) WITH ORDINALITY AS c(product_id, old_stock, new_stock, n)
      ORDER BY n`,
    [eventVersions.STOCK_UPDATED, routingKeys.STOCK_UPDATED, reason, moved.map((c) => c.productId), moved.map((c) => c.oldStock), moved.map((c) => c.newStock)],
  );
}
