import { fromCents, toCents, type Order, type OrderItem, type OrderStatus } from '@dema/contracts';
import type { Queryable } from '@dema/platform';
import type { PricedOrder } from '../domain/pricing.ts';
import { wireAmount } from '../domain/pricing.ts';

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
    const price = wireAmount(item.price);
    return { productId: item.productId, variantId: item.variantId, name: item.name, quantity: item.quantity, price, lineTotal: lineTotal(item.price, item.quantity) };
  });
  return { id: row.id, userId: row.user_id, status: row.status, items, total: wireAmount(row.total), createdAt: row.created_at, updatedAt: row.updated_at };
}

// Exact: unit price in cents times quantity, back to a two-decimal number.
const lineTotal = (price: string, quantity: number): number => wireAmount(fromCents(toCents(price) * BigInt(quantity)));

/** Writes the order and its items; the caller's transaction also writes ORDER_CREATED. */
export async function insertOrder(tx: Queryable, order: { id: string; userId: string; status: OrderStatus; priced: PricedOrder }): Promise<{ createdAt: string; updatedAt: string }> {
  const { rows } = await tx.query<{ created_at: string; updated_at: string }>(
    'INSERT INTO orders (id, user_id, status, total) VALUES ($1, $2, $3, $4) RETURNING created_at, updated_at',
    [order.id, order.userId, order.status, order.priced.total],
  );
  const lines = order.priced.lines;
  await tx.query(
    `INSERT INTO order_items (order_id, position, product_id, variant_id, name, unit_price, quantity)
     SELECT $1, n, product_id, variant_id, name, unit_price, quantity
       FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::numeric[], $6::int[]) WITH ORDINALITY AS l(product_id, variant_id, name, unit_price, quantity, n)`,
    [
      order.id,
      lines.map((l) => l.productId),
      lines.map((l) => l.variantId),
      lines.map((l) => l.name),
      lines.map((l) => l.unitPrice),
      lines.map((l) => l.quantity),
    ],
  );
  return { createdAt: rows[0]!.created_at, updatedAt: rows[0]!.updated_at };
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
    db.query<OrderRow>(`SELECT ${orderColumns} FROM orders o ${condition} ORDER BY o.created_at DESC, o.id DESC ${paging}`, [...params, filter.limit, filter.offset]),
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
