import type { Db, DemaApp, EventBus, WebhookSettings } from '@dema/platform';
import type { Logger } from 'pino';
import type client from 'prom-client';
import { subscribeWebhooks } from './webhook-consumer.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import { WebhookEndpoints } from './webhook-endpoints.ts';
import { WebhookLogPruner } from './webhook-log-pruner.ts';
import { WebhookMetrics } from './webhook-metrics.ts';
import { webhookRoutes } from './webhooks.routes.ts';

export interface Webhooks {
  endpoints: WebhookEndpoints;
  routes(app: DemaApp): Promise<void>;
  /** Prunes the delivery log of what ended more than the retention ago. */
  pruner: WebhookLogPruner;
  /** Starts sending due deliveries, and pruning the delivery log at once and then hourly. */
  start(): void;
  /** Stops sending and pruning; resolves once the attempts in flight are recorded. */
  close(): Promise<void>;
}

/**
 * Webhooks for integrations (issue 21), in the analytics database: subscribed to the bus when this
 * resolves (before any service relays its outbox), sending once started; its series on `registry`.
 * An endpoint disabled for failing is announced through the service's outbox, which `outbox` relays.
 */
export async function createWebhooks(
  db: Db,
  bus: EventBus,
  settings: WebhookSettings,
  registry: client.Registry,
  log: Logger,
  outbox: { notify(): void },
): Promise<Webhooks> {
  const metrics = new WebhookMetrics(registry, db);
  const dispatcher = new WebhookDispatcher(db, settings, metrics, log, outbox);
  const pruner = new WebhookLogPruner(db, settings.logRetentionDays * 86_400_000, metrics, log);
  const wake = () => dispatcher.wake();
  const endpoints = new WebhookEndpoints(db, settings, wake);
  await subscribeWebhooks(bus, db, settings.retryWindowMs, wake);
  return {
    endpoints,
    routes: (app) => webhookRoutes(app, endpoints),
    pruner,
    start() {
      dispatcher.start();
      pruner.start();
    },
    close: async () => {
      await Promise.all([dispatcher.close(), pruner.close()]);
    },
  };
}
