import type { StockUpdatedEvent, StockUpdateReason } from '@dema/contracts';
import { appendToOutbox, createEvent, type Queryable } from '@dema/platform';

/**
 * Records a STOCK_UPDATED event in the transaction that changed the stock. Fires for every change of
 * a product's total stock: admin adjustments and edits (MANUAL), creation with initial stock
 * (MANUAL, from 0), and, from the orders issue on, reservations (ORDER) and returns (RETURN).
 * A change that leaves the total as it was (units moved between variants) records nothing.
 */
export async function recordStockUpdated(tx: Queryable, productId: string, oldStock: number, newStock: number, reason: StockUpdateReason): Promise<void> {
  if (oldStock === newStock) return;
  await appendToOutbox(
    tx,
    createEvent<StockUpdatedEvent>('STOCK_UPDATED', { productId, oldStock, newStock, reason, timestamp: new Date().toISOString() }),
  );
}
