import { createMonitoring } from '@dema/monitoring';
import type { ServiceFactory } from '@dema/platform';
import { createAnalyticsService } from '@dema/analytics';
import { productAndOrderServices } from '@dema/order';
import { createProductService } from '@dema/product';
import { createUserService } from '@dema/user';

/**
 * Every service, composed for one process: the Order service reserves stock through the Product
 * service's catalog directly (no network hop); the Analytics service consumes the others' events
 * from the in-process bus (or RabbitMQ).
 */
export function allInOneServices(): ServiceFactory[] {
  return [
    createUserService,
    ...productAndOrderServices(createProductService),
    createAnalyticsService,
    // The dashboard's SystemMetrics / ApplicationMetrics and the alert rules, at the edge.
    (infra) => createMonitoring(infra),
  ];
}
