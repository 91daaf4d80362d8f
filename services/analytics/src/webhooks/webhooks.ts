import type { Db, DemaApp, EventBus, WebhookSettings } from '@dema/platform';
import type { Logger } from 'pino';
import { subscribeWebhooks } from './webhook-consumer.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import { WebhookEndpoints } from './webhook-endpoints.ts';
import { webhookRoutes } from './webhooks.routes.ts';

export interface Webhooks {
  endpoints: WebhookEndpoints;
  routes(app: DemaApp): Promise<void>;
  /** Starts sending due deliveries. */
  start(): void;
  /** Stops sending; resolves once the attempts in flight are recorded. */
  close(): Promise<void>;
}

/**
 * Webhooks for integrations (issue 21), in the analytics database: subscribed to the bus when this
 * resolves (before any service relays its outbox), sending once started.
 */
export async function createWebhooks(db: Db, bus: EventBus, settings: WebhookSettings, log: Logger): Promise<Webhooks> {
  const dispatcher = new WebhookDispatcher(db, settings, log);
  const wake = () => dispatcher.wake();
  const endpoints = new WebhookEndpoints(db, settings, wake);
  await subscribeWebhooks(bus, db, settings.retryWindowMs, wake);
  return {
    endpoints,
    routes: (app) => webhookRoutes(app, endpoints),
    start: () => dispatcher.start(),
    close: () => dispatcher.close(),
  };
}
