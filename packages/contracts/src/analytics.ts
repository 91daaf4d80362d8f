import Type, { type Static } from 'typebox';

/**
 * Analytics contracts (seed: Analytics Service, Analytics DB, the dashboard's `analytics` page).
 * Every figure is derived from events (ORDER_CREATED, ORDER_STATUS_CHANGED, STOCK_UPDATED, PAYMENT_REFUNDED), never
 * from another service's tables. Money is a JSON number with two decimals, summed exactly (DECIMAL
 * in SQL, integer cents in code). Days are UTC calendar days; a range includes both `from` and `to`.
 *
 * Sales — what revenue, order counts, average order value and top products count — are the orders
 * placed in the range whose current status is not one that put their stock back (CANCELLED,
 * RETURNED): a cancelled order stops counting as revenue when its cancellation arrives.
 */

const Uuid = Type.String({ format: 'uuid' });
const Day = Type.String({ format: 'date', description: 'A UTC calendar day, YYYY-MM-DD' });
const Amount = Type.Number({ description: 'Money, two decimals, summed exactly' });
const Timestamp = Type.String({ format: 'date-time' });

/** Longest range one request may cover, in days (ten years): bounds the rows a series returns. */
export const maxAnalyticsRangeDays = 3660;
/** Days covered when `from` is omitted: the 30 days ending on `to`. */
export const defaultAnalyticsRangeDays = 30;

const rangeFields = {
  from: Type.Optional(Type.String({ ...Day, description: 'First day, inclusive (UTC); default 29 days before `to`' })),
  to: Type.Optional(Type.String({ ...Day, description: 'Last day, inclusive (UTC); default today' })),
};

/** `from`/`to` of every analytics query; `from` ≤ `to` and at most `maxAnalyticsRangeDays` days. */
export const AnalyticsRangeQuery = Type.Object(rangeFields, { additionalProperties: false });
export type AnalyticsRangeQuery = Static<typeof AnalyticsRangeQuery>;

export const analyticsIntervals = ['day', 'week', 'month'] as const;
export type AnalyticsInterval = (typeof analyticsIntervals)[number];

export const RevenueQuery = Type.Object(
  {
    ...rangeFields,
    interval: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
      default: 'day',
      description: 'Bucket size; weeks start on Monday (ISO), months on the 1st',
    }),
  },
  { additionalProperties: false },
);
export type RevenueQuery = Static<typeof RevenueQuery>;

