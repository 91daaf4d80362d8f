import {
  AuditEntry,
  AuditEntryPage,
  AnalyticsSummary,
  LowStock,
  OrdersByStatus,
  RevenueSeries,
  SalesBreakdown,
  StockMovements,
  TopProducts,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
} from '@dema/contracts';
import { platformMigrations, runMigrations, type Infrastructure, type ServiceModule } from '@dema/platform';
import { Analytics } from './analytics.ts';
import { subscribeAnalytics } from './events/analytics-consumer.ts';
import { subscribeAuditLog } from './events/audit-consumer.ts';
import { analyticsMigrations } from './replay.ts';
import { analyticsRoutes } from './routes/analytics.routes.ts';
import { auditRoutes } from './routes/audit.routes.ts';
import { createWebhooks, type Webhooks } from './webhooks/webhooks.ts';

export { replayAnalytics, exportAnalyticsEvents, analyticsMigrations, type ReplayOptions, type ReplayReport } from './replay.ts';
export { analyticsConsumer, analyticsBindings, recordEvents } from './events/analytics-consumer.ts';
export { Analytics } from './analytics.ts';
export { webhooksConsumer } from './webhooks/webhook-consumer.ts';
export { auditConsumer } from './events/audit-consumer.ts';

export type AnalyticsService = ServiceModule & { analytics: Analytics; webhooks: Webhooks };

/**
 * The Analytics service (seed: Analytics Service, Analytics DB): consumes order and system events
 * (ORDER_CREATED, ORDER_STATUS_CHANGED, STOCK_UPDATED, PAYMENT_REFUNDED, and keeps any other in its history) into
 * its own database, each event counted once, and serves the admin's reports under /api/analytics.
 * It reads no other service's tables. It also hosts webhooks (/api/webhooks): every event of the
 * catalog, delivered to the endpoints admins register, from the same bus on a queue of its own;
 * and the audit log of admin actions (/api/admin/audit), from AUDIT_RECORDED on a third queue.
 * Its own outbox carries one event, WEBHOOK_ENDPOINT_DISABLED, for the User service to email.
 *
 * It is bound to the bus when this resolves, before any service starts relaying: the embedded bus
 * drops events nobody is bound to, and RabbitMQ queues them only once the queue is bound.
 */
export async function createAnalyticsService(infra: Infrastructure): Promise<AnalyticsService> {
  const db = await infra.database('analytics');
  await runMigrations(db, [platformMigrations, analyticsMigrations]);
  const analytics = new Analytics(db);
  const log = infra.log.child({ service: 'analytics' });
  const relay = infra.outboxRelay(db, log);
  await subscribeAnalytics(infra.bus, db, log, infra.metrics.registry);
  await subscribeAuditLog(infra.bus, db, log);
  const webhooks = await createWebhooks(db, infra.bus, infra.config.webhooks, infra.metrics.registry, log, relay);
  return {
    name: 'analytics',
    analytics,
    webhooks,
    schemas: [
      RevenueSeries,
      AnalyticsSummary,
      SalesBreakdown,
      TopProducts,
      OrdersByStatus,
      StockMovements,
      LowStock,
      WebhookEndpoint,
      WebhookEndpointWithSecret,
      WebhookEndpointList,
      WebhookDelivery,
      WebhookDeliveryList,
      AuditEntry,
      AuditEntryPage,
    ],
    async routes(app) {
      await analyticsRoutes(app, analytics);
      await webhooks.routes(app);
      await auditRoutes(app, db);
    },
    start() {
      relay.start();
      webhooks.start();
    },
    // The bus owns the subscriptions and stops delivering when the infrastructure closes it.
    async close() {
      await webhooks.close();
      await relay.stop();
    },
  };
}
