import { GraphQLID, GraphQLObjectType, type GraphQLFieldConfigMap } from 'graphql';
import type { Order as OrderDocument, Principal, User as UserDocument } from '@dema/contracts';
import type { ApiTransport } from '@dema/platform';
import { createLoaders, Rest, type Caller, type GraphqlContext } from '../context.ts';
import { graphqlError } from '../errors.ts';
import type { OrderStatusChange as Change, OrderStatusFeed } from '../order-status-feed.ts';
import { Order, OrderStatus } from './orders.ts';
import { DateTime } from './scalars.ts';
import { nonNull, segment } from './wrappers.ts';

/** What a process serving subscriptions puts in each WebSocket connection's context. */
export interface SubscriptionServices {
  feed: OrderStatusFeed;
  /** The same REST transport as queries: the permission check and `order` go through it. */
  transport: ApiTransport;
  /** Each REST call a subscription makes (the check, an event's `order`) gets this long. */
  timeoutMs: number;
}

/** The upgrade request as mercurius hands it over (its headers include the connection_init payload's). */
interface UpgradeRequest {
  id: string;
  ip: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** A subscription's context: mercurius's, ours, and `GraphqlContext` once the subscription is set up. */
export interface SubscriptionContext extends Partial<GraphqlContext> {
  request: UpgradeRequest;
  subscriptions?: SubscriptionServices;
}

export const OrderStatusChange = new GraphQLObjectType<Change, GraphqlContext>({
  name: 'OrderStatusChange',
  description: 'One status change of an order, as the Order service made it',
  fields: {
    orderId: { type: nonNull(GraphQLID) },
    status: { type: nonNull(OrderStatus), description: 'The status the order moved to' },
    previousStatus: { type: OrderStatus, description: 'The status it left' },
    changedAt: { type: nonNull(DateTime) },
    order: {
      type: Order,
      description: 'The order as it is now (one REST call, made only when asked for)',
      resolve: (change, _args, context) => context.rest.call<OrderDocument>('GET', `/api/orders/${segment(change.orderId, 'orderId')}`),
    },
  },
});

const orderIdField = { rename: { 'path.id': 'orderId' } };

export const subscriptionFields: GraphQLFieldConfigMap<Change, SubscriptionContext> = {
  orderStatusChanged: {
    type: nonNull(OrderStatusChange),
    description:
      'Each status change of the order from now on, over WebSocket (graphql-transport-ws). The caller must be allowed to read the ' +
      "order (a customer their own, an admin any; another's is ORDER_NOT_FOUND, none is UNAUTHENTICATED), checked when subscribing. " +
      'Live and best effort: changes made while the server was cut off from its message broker are not replayed',
    args: { orderId: { type: nonNull(GraphQLID) } },
    subscribe: async (_root, args: { orderId: string }, context) => {
      const services = context.subscriptions;
      if (!services) throw graphqlError('SUBSCRIPTIONS_UNAVAILABLE', 'Subscriptions are served over WebSocket at /graphql', 400);
      // Watch first, so that a change made while REST answers is not missed.
      const changes = services.feed.watch(args.orderId);
      try {
        const caller = await callerOf(context.request, services);
        const renew = () => {
          // Every event runs its own operation: a fresh time limit and fresh loaders (no stale order or product).
          const rest = new Rest(services.transport, caller, Date.now() + services.timeoutMs, () => undefined);
          Object.assign(context, { rest, principal: caller.principal, loaders: createLoaders(rest, caller.principal) });
        };
        renew();
        // The permission check is REST's own: GET /api/orders/:id as the caller.
        await context.rest!.call<OrderDocument>('GET', `/api/orders/${segment(args.orderId, 'orderId')}`, { fields: orderIdField });
        return renewing(changes, renew);
      } catch (error) {
        await changes.return?.();
        throw error;
      }
    },
    resolve: (change: Change) => change,
  },
};

/** The `Subscription` root type. */
export const Subscription = new GraphQLObjectType<Change, SubscriptionContext>({ name: 'Subscription', fields: subscriptionFields });

/**
 * Who subscribes: the upgrade request's bearer (the edge has verified it: `request.principal`), or
 * the one of the connection_init payload, which mercurius copied into the request's headers and
 * which REST verifies (`GET /api/users/me` tells whose it is).
 */
async function callerOf(request: UpgradeRequest, services: SubscriptionServices): Promise<Caller> {
  const headers: Record<string, string> = { 'x-request-id': request.id };
  // A connection_init payload may spell it either way; an upgrade request's header is lower case.
  const authorization = request.headers.authorization ?? request.headers.Authorization;
  if (typeof authorization === 'string') headers.authorization = authorization;
  const caller: Caller = { headers, clientIp: request.ip, principal: request.principal ?? { kind: 'anonymous' } };
  if (caller.principal.kind === 'user' || headers.authorization === undefined) return caller;
  const me = await new Rest(services.transport, caller, Date.now() + services.timeoutMs, () => undefined).call<UserDocument>('GET', '/api/users/me');
  // The session id is the edge's business (logout, revocation); nothing here reads it.
  return { ...caller, principal: { kind: 'user', userId: me.id, role: me.role, sessionId: '' } };
}

/** `changes`, calling `renew` before each one is executed. */
function renewing(changes: AsyncIterableIterator<Change>, renew: () => void): AsyncIterableIterator<Change> {
  return {
    async next() {
      const result = await changes.next();
      if (!result.done) renew();
      return result;
    },
    return: () => changes.return!(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