export const TopProductsQuery = Type.Object(
  {
    ...rangeFields,
    by: Type.Union([Type.Literal('units'), Type.Literal('revenue')], { default: 'units', description: 'Rank by units sold or by revenue' }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  },
  { additionalProperties: false },
);
export type TopProductsQuery = Static<typeof TopProductsQuery>;

export const StockMovementsQuery = Type.Object(
  { ...rangeFields, productId: Type.Optional(Type.String({ ...Uuid, description: 'Only this product' })) },
  { additionalProperties: false },
);
export type StockMovementsQuery = Static<typeof StockMovementsQuery>;

export const LowStockQuery = Type.Object(
  {
    threshold: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 5, description: 'Products with this many units or fewer' }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);
export type LowStockQuery = Static<typeof LowStockQuery>;

export const RevenuePoint = Type.Object({
  /** First day of the bucket (for week and month buckets it may precede `from`). */
  period: Day,
  orders: Type.Integer(),
  revenue: Amount,
});
export type RevenuePoint = Static<typeof RevenuePoint>;

/** Revenue and order count per bucket, every bucket of the range present (zero when empty). */
export const RevenueSeries = Type.Object(
  {
    from: Day,
    to: Day,
    interval: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
    points: Type.Array(RevenuePoint),
    totals: Type.Object({ orders: Type.Integer(), revenue: Amount }),
  },
  { $id: 'RevenueSeries' },
);
export type RevenueSeries = Static<typeof RevenueSeries>;

export const AnalyticsSummary = Type.Object(
  {
    from: Day,
    to: Day,
    orders: Type.Integer({ description: 'Sales: orders placed in the range, less cancelled and returned ones' }),
    revenue: Amount,
    averageOrderValue: Type.Number({ description: 'revenue / orders, rounded half up to the cent; 0 without orders' }),
    unitsSold: Type.Integer(),
    customers: Type.Integer({ description: 'Distinct users with a sale in the range' }),
  },
  { $id: 'AnalyticsSummary' },
);
export type AnalyticsSummary = Static<typeof AnalyticsSummary>;

/**
 * The sales of the range by part of their price, and what was refunded on them. Net revenue is
 * what the shop keeps: grossSales − discounts + shipping − (refunds − refundedTax) − taxInPrices,
 * exactly, so a table of these figures adds up (tax is never revenue; where prices exclude it, it
 * was added on top and grossSales does not hold it). A refund's tax is its order's tax in
 * proportion to the order's total, so a fully refunded order nets 0.
 */
export const SalesBreakdown = Type.Object(
  {
    from: Day,
    to: Day,
    orders: Type.Integer({ description: 'Sales: orders placed in the range, less cancelled and returned ones (as the summary counts)' }),
    grossSales: Type.Number({ description: 'Σ subtotal: items at their prices, before discounts (an order placed before checkout: its total)' }),
    discounts: Type.Number({ description: 'Σ promotion discounts' }),
    shipping: Type.Number({ description: 'Σ shipping charged' }),
    tax: Type.Number({ description: 'Σ tax charged, on items and shipping, whether prices include it or not' }),
    taxInPrices: Type.Number({
      description: 'The part of tax charged on orders whose prices include tax: it sits inside grossSales (0 where prices exclude tax, added on top)',
    }),
    refunds: Type.Number({
      description: 'Σ refunds made on these sales, whenever made, as paid back (tax included; a cancelled or returned order is out with its refunds)',
    }),
    refundedTax: Type.Number({
      description:
        "The part of refunds that paid back tax: each refund's share of its order's tax, in proportion to the order's total (rounded to the cent), so a full refund pays back all of it",
    }),
    netRevenue: Type.Number({
      description:
        'grossSales − discounts + shipping − (refunds − refundedTax) − taxInPrices: tax is never revenue (where prices exclude it, grossSales never held it), so a refund comes out without the tax it paid back and a fully refunded order nets 0. May be negative.',
    }),
  },
  { $id: 'SalesBreakdown', description: 'Money: two decimals, summed exactly in integer cents.' },
);
export type SalesBreakdown = Static<typeof SalesBreakdown>;

export const TopProduct = Type.Object({
  /** Names are the catalog's: join them from GET /api/products/{id}. */
  productId: Uuid,
  units: Type.Integer(),
  revenue: Amount,
  orders: Type.Integer({ description: 'Sales that contained the product' }),
});
export type TopProduct = Static<typeof TopProduct>;

export const TopProducts = Type.Object(
  {
    from: Day,
    to: Day,
    by: Type.Union([Type.Literal('units'), Type.Literal('revenue')]),
    items: Type.Array(TopProduct),
  },
  { $id: 'TopProducts' },
);
export type TopProducts = Static<typeof TopProducts>;

export const OrderStatusCount = Type.Object({
  /** An `OrderStatus`; every status of the lifecycle is listed, with 0 when none. */
  status: Type.String(),
  orders: Type.Integer(),
  /** Sum of those orders' totals (not revenue: it includes cancelled and returned orders). */
  value: Amount,
});
export type OrderStatusCount = Static<typeof OrderStatusCount>;

/** Orders placed in the range, by their current status. */
export const OrdersByStatus = Type.Object(
  {
    from: Day,
    to: Day,
    total: Type.Integer({ description: 'Every order placed in the range, whatever its status' }),
    items: Type.Array(OrderStatusCount),
  },
  { $id: 'OrdersByStatus' },
);
export type OrdersByStatus = Static<typeof OrdersByStatus>;

export const StockMovement = Type.Object({
  reason: Type.Union([Type.Literal('ORDER'), Type.Literal('MANUAL'), Type.Literal('RETURN')]),
  /** STOCK_UPDATED events with this reason in the range. */
  movements: Type.Integer(),
  unitsIn: Type.Integer({ description: 'Units added (sum of increases)' }),
  unitsOut: Type.Integer({ description: 'Units removed (sum of decreases, positive)' }),
  net: Type.Integer({ description: 'unitsIn − unitsOut' }),
});
export type StockMovement = Static<typeof StockMovement>;

/** Stock changes in the range, one entry per reason (ORDER, MANUAL, RETURN), zeros included. */
export const StockMovements = Type.Object(
  {
    from: Day,
    to: Day,
    productId: Type.Union([Uuid, Type.Null()]),
    items: Type.Array(StockMovement),
  },
  { $id: 'StockMovements' },
);
export type StockMovements = Static<typeof StockMovements>;

export const LowStockProduct = Type.Object({
  productId: Uuid,
  /** The product's total stock as the latest STOCK_UPDATED said. */
  stock: Type.Integer(),
  /** When that change happened. */
  updatedAt: Timestamp,
});
export type LowStockProduct = Static<typeof LowStockProduct>;

/**
 * Products at or below `threshold` units, fewest first. Known from STOCK_UPDATED only: a product
 * never changed since analytics started listening is absent until its next change.
 */
export const LowStock = Type.Object({ threshold: Type.Integer(), items: Type.Array(LowStockProduct) }, { $id: 'LowStock' });
export type LowStock = Static<typeof LowStock>;
