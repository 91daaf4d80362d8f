import Type from 'typebox';
import { AnalyticsRangeQuery, LowStockQuery, RevenueQuery, StockMovementsQuery, TopProductsQuery } from '@dema/contracts';
import { problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Analytics } from '../analytics.ts';

const read = { permission: 'analytics:read' as const };
const errors = problemResponses(400, 401, 403);
const rangeNote = 'Days are UTC and inclusive; `to` defaults to today and `from` to 29 days before `to`; at most 3660 days.';
const salesNote = 'Sales are orders placed in the range that are not (now) CANCELLED or RETURNED.';

/** The admin's analytics reports (seed: analytics:read). Read-only; figures come from consumed events. */
export async function analyticsRoutes(app: DemaApp, analytics: Analytics): Promise<void> {
  app.get(
    '/api/analytics/revenue',
    {
      config: read,
      schema: {
        tags: ['analytics'],
        operationId: 'getRevenue',
        summary: 'Revenue and order count per day, week or month',
        description: `${salesNote} Every bucket of the range is listed. ${rangeNote}`,
        security: requiresToken,
        querystring: RevenueQuery,
        response: { 200: Type.Ref('RevenueSeries'), ...errors },
      },
    },
    async (request) => analytics.revenue(request.query),
  );

  app.get(
    '/api/analytics/summary',
    {
      config: read,
      schema: {
        tags: ['analytics'],
        operationId: 'getSalesSummary',
        summary: 'Order count, revenue, average order value, units sold and customers',
        description: `${salesNote} ${rangeNote}`,
        security: requiresToken,
        querystring: AnalyticsRangeQuery,
        response: { 200: Type.Ref('AnalyticsSummary'), ...errors },
      },
    },
    async (request) => analytics.summary(request.query),
  );

  app.get(
    '/api/analytics/sales',
    {
      config: read,
      schema: {
        tags: ['analytics'],
        operationId: 'getSalesBreakdown',
        summary: 'Gross sales, discounts, shipping, tax, refunds and net revenue',
        description: `${salesNote} Refunds are those made on these sales, whenever made. netRevenue = grossSales − discounts + shipping − (refunds − refundedTax) − taxInPrices: \`refunds\` is what was paid back, tax included, \`refundedTax\` the tax in it (its order's tax in proportion to the order's total) and \`taxInPrices\` the tax of orders whose prices include tax. Tax is never revenue, so a fully refunded order nets 0. ${rangeNote}`,
        security: requiresToken,
        querystring: AnalyticsRangeQuery,
        response: { 200: Type.Ref('SalesBreakdown'), ...errors },
      },
    },
    async (request) => analytics.sales(request.query),
  );

  app.get(
    '/api/analytics/top-products',
    {
      config: read,
      schema: {
        tags: ['analytics'],
        operationId: 'listTopProducts',
        summary: 'Best-selling products by units or by revenue',
        description: `${salesNote} Products are ids: names come from the catalog. ${rangeNote}`,
        security: requiresToken,
        querystring: TopProductsQuery,
        response: { 200: Type.Ref('TopProducts'), ...errors },
      },
    },
    async (request) => analytics.topProducts(request.query),
  );

  app.get(
    '/api/analytics/orders-by-status',
    {
      config: read,
      schema: {
        tags: ['analytics'],
        operationId: 'countOrdersByStatus',
        summary: 'Orders placed in the range, by current status',
        description: rangeNote,
        security: requiresToken,
        querystring: AnalyticsRangeQuery,
        response: { 200: Type.Ref('OrdersByStatus'), ...errors },
      },
    },
    async (request) => analytics.ordersByStatus(request.query),
  );

  app.get(
    '/api/analytics/stock-movements',
    {
      config: read,
      schema: {
        tags: ['analytics'],
        operationId: 'getStockMovements',
        summary: 'Stock changes by reason (ORDER, MANUAL, RETURN)',
        description: `From STOCK_UPDATED events that happened in the range. ${rangeNote}`,
        security: requiresToken,
        querystring: StockMovementsQuery,
        response: { 200: Type.Ref('StockMovements'), ...errors },
      },
    },
    async (request) => analytics.stockMovements(request.query),
  );

  app.get(
    '/api/analytics/low-stock',
    {
      config: read,
      schema: {
        tags: ['analytics'],
        operationId: 'listLowStockProducts',
        summary: 'Products at or below a stock threshold',
        description: "Each product's latest stock from STOCK_UPDATED, fewest units first. Products are ids: names come from the catalog.",
        security: requiresToken,
        querystring: LowStockQuery,
        response: { 200: Type.Ref('LowStock'), ...errors },
      },
    },
    async (request) => analytics.lowStock(request.query),
  );
}
