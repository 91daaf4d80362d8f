import type { Queryable } from '@dema/platform';
import type { AnalyticsFact, PlacedOrder, StatusChange, StockMovementFact } from '../domain/analytics-events.ts';
import { statusRanks } from '../domain/order-status-rank.ts';

/**
 * Writes one event's fact into the fact tables. Every write is an upsert keyed by what the event
 * is about, so the result does not depend on the order events arrive in, and two transactions
 * touching the same order or product serialise on its row instead of losing an update.
 */
export async function applyFact(tx: Queryable, fact: AnalyticsFact, seq: string): Promise<void> {
  switch (fact.kind) {
    case 'order-placed':
      return recordPlacedOrder(tx, fact.order);
    case 'order-status-changed':
      return recordStatusChange(tx, fact.change);
    case 'stock-updated':
      return recordStockMovement(tx, fact.movement, seq);
    case 'history-only':
      return;
  }
}

/** Empties every fact table (the history stays): the first step of a replay. */
export async function clearFacts(tx: Queryable): Promise<void> {
  await tx.query('TRUNCATE order_facts, order_item_facts, stock_movement_facts, product_stock');
}

async function recordPlacedOrder(tx: Queryable, order: PlacedOrder): Promise<void> {
  // A status change that overtook this event already made the row: keep its status.
  await tx.query(
    `INSERT INTO order_facts (order_id, user_id, placed_at, total, units, status, status_rank, status_at)
     VALUES ($1, $2, $3, $4::numeric, $5, 'PENDING', $6, $3)
     ON CONFLICT (order_id) DO UPDATE
       SET user_id = excluded.user_id, placed_at = excluded.placed_at, total = excluded.total, units = excluded.units`,
    [order.orderId, order.userId, order.placedAt, order.total, order.units, statusRanks.PENDING],
  );
  // Keyed by line: the same order announced twice (under two event ids) still counts its lines once.
  await tx.query(
    `INSERT INTO order_item_facts (order_id, line, product_id, quantity, unit_price, line_total)
     SELECT $1, line, product_id, quantity, unit_price, line_total
       FROM unnest($2::uuid[], $3::int[], $4::numeric[], $5::numeric[]) WITH ORDINALITY AS i(product_id, quantity, unit_price, line_total, line)
     ON CONFLICT (order_id, line) DO UPDATE
       SET product_id = excluded.product_id, quantity = excluded.quantity, unit_price = excluded.unit_price, line_total = excluded.line_total`,
    [
      order.orderId,
      order.items.map((i) => i.productId),
      order.items.map((i) => i.quantity),
      order.items.map((i) => i.unitPrice),
      order.items.map((i) => i.lineTotal),
    ],
  );
  await tx.query('DELETE FROM order_item_facts WHERE order_id = $1 AND line > $2', [order.orderId, order.items.length]);
}

async function recordStatusChange(tx: Queryable, change: StatusChange): Promise<void> {
  await tx.query(
    `INSERT INTO order_facts (order_id, user_id, status, status_rank, status_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (order_id) DO UPDATE
       SET status = excluded.status, status_rank = excluded.status_rank, status_at = excluded.status_at
       WHERE (excluded.status_rank, excluded.status_at) > (order_facts.status_rank, order_facts.status_at)`,
    [change.orderId, change.userId, change.status, change.rank, change.changedAt],
  );
}

async function recordStockMovement(tx: Queryable, movement: StockMovementFact, seq: string): Promise<void> {
  await tx.query(
    `INSERT INTO stock_movement_facts (event_id, product_id, reason, old_stock, new_stock, delta, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
    [movement.eventId, movement.productId, movement.reason, movement.oldStock, movement.newStock, movement.newStock - movement.oldStock, movement.occurredAt],
  );
  await tx.query(
    `INSERT INTO product_stock (product_id, stock, as_of, event_seq) VALUES ($1, $2, $3, $4::bigint)
     ON CONFLICT (product_id) DO UPDATE
       SET stock = excluded.stock, as_of = excluded.as_of, event_seq = excluded.event_seq
       WHERE (excluded.as_of, excluded.event_seq) > (product_stock.as_of, product_stock.event_seq)`,
    [movement.productId, movement.newStock, movement.occurredAt, seq],
  );
}
