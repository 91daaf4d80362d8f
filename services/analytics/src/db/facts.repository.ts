import type { Queryable } from '@dema/platform';
import { reduceFacts, type LoggedFact } from '../domain/fact-batch.ts';

/**
 * Writes a batch of facts into the fact tables, a statement per table whatever the batch's size.
 * Every write is an upsert keyed by what the facts are about that keeps the furthest status and
 * the latest stock, so the result does not depend on the order events arrive in nor on how they
 * are cut into batches, and two transactions touching the same order or product serialise on its
 * row instead of losing an update. Each statement takes its rows in key order and the tables in
 * the same order every time, so concurrent batches wait for each other rather than deadlock.
 */
export async function applyFacts(tx: Queryable, facts: LoggedFact[]): Promise<void> {
  const { orders, movements, stock, refunds } = reduceFacts(facts);
  if (orders.length > 0) {
    // A status already further than the batch's (say, one that overtook this ORDER_CREATED) stays;
    // the placement's fields come from the batch when it holds the ORDER_CREATED.
    await tx.query(
      `INSERT INTO order_facts AS f (order_id, user_id, placed_at, total, units, status, status_rank, status_at,
                                     subtotal, discount_total, shipping_total, tax_total, prices_include_tax, currency)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::numeric[], $5::int[], $6::varchar[], $7::int[], $8::timestamptz[],
                            $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[], $13::boolean[], $14::char(3)[])
        ORDER BY 1
       ON CONFLICT (order_id) DO UPDATE
         SET user_id = CASE WHEN excluded.placed_at IS NULL THEN f.user_id ELSE excluded.user_id END,
             placed_at = COALESCE(excluded.placed_at, f.placed_at),
             total = CASE WHEN excluded.placed_at IS NULL THEN f.total ELSE excluded.total END,
             units = CASE WHEN excluded.placed_at IS NULL THEN f.units ELSE excluded.units END,
             subtotal = CASE WHEN excluded.placed_at IS NULL THEN f.subtotal ELSE excluded.subtotal END,
             discount_total = CASE WHEN excluded.placed_at IS NULL THEN f.discount_total ELSE excluded.discount_total END,
             shipping_total = CASE WHEN excluded.placed_at IS NULL THEN f.shipping_total ELSE excluded.shipping_total END,
             tax_total = CASE WHEN excluded.placed_at IS NULL THEN f.tax_total ELSE excluded.tax_total END,
             prices_include_tax = CASE WHEN excluded.placed_at IS NULL THEN f.prices_include_tax ELSE excluded.prices_include_tax END,
             currency = CASE WHEN excluded.placed_at IS NULL THEN f.currency ELSE excluded.currency END,
             status = CASE WHEN (excluded.status_rank, excluded.status_at) > (f.status_rank, f.status_at) THEN excluded.status ELSE f.status END,
             status_rank = CASE WHEN (excluded.status_rank, excluded.status_at) > (f.status_rank, f.status_at) THEN excluded.status_rank ELSE f.status_rank END,
             status_at = CASE WHEN (excluded.status_rank, excluded.status_at) > (f.status_rank, f.status_at) THEN excluded.status_at ELSE f.status_at END
         WHERE excluded.placed_at IS NOT NULL OR (excluded.status_rank, excluded.status_at) > (f.status_rank, f.status_at)`,
      [
        orders.map((o) => o.orderId),
        orders.map((o) => o.userId),
        orders.map((o) => o.placed?.placedAt ?? null),
        orders.map((o) => o.placed?.total ?? null),
        orders.map((o) => o.placed?.units ?? null),
        orders.map((o) => o.status),
        orders.map((o) => o.rank),
        orders.map((o) => o.statusAt),
        orders.map((o) => o.placed?.subtotal ?? null),
        orders.map((o) => o.placed?.discountTotal ?? null),
        orders.map((o) => o.placed?.shippingTotal ?? null),
        orders.map((o) => o.placed?.taxTotal ?? null),
        orders.map((o) => o.placed?.pricesIncludeTax ?? null),
        orders.map((o) => o.placed?.currency ?? null),
      ],
    );
  }
  const placed = orders.flatMap((o) => (o.placed ? [o.placed] : []));
  if (placed.length > 0) {
    const lines = placed.flatMap((order) => order.items.map((item, i) => ({ orderId: order.orderId, line: i + 1, ...item })));
    // Keyed by line: the same order announced twice (under two event ids) still counts its lines once.
    await tx.query(
      `INSERT INTO order_item_facts (order_id, line, product_id, quantity, unit_price, line_total)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::int[], $5::numeric[], $6::numeric[])
        ORDER BY 1, 2
       ON CONFLICT (order_id, line) DO UPDATE
         SET product_id = excluded.product_id, quantity = excluded.quantity, unit_price = excluded.unit_price, line_total = excluded.line_total`,
      [
        lines.map((l) => l.orderId),
        lines.map((l) => l.line),
        lines.map((l) => l.productId),
        lines.map((l) => l.quantity),
        lines.map((l) => l.unitPrice),
        lines.map((l) => l.lineTotal),
      ],
    );
    await tx.query(
      `DELETE FROM order_item_facts i USING unnest($1::uuid[], $2::int[]) AS o(order_id, lines)
        WHERE i.order_id = o.order_id AND i.line > o.lines`,
      [placed.map((o) => o.orderId), placed.map((o) => o.items.length)],
    );
  }
  if (movements.length > 0) {
    await tx.query(
      `INSERT INTO stock_movement_facts (event_id, product_id, reason, old_stock, new_stock, delta, occurred_at)
       SELECT event_id, product_id, reason, old_stock, new_stock, new_stock - old_stock, occurred_at
         FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::int[], $5::int[], $6::timestamptz[]) AS m(event_id, product_id, reason, old_stock, new_stock, occurred_at)
        ORDER BY event_id
       ON CONFLICT (event_id) DO NOTHING`,
      [
        movements.map((m) => m.eventId),
        movements.map((m) => m.productId),
        movements.map((m) => m.reason),
        movements.map((m) => m.oldStock),
        movements.map((m) => m.newStock),
        movements.map((m) => m.occurredAt),
      ],
    );
  }
  if (refunds.length > 0) {
    // A refund never changes once made: its second announcement does nothing.
    await tx.query(
      `INSERT INTO refund_facts (refund_id, order_id, payment_id, amount, currency, refunded_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::numeric[], $5::char(3)[], $6::timestamptz[])
        ORDER BY 1
       ON CONFLICT (refund_id) DO NOTHING`,
      [
        refunds.map((r) => r.refundId),
        refunds.map((r) => r.orderId),
        refunds.map((r) => r.paymentId),
        refunds.map((r) => r.amount),
        refunds.map((r) => r.currency),
        refunds.map((r) => r.refundedAt),
      ],
    );
  }
  if (stock.length > 0) {
    await tx.query(
      `INSERT INTO product_stock AS s (product_id, stock, as_of, event_seq, deleted)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::bigint[], $5::boolean[])
        ORDER BY 1
       ON CONFLICT (product_id) DO UPDATE
         SET stock = CASE WHEN excluded.deleted THEN s.stock ELSE excluded.stock END,
             as_of = excluded.as_of, event_seq = excluded.event_seq, deleted = excluded.deleted
         WHERE (excluded.as_of, excluded.event_seq) > (s.as_of, s.event_seq)`,
      [stock.map((s) => s.productId), stock.map((s) => s.stock), stock.map((s) => s.asOf), stock.map((s) => s.seq), stock.map((s) => s.deleted)],
    );
  }
}

/** Empties every fact table (the history stays): the first step of a replay. */
export async function clearFacts(tx: Queryable): Promise<void> {
  await tx.query('TRUNCATE order_facts, order_item_facts, stock_movement_facts, product_stock, refund_facts');
}
