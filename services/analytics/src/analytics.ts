import {
  orderStatuses,
  toWireAmount,
  type AnalyticsSummary,
  type LowStock,
  type LowStockQuery,
  type OrdersByStatus,
  type RevenueQuery,
  type RevenueSeries,
  type SalesBreakdown,
  type StockMovements,
  type StockMovementsQuery,
  type StockUpdateReason,
  type TopProducts,
  type TopProductsQuery,
  type AnalyticsRangeQuery,
} from '@dema/contracts';
import type { Db, Queryable } from '@dema/platform';
import * as reports from './db/reports.repository.ts';
import { resolveDayRange } from './domain/date-range.ts';
import { averageOrderValue, netRevenue, sumAmounts } from './domain/figures.ts';

const stockReasons: readonly StockUpdateReason[] = ['ORDER', 'MANUAL', 'RETURN'];

/**
 * The Analytics service's reports, read from its own fact tables only. Ranges are whole UTC days
 * (see `resolveDayRange`); money is summed as DECIMAL and turned into a wire number last.
 */
export class Analytics {
  constructor(
    private readonly db: Db,
    /** Today's date comes from here, so the default range is testable. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Where reports read: the replica when there is one. The facts are already a step behind the
   * events they are built from, so a replica's lag (shown in the metrics) only adds to that delay.
   */
  private get facts(): Queryable {
    return this.db.reader('lagging');
  }

  async revenue(query: RevenueQuery): Promise<RevenueSeries> {
    const range = resolveDayRange(query, this.now());
    const interval = query.interval ?? 'day';
    const rows = await reports.revenueByPeriod(this.facts, range, interval);
    return {
      from: range.from,
      to: range.to,
      interval,
      points: rows.map((row) => ({ period: row.period, orders: row.orders, revenue: toWireAmount(row.revenue) })),
      totals: {
        orders: rows.reduce((n, row) => n + row.orders, 0),
        revenue: toWireAmount(sumAmounts(rows.map((row) => row.revenue))),
      },
    };
  }

  async summary(query: AnalyticsRangeQuery): Promise<AnalyticsSummary> {
    const range = resolveDayRange(query, this.now());
    const row = await reports.salesSummary(this.facts, range);
    return {
      from: range.from,
      to: range.to,
      orders: row.orders,
      revenue: toWireAmount(row.revenue),
      averageOrderValue: toWireAmount(averageOrderValue(row.revenue, row.orders)),
      unitsSold: Number(row.units),
      customers: row.customers,
    };
  }

  async sales(query: AnalyticsRangeQuery): Promise<SalesBreakdown> {
    const range = resolveDayRange(query, this.now());
    const row = await reports.salesSums(this.facts, range);
    const sums = {
      grossSales: row.gross_sales,
      discounts: row.discounts,
      shipping: row.shipping,
      tax: row.tax,
      taxInPrices: row.tax_in_prices,
      refunds: row.refunds,
      refundedTax: row.refunded_tax,
    };
    return {
      from: range.from,
      to: range.to,
      orders: row.orders,
      grossSales: toWireAmount(sums.grossSales),
      discounts: toWireAmount(sums.discounts),
      shipping: toWireAmount(sums.shipping),
      tax: toWireAmount(sums.tax),
      taxInPrices: toWireAmount(sums.taxInPrices),
      refunds: toWireAmount(sums.refunds),
      refundedTax: toWireAmount(sums.refundedTax),
      netRevenue: toWireAmount(netRevenue(sums)),
    };
  }

  async topProducts(query: TopProductsQuery): Promise<TopProducts> {
    const range = resolveDayRange(query, this.now());
    const by = query.by ?? 'units';
    const rows = await reports.topProducts(this.facts, range, by, query.limit ?? 10);
    return {
      from: range.from,
      to: range.to,
      by,
      items: rows.map((row) => ({ productId: row.product_id, units: Number(row.units), revenue: toWireAmount(row.revenue), orders: row.orders })),
    };
  }

  async ordersByStatus(query: AnalyticsRangeQuery): Promise<OrdersByStatus> {
    const range = resolveDayRange(query, this.now());
    const rows = new Map((await reports.ordersByStatus(this.facts, range)).map((row) => [row.status, row]));
    // Lifecycle order, every status present; a status the lifecycle does not name goes last.
    const statuses = [...orderStatuses, ...[...rows.keys()].filter((s) => !(orderStatuses as readonly string[]).includes(s)).sort()];
    const items = statuses.map((status) => {
      const row = rows.get(status);
      return { status, orders: row?.orders ?? 0, value: toWireAmount(row?.value ?? '0') };
    });
    return { from: range.from, to: range.to, total: items.reduce((n, item) => n + item.orders, 0), items };
  }

  async stockMovements(query: StockMovementsQuery): Promise<StockMovements> {
    const range = resolveDayRange(query, this.now());
    const rows = new Map((await reports.stockMovements(this.facts, range, query.productId)).map((row) => [row.reason, row]));
    return {
      from: range.from,
      to: range.to,
      productId: query.productId ?? null,
      items: stockReasons.map((reason) => {
        const row = rows.get(reason);
        const unitsIn = Number(row?.units_in ?? 0);
        const unitsOut = Number(row?.units_out ?? 0);
        return { reason, movements: row?.movements ?? 0, unitsIn, unitsOut, net: unitsIn - unitsOut };
      }),
    };
  }

  async lowStock(query: LowStockQuery): Promise<LowStock> {
    const threshold = query.threshold ?? 5;
    const rows = await reports.lowStock(this.facts, threshold, query.limit ?? 50);
    return { threshold, items: rows.map((row) => ({ productId: row.product_id, stock: row.stock, updatedAt: row.as_of })) };
  }
}
