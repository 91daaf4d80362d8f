import { AnalyticsSummary, LowStock, OrdersByStatus, RevenueSeries, SalesBreakdown, StockMovements, TopProducts } from '@dema/contracts';
import { platformMigrations, runMigrations, type Infrastructure, type ServiceModule } from '@dema/platform';
import { Analytics } from './analytics.ts';
import { subscribeAnalytics } from './events/analytics-consumer.ts';
import { analyticsMigrations } from './replay.ts';
import { analyticsRoutes } from './routes/analytics.routes.ts';

export { replayAnalytics, exportAnalyticsEvents, analyticsMigrations, type ReplayOptions, type ReplayReport } from './replay.ts';
export { analyticsConsumer, analyticsBindings, recordEvents } from './events/analytics-consumer.ts';
export { Analytics } from './analytics.ts';

export type AnalyticsService = ServiceModule & { analytics: Analytics };

/**
 * The Analytics service (seed: Analytics Service, Analytics DB): consumes order and system events
 * (ORDER_CREATED, ORDER_STATUS_CHANGED, STOCK_UPDATED, PAYMENT_REFUNDED, and keeps any other in its history) into
 * its own database, each event counted once, and serves the admin's reports under /api/analytics.
 * It reads no other service's tables.
 *
 * It is bound to the bus when this resolves, before any service starts relaying: the embedded bus
 * drops events nobody is bound to, and RabbitMQ queues them only once the queue is bound.
 */
export async function createAnalyticsService(infra: Infrastructure): Promise<AnalyticsService> {
  const db = await infra.database('analytics');
  await runMigrations(db, [platformMigrations, analyticsMigrations]);
  const analytics = new Analytics(db);
  await subscribeAnalytics(infra.bus, db, infra.log.child({ service: 'analytics' }), infra.metrics.registry);
  return {
    name: 'analytics',
    analytics,
    schemas: [RevenueSeries, AnalyticsSummary, SalesBreakdown, TopProducts, OrdersByStatus, StockMovements, LowStock],
    async routes(app) {
      await analyticsRoutes(app, analytics);
    },
    start: () => undefined,
    // The bus owns the subscription and stops delivering when the infrastructure closes it.
    close: async () => undefined,
  };
}
