import {
  fromCents,
  paymentStatusesBefore,
  routingKeys,
  toCents,
  toWireAmount,
  type Address,
  type Order,
  type OrderCreatedEvent,
  type OrderItem,
  type OrderPaymentSummary,
  type OrderStatus,
  type PaymentProvider,
  type PaymentStatus,
} from '@dema/contracts';
import type { Queryable } from '@dema/platform';
import type { PricedOrder } from '../domain/pricing.ts';

interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  total: string;
  subtotal: string;
  discount_total: string;
  shipping_total: string;
  tax_total: string;
  prices_include_tax: boolean;
  currency: string;
  shipping_address: Address | null;
  billing_address: Address | null;
  shipping_method: { id: string; name: string } | null;
  promotion: { id: string; code: string } | null;
  payment_status: PaymentStatus | null;
  payment_provider: PaymentProvider | null;
  created_at: string;
  updated_at: string;
  items: Array<{ productId: string; variantId: string | null; name: string; quantity: number; price: string; discount: string; tax: string }>;
  tax_lines: Array<{ name: string; rate: string; amount: string; appliesTo: 'items' | 'shipping' }>;
}

// Orders placed before checkout existed have no subtotal of their own: it was their total.
const orderColumns = `o.id, o.user_id, o.status, o.total::text AS total, COALESCE(o.subtotal, o.total)::text AS subtotal,
  o.discount_total::text AS discount_total, o.shipping_total::text AS shipping_total, o.tax_total::text AS tax_total,
  o.prices_include_tax, o.currency, o.shipping_address, o.billing_address, o.shipping_method, o.promotion, o.payment_status, o.payment_provider,
  o.created_at, o.updated_at,
  COALESCE((SELECT json_agg(json_build_object('productId', i.product_id, 'variantId', i.variant_id, 'name', i.name,
                                              'quantity', i.quantity, 'price', i.unit_price::text,
                                              'discount', i.discount::text, 'tax', i.tax::text) ORDER BY i.position)
              FROM order_items i WHERE i.order_id = o.id), '[]') AS items,
  COALESCE((SELECT json_agg(json_build_object('name', t.name, 'rate', t.rate::text, 'amount', t.amount::text, 'appliesTo', t.applies_to)
                            ORDER BY t.position)
              FROM order_tax_lines t WHERE t.order_id = o.id), '[]') AS tax_lines`;

