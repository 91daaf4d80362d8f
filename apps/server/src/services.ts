import type { StockReservations } from '@dema/contracts';
import { createMonitoring } from '@dema/monitoring';
import type { Infrastructure, ServiceFactories } from '@dema/platform';
import { createAnalyticsService } from '@dema/analytics';
import { createOrderService } from '@dema/order';
import { createProductService } from '@dema/product';
import { createUserService } from '@dema/user';

/**
 * Every service, composed for one process: the Order service reserves stock through the Product
 * service's catalog directly (no network hop); the Analytics service consumes the others' events
 * from the in-process bus (or RabbitMQ).
 */
export function allInOneServices() {
  return {
    user: createUserService,
    ...productAndOrderServices(),
    analytics: createAnalyticsService,
    // The dashboard's SystemMetrics / ApplicationMetrics and the alert rules, at the edge.
    monitoring: (infra: Infrastructure) => createMonitoring(infra),
  } satisfies ServiceFactories;
}

/**
 * The Product and Order services composed for one process, product first: the Order service
 * reserves stock through the Product service's catalog itself, no network hop.
 */
export function productAndOrderServices() {
  let catalog: StockReservations | undefined;
  return {
    product: async (infra: Infrastructure) => {
      const product = await createProductService(infra);
      catalog = product.catalog;
      return product;
    },
    order: (infra: Infrastructure) => createOrderService(infra, { stock: catalog }),
  } satisfies ServiceFactories;
}
