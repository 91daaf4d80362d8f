import { createMonitoring, type ServiceFactory } from '@dema/platform';
import { createAnalyticsService } from '@dema/analytics';
import { createOrderService } from '@dema/order';
import { createProductService, type Catalog } from '@dema/product';
import { createUserService } from '@dema/user';

/**
 * Every service, composed for one process: the Order service reserves stock through the Product
 * service's catalog directly (no network hop), which is why the product factory runs first; the
 * Analytics service consumes the others' events from the in-process bus (or RabbitMQ).
 */
export function allInOneServices(): ServiceFactory[] {
  let catalog: Catalog | undefined;
  return [
    createUserService,
    async (infra) => {
      const product = await createProductService(infra);
      catalog = product.catalog;
      return product;
    },
    (infra) => createOrderService(infra, { stock: catalog }),
    createAnalyticsService,
    // The dashboard's SystemMetrics / ApplicationMetrics and the alert rules, at the edge.
    (infra) => createMonitoring(infra),
  ];
}
