import { fromCents, routingKeys, toCents, toWireAmount, type Order, type OrderCreatedEvent, type OrderItem, type OrderStatus } from '@dema/contracts';
import type { Queryable } from '@dema/platform';
import type { PricedOrder } from '../domain/pricing.ts';

interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  total: string;
  created_at: string;
  updated_at: string;
  items: Array<{ productId: string; variantId: string | null; name: string; quantity: number; price: string }>;
}

const orderColumns = `o.id, o.user_id, o.status, o.total::text AS total, o.created_at, o.updated_at,
  COALESCE((SELECT json_agg(json_build_object('productId', i.product_id, 'variantId', i.variant_id, 'name', i.name,
                                              'quantity', i.quantity, 'price', i.unit_price::text) ORDER BY i.position)
              FROM order_items i WHERE i.order_id = o.id), '[]') AS items`;

function toOrder(row: OrderRow): Order {
  const items: OrderItem[] = row.items.map((item) => {
    const price = toWireAmount(item.price);
    return {
      productId: item.productId,
      variantId: item.variantId,
      name: item.name,
      quantity: item.quantity,
      price,
      lineTotal: lineTotal(item.price, item.quantity),
    };
  });
  return { id: row.id, userId: row.user_id, status: row.status, items, total: toWireAmount(row.total), createdAt: row.created_at, updatedAt: row.updated_at };
}

// Exact: unit price in cents times quantity, back to a two-decimal number.
const lineTotal = (price: string, quantity: number): number => toWireAmount(fromCents(toCents(price) * BigInt(quantity)));

/**
 * Ends the pending placement and writes the order, its items and its ORDER_CREATED event in one
 * statement (the `record_order` function). False, with nothing written, when the placement is no
 * longer pending.
 */
export async function recordPlacedOrder(
  db: Queryable,
  order: { id: string; userId: string; status: OrderStatus; priced: PricedOrder; createdAt: string },
  event: OrderCreatedEvent,
): Promise<boolean> {
  const lines = order.priced.lines;
  const { rows } = await db.query<{ recorded: boolean }>(
    `SELECT record_order($1, $2, $3, $4, $5, $6::uuid[], $7::uuid[], $8::text[], $9::numeric[], $10::int[], $11, $12, $13, $14, $15) AS recorded`,
    [
      order.id,
      order.userId,
      order.status,
      order.priced.total,
      order.createdAt,
      lines.map((l) => l.productId),
      lines.map((l) => l.variantId),
      lines.map((l) => l.name),
      lines.map((l) => l.unitPrice),
      lines.map((l) => l.quantity),
      event.id,
      event.type,
      event.version,
      routingKeys[event.type],
      JSON.stringify(event.payload),
    ],
  );
  return rows[0]!.recorded;
}

export async function findOrder(db: Queryable, id: string): Promise<Order | undefined> {
  const { rows } = await db.query<OrderRow>(`SELECT ${orderColumns} FROM orders o WHERE o.id = $1`, [id]);
  return rows[0] && toOrder(rows[0]);
}

export interface OrderFilter {
  userId?: string;
  status?: OrderStatus;
  limit: number;
  offset: number;
}

/** Newest first; `total` counts every order matching the filter. */
export async function listOrders(db: Queryable, filter: OrderFilter): Promise<{ items: Order[]; total: number }> {
  // The filter's parameters come first so the count runs on the same condition without the paging ones.
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.userId) {
    params.push(filter.userId);
    where.push(`o.user_id = $${params.length}`);
  }
  if (filter.status) {
    params.push(filter.status);
    where.push(`o.status = $${params.length}`);
  }
  const condition = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const paging = `LIMIT $${params.length + 1} OFFSET $${params.length + 2}`;
  const [page, count] = await Promise.all([
    db.query<OrderRow>(`SELECT ${orderColumns} FROM orders o ${condition} ORDER BY o.created_at DESC, o.id DESC ${paging}`, [
      ...params,
      filter.limit,
      filter.offset,
    ]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders o ${condition}`, params),
  ]);
  return { items: page.rows.map(toOrder), total: count.rows[0]!.n };
}

/** Locks the order row for a status change; undefined when there is no such order. */
export async function lockOrder(tx: Queryable, id: string): Promise<{ userId: string; status: OrderStatus } | undefined> {
  const { rows } = await tx.query<{ user_id: string; status: OrderStatus }>('SELECT user_id, status FROM orders WHERE id = $1 FOR UPDATE', [id]);
  return rows[0] && { userId: rows[0].user_id, status: rows[0].status };
}

export async function setStatus(tx: Queryable, id: string, status: OrderStatus): Promise<void> {
  await tx.query('UPDATE orders SET status = $2 WHERE id = $1', [id, status]);
}