function toOrder(row: OrderRow): Order {
  const items: OrderItem[] = row.items.map((item) => ({
    productId: item.productId,
    variantId: item.variantId,
    name: item.name,
    quantity: item.quantity,
    price: toWireAmount(item.price),
    lineTotal: lineTotal(item.price, item.quantity),
    discount: toWireAmount(item.discount),
    tax: toWireAmount(item.tax),
  }));
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    items,
    total: toWireAmount(row.total),
    subtotal: toWireAmount(row.subtotal),
    discountTotal: toWireAmount(row.discount_total),
    shippingTotal: toWireAmount(row.shipping_total),
    taxTotal: toWireAmount(row.tax_total),
    pricesIncludeTax: row.prices_include_tax,
    currency: row.currency,
    taxLines: row.tax_lines.map((t) => ({ name: t.name, rate: formatPercent(t.rate), amount: toWireAmount(t.amount), appliesTo: t.appliesTo })),
    shippingAddress: row.shipping_address,
    billingAddress: row.billing_address,
    shippingMethod: row.shipping_method,
    promotionCode: row.promotion?.code ?? null,
    paymentStatus: row.payment_status,
    paymentProvider: row.payment_provider,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Exact: unit price in cents times quantity, back to a two-decimal number.
const lineTotal = (price: string, quantity: number): number => toWireAmount(fromCents(toCents(price) * BigInt(quantity)));

/** NUMERIC(6,3) reads as "8.875" or "20.000"; the API shows "8.875" and "20". */
const formatPercent = (rate: string): string => rate.replace(/\.?0+$/, '');

/** How the placement's last step ended (see `record_checkout_order`). */
export type RecordOutcome = 'recorded' | 'not-pending' | 'promotion-gone' | 'promotion-exhausted' | 'promotion-customer-limit';

/**
 * Takes the promotion's use, ends the pending placement and writes the order, its items, its tax
 * lines, its payment's provider and status as opened, and its ORDER_CREATED event in one statement
 * (the `record_checkout_order` function). Any outcome but 'recorded' wrote nothing.
 */
export async function recordPlacedOrder(
  db: Queryable,
  order: { id: string; userId: string; status: OrderStatus; priced: PricedOrder; payment: OrderPaymentSummary | undefined; createdAt: string },
  event: OrderCreatedEvent,
): Promise<RecordOutcome> {
  const { priced } = order;
  const document = {
    id: order.id,
    userId: order.userId,
    status: order.status,
    createdAt: order.createdAt,
    total: priced.total,
    subtotal: priced.subtotal,
    discountTotal: priced.discountTotal,
    shippingTotal: priced.shippingTotal,
    taxTotal: priced.taxTotal,
    pricesIncludeTax: priced.pricesIncludeTax,
    currency: priced.currency,
    shippingAddress: priced.shippingAddress,
    billingAddress: priced.billingAddress,
    shippingMethod: priced.shippingMethod,
    promotion: priced.promotion,
    items: priced.lines.map((l) => ({
      productId: l.productId,
      variantId: l.variantId,
      name: l.name,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      discount: l.discount,
      tax: l.tax,
      weightGrams: l.weightGrams,
    })),
    taxLines: priced.taxLines,
    paymentStatus: order.payment?.status ?? null,
    paymentProvider: order.payment?.provider ?? null,
  };
  const { rows } = await db.query<{ outcome: RecordOutcome }>(`SELECT record_checkout_order($1, $2, $3, $4, $5, $6) AS outcome`, [
    JSON.stringify(document),
    event.id,
    event.type,
    event.version,
    routingKeys[event.type],
    JSON.stringify(event.payload),
  ]);
  return rows[0]!.outcome;
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

/**
 * Up to `limit` orders matching `filter` after id `after`, in id order: an export reads orders page by
 * page this way, each page one index range however far in.
 */
export async function ordersAfter(db: Queryable, filter: { userId?: string; status?: OrderStatus }, after: string | null, limit: number): Promise<Order[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.userId) where.push(`o.user_id = ${param(filter.userId)}`);
  if (filter.status) where.push(`o.status = ${param(filter.status)}`);
  if (after !== null) where.push(`o.id > ${param(after)}::uuid`);
  const condition = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const { rows } = await db.query<OrderRow>(`SELECT ${orderColumns} FROM orders o ${condition} ORDER BY o.id LIMIT ${param(limit)}`, params);
  return rows.map(toOrder);
}

/** Locks the order row for a status change; undefined when there is no such order. */
export async function lockOrder(tx: Queryable, id: string): Promise<{ userId: string; status: OrderStatus } | undefined> {
  const { rows } = await tx.query<{ user_id: string; status: OrderStatus }>('SELECT user_id, status FROM orders WHERE id = $1 FOR UPDATE', [id]);
  return rows[0] && { userId: rows[0].user_id, status: rows[0].status };
}

export async function setStatus(tx: Queryable, id: string, status: OrderStatus): Promise<void> {
  await tx.query('UPDATE orders SET status = $2 WHERE id = $1', [id, status]);
}

/**
 * Records that the order's payment is now `to`, when that lies ahead of what the order shows (the
 * payment's transition table): a late, repeated or out-of-order report changes nothing. False when
 * nothing changed (no such order, no payment, or a report behind).
 */
export async function followPayment(db: Queryable, id: string, to: PaymentStatus): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE orders SET payment_status = $2 WHERE id = $1 AND payment_status = ANY($3::text[])', [
    id,
    to,
    paymentStatusesBefore(to),
  ]);
  return rowCount === 1;
}

/**
 * Locks up to `limit` PENDING orders placed before `placedBefore` whose payment is still unpaid or
 * failed, oldest first, skipping those another transaction holds: two sweeps never take the same.
 */
export async function lockUnpaidOrders(tx: Queryable, placedBefore: Date, limit: number): Promise<Array<{ id: string; userId: string; status: OrderStatus }>> {
  const { rows } = await tx.query<{ id: string; user_id: string; status: OrderStatus }>(
    `SELECT id, user_id, status FROM orders
      WHERE status = 'PENDING' AND payment_status IN ('unpaid', 'failed') AND created_at < ($1::timestamptz AT TIME ZONE 'UTC')
      ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [placedBefore.toISOString(), limit],
  );
  return rows.map((r) => ({ id: r.id, userId: r.user_id, status: r.status }));
}
