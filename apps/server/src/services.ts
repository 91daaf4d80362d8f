import type { OrderPayments, StockReservations } from '@dema/contracts';
import { createGraphqlModule } from '@dema/graphql';
import { createMonitoring } from '@dema/monitoring';
import type { Infrastructure, ServiceFactories } from '@dema/platform';
import { upstreamTransport, type GatewayModuleFactory } from '@dema/gateway';
import { createAnalyticsService } from '@dema/analytics';
import { createOrderService } from '@dema/order';
import { createPaymentService } from '@dema/payment';
import { createProductService } from '@dema/product';
import { createUserService } from '@dema/user';

/**
 * Every service, composed for one process: the Order service reserves stock through the Product
 * service's catalog and opens payments through the Payment service directly (no network hop); the
 * Analytics service consumes the others' events from the in-process bus (or RabbitMQ).
 */
export function allInOneServices() {
  return {
    user: createUserService,
    ...productAndOrderServices(),
    analytics: createAnalyticsService,
    // The dashboard's SystemMetrics / ApplicationMetrics and the alert rules, at the edge.
    monitoring: (infra: Infrastructure) => createMonitoring(infra),
    // GraphQL at /graphql: its resolvers call the REST routes above in-process (app.inject), so the
    // edge policies count and check each of them as they would a client's request.
    graphql: (infra: Infrastructure) => createGraphqlModule(infra),
  } satisfies ServiceFactories;
}

/**
 * The Product, Payment and Order services composed for one process, order last: the Order service
 * reserves stock through the Product service's catalog and opens, captures and cancels payments
 * through the Payment service's use cases themselves, no network hop.
 */
export function productAndOrderServices() {
  let catalog: StockReservations | undefined;
  let payments: OrderPayments | undefined;
  return {
    product: async (infra: Infrastructure) => {
      const product = await createProductService(infra);
      catalog = product.catalog;
      return product;
    },
    payment: async (infra: Infrastructure) => {
      const payment = await createPaymentService(infra);
      payments = payment.orderPayments;
      return payment;
    },
    order: (infra: Infrastructure) => createOrderService(infra, { stock: catalog, payments }),
  } satisfies ServiceFactories;
}

/**
 * What the cluster's gateway runs besides the proxy and monitoring: GraphQL at /graphql, whose
 * resolvers call the services' instances directly (`upstreamTransport`), each call counted against
 * the client's rate limits as the proxy would count it.
 */
export function gatewayModules(): GatewayModuleFactory[] {
  return [
    (infra, edge) =>
      createGraphqlModule(infra, {
        transport: upstreamTransport(edge.pools, { rateLimit: edge.policies.rateLimit, authenticate: edge.authenticate, timeoutMs: edge.timeoutMs }),
      }),
  ];
}
