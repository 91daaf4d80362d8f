/**
 * Dema's GraphQL API (issue 18): the seed's `Product` and `Order` types and REST's operations, every
 * resolver a call of the REST API (`ApiTransport`), so that no rule is written twice.
 */
export {
  createGraphqlModule,
  registerGraphql,
  limitRules,
  formatErrors,
  graphqlLimits,
  type GraphqlModuleOptions,
  type RegisterOptions,
} from './module.ts';
export { createSchema, printSdl, type SchemaOptions } from './schema/index.ts';
export { registerAnonymousResponseCache, anonymousResponseCache } from './response-cache.ts';
export { injectTransport } from './transport.ts';
export type { ApiTransport, ApiRequest, ApiResponse } from '@dema/platform';
export { Rest, createLoaders, type GraphqlContext, type Loaders, type Caller } from './context.ts';
export { problemError, problemExtensions, graphqlError, argumentError, graphqlField, graphqlErrorCodes, type FieldMapping } from './errors.ts';
export { Order, OrderStatus, OrderItem } from './schema/orders.ts';
export { Product, Category } from './schema/catalog.ts';
export { User } from './schema/identity.ts';
export { DateTime } from './schema/scalars.ts';
export { Subscription, OrderStatusChange, type SubscriptionServices, type SubscriptionContext } from './schema/subscriptions.ts';
export { OrderStatusFeed, type OrderStatusChange as OrderStatusChangeEvent } from './order-status-feed.ts';

/** The checked-in SDL (`npm run graphql:schema` writes it). */
export const schemaFile = new URL('../schema.graphql', import.meta.url);
