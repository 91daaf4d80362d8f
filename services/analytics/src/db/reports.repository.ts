import { restockingStatuses, type AnalyticsInterval, type StockUpdateReason } from '@dema/contracts';
import type { Queryable } from '@dema/platform';
import type { DayRange } from '../domain/date-range.ts';

/**
 * Read queries over the fact tables. Money leaves SQL as DECIMAL text and counts of units as text
 * (a bigint sum), so nothing is summed in binary floating point; callers convert for the wire.
 */

/** Statuses whose orders are not sales (their stock went back). */
const notSales = [...restockingStatuses];

export interface RevenueRow {
  period: string;
  orders: number;
  revenue: string;
}

/** One row per bucket from the bucket holding `range.from` to the one holding `range.to`, empty ones included. */
export async function revenueByPeriod(db: Queryable, range: DayRange, interval: AnalyticsInterval): Promise<RevenueRow[]> {
  const { rows } = await db.query<RevenueRow>(
    `WITH sales AS (
       SELECT date_trunc($3::text, placed_at AT TIME ZONE 'UTC') AS period, count(*) AS orders, sum(total) AS revenue
         FROM order_facts
        WHERE placed_at >= $1::timestamptz AND placed_at < $2::timestamptz AND status <> ALL($4::text[])
        GROUP BY 1)
     SELECT to_char(p.period, 'YYYY-MM-DD') AS period, COALESCE(s.orders, 0)::int AS orders, COALESCE(s.revenue, 0)::text AS revenue
       FROM generate_series(date_trunc($3::text, $5::date::timestamp), date_trunc($3::text, $6::date::timestamp), ('1 ' || $3::text)::interval) AS p(period)
       LEFT JOIN sales s ON s.period = p.period
      ORDER BY p.period`,
    [range.start, range.end, interval, notSales, range.from, range.to],
  );
  return rows;
}

export interface SummaryRow {
  orders: number;
  revenue: string;
  units: string;
  customers: number;
}

export async function salesSummary(db: Queryable, range: DayRange): Promise<SummaryRow> {
  const { rows } = await db.query<SummaryRow>(
    `SELECT count(*)::int AS orders, COALESCE(sum(total), 0)::text AS revenue, COALESCE(sum(units), 0)::text AS units,
            count(DISTINCT user_id)::int AS customers
       FROM order_facts
      WHERE placed_at >= $1::timestamptz AND placed_at < $2::timestamptz AND status <> ALL($3::text[])`,
    [range.start, range.end, notSales],
  );
  return rows[0]!;
}

export interface SalesSumsRow {
  orders: number;
  gross_sales: string;
  discounts: string;
  shipping: string;
  tax: string;
  tax_in_prices: string;
  refunds: string;
  refunded_tax: string;
}

/**
 * The sales of the range (as the summary's) summed by part of their price, and the refunds made on
 * them whenever they were made: a refund belongs to the order it pays back, so a range's figures do
 * not move when a refund comes later than the range. Cancelled and returned orders are out with
 * their refunds, which only paid back what they no longer count.
 *
 * `refunded_tax` is the tax the refunds paid back: each refund carries its order's tax in
 * proportion to the order's total, `round(amount × tax_total / total, 2)` (0 for a total of 0),
 * which is the order's whole tax for a full refund.
 */
export async function salesSums(db: Queryable, range: DayRange): Promise<SalesSumsRow> {
  const { rows } = await db.query<SalesSumsRow>(
    `WITH sales AS (
       SELECT order_id, total, subtotal, discount_total, shipping_total, tax_total, prices_include_tax
         FROM order_facts
        WHERE placed_at >= $1::timestamptz AND placed_at < $2::timestamptz AND status <> ALL($3::text[]))
     SELECT count(*)::int AS orders, COALESCE(sum(subtotal), 0)::text AS gross_sales, COALESCE(sum(discount_total), 0)::text AS discounts,
            COALESCE(sum(shipping_total), 0)::text AS shipping, COALESCE(sum(tax_total), 0)::text AS tax,
            COALESCE(sum(tax_total) FILTER (WHERE prices_include_tax), 0)::text AS tax_in_prices,
            (SELECT COALESCE(sum(r.amount), 0) FROM refund_facts r JOIN sales USING (order_id))::text AS refunds,
            (SELECT COALESCE(sum(CASE WHEN s.total > 0 THEN round(r.amount * s.tax_total / s.total, 2) ELSE 0 END), 0)
               FROM refund_facts r JOIN sales s USING (order_id))::text AS refunded_tax
       FROM sales`,
    [range.start, range.end, notSales],
  );
  return rows[0]!;
}

export interface TopProductRow {
  product_id: string;
  units: string;
  revenue: string;
  orders: number;
}

/** Best sellers; ties broken by the other measure, then by product id, so the order is stable. */
export async function topProducts(db: Queryable, range: DayRange, by: 'units' | 'revenue', limit: number): Promise<TopProductRow[]> {
  const order = by === 'units' ? 'sum(i.quantity) DESC, sum(i.line_total) DESC' : 'sum(i.line_total) DESC, sum(i.quantity) DESC';
  const { rows } = await db.query<TopProductRow>(
    `SELECT i.product_id, sum(i.quantity)::text AS units, sum(i.line_total)::text AS revenue, count(DISTINCT i.order_id)::int AS orders
       FROM order_item_facts i
       JOIN order_facts o ON o.order_id = i.order_id
      WHERE o.placed_at >= $1::timestamptz AND o.placed_at < $2::timestamptz AND o.status <> ALL($3::text[])
      GROUP BY i.product_id
      ORDER BY ${order}, i.product_id
      LIMIT $4`,
    [range.start, range.end, notSales, limit],
  );
  return rows;
}

export interface StatusRow {
  status: string;
  orders: number;
  value: string;
}

export async function ordersByStatus(db: Queryable, range: DayRange): Promise<StatusRow[]> {
  const { rows } = await db.query<StatusRow>(
    `SELECT status, count(*)::int AS orders, sum(total)::text AS value
       FROM order_facts
      WHERE placed_at >= $1::timestamptz AND placed_at < $2::timestamptz
      GROUP BY status`,
    [range.start, range.end],
  );
  return rows;
}

export interface MovementRow {
  reason: StockUpdateReason;
  movements: number;
  units_in: string;
  units_out: string;
}

export async function stockMovements(db: Queryable, range: DayRange, productId: string | undefined): Promise<MovementRow[]> {
  const { rows } = await db.query<MovementRow>(
    `SELECT reason, count(*)::int AS movements,
            COALESCE(sum(GREATEST(delta, 0)), 0)::text AS units_in, COALESCE(sum(GREATEST(-delta, 0)), 0)::text AS units_out
       FROM stock_movement_facts
      WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz AND ($3::uuid IS NULL OR product_id = $3::uuid)
      GROUP BY reason`,
    [range.start, range.end, productId ?? null],
  );
  return rows;
}

export interface LowStockRow {
  product_id: string;
  stock: number;
  as_of: string;
}

/** Products at or below `threshold`, fewest units first; deleted products are not the shop's to restock. */
export async function lowStock(db: Queryable, threshold: number, limit: number): Promise<LowStockRow[]> {
  const { rows } = await db.query<LowStockRow>(
    'SELECT product_id, stock, as_of FROM product_stock WHERE stock <= $1 AND NOT deleted ORDER BY stock, product_id LIMIT $2',
    [threshold, limit],
  );
  return rows;
}
