import Type from 'typebox';
import { CreateOrder, IdempotencyKeyHeaders, IdParam, NoFields, OrderListQuery, UpdateOrderStatus, type Principal } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Orders } from '../orders.ts';

const read = { permission: 'orders:read' as const };
const write = { permission: 'orders:write' as const };

const IdempotencyHeaders = IdempotencyKeyHeaders('Makes retries safe: the same key and body return the first order instead of placing another (kept 24 h)');
const UserIdParam = Type.Object({ userId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

// The permission hook has already turned anonymous callers away on every route here.
const user = (principal: Principal) => principal as Principal & { kind: 'user' };

/** The seed's Order Service routes, plus the list of all orders for admins. */
export async function orderRoutes(app: DemaApp, orders: Orders): Promise<void> {
  app.post(
    '/api/orders',
    {
      bodyLimit: bodyLimits.medium,
      config: write,
      schema: {
        tags: ['orders'],
        operationId: 'placeOrder',
        summary: 'Place an order',
        description:
          "From explicit `items` or the caller's cart (`fromCart: true`, which empties it). Prices come from the catalog at order time; " +
          'all items are reserved or none (409 names the product that is short). Send `Idempotency-Key` to make retries safe.',
        security: requiresToken,
        headers: IdempotencyHeaders,
        body: CreateOrder,
        response: { 201: Type.Ref('Order'), ...problemResponses(400, 401, 403, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { order, replayed } = await orders.placeOrder(user(request.principal), request.body, request.headers['idempotency-key']);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).header('location', `/api/orders/${order.id}`).send(order);
    },
  );

  app.get(
    '/api/orders',
    {
      config: read,
      schema: {
        tags: ['orders'],
        operationId: 'listOrders',
        summary: 'List orders',
        description: "Every order for an admin; the caller's own for a customer. Newest first.",
        security: requiresToken,
        querystring: OrderListQuery,
        response: { 200: Type.Ref('OrderPage'), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => orders.listOrders(user(request.principal), request.query),
  );

  app.get(
    '/api/orders/export',
    {
      config: read,
      schema: {
        tags: ['orders'],
        operationId: 'exportOrders',
        summary: 'Export orders as CSV',
        description: "Every order for an admin, the caller's own for a customer, filtered as the list is; one row per order line, streamed.",
        security: requiresToken,
        // Omit drops additionalProperties: a misspelt filter must be a 400, not every order.
        querystring: Type.Omit(OrderListQuery, ['limit', 'offset'], { additionalProperties: false }),
        response: {
          200: { description: 'CSV, a header row then one row per order line', content: { 'text/csv': { schema: Type.String() } } },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="orders.csv"')
        .send(orders.exportOrdersCsv(user(request.principal), request.query)),
  );

  app.get(
    '/api/orders/:id',
    {
      config: read,
      schema: {
        tags: ['orders'],
        operationId: 'getOrder',
        summary: 'Get an order',
        description: "A customer sees only their own orders: another user's order is a 404.",
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('Order'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => orders.getOrder(user(request.principal), request.params.id),
  );

  app.put(
    '/api/orders/:id/status',
    {
      bodyLimit: bodyLimits.small,
      config: write,
      schema: {
        tags: ['orders'],
        operationId: 'changeOrderStatus',
        summary: "Change an order's status",
        description:
          'PENDING → CONFIRMED → SHIPPED → DELIVERED, CANCELLED before shipping, RETURNED after. Admins make every move; a customer may ' +
          'cancel their own order until it ships. An illegal move is a 409. Shipping captures an authorized card payment first; a card ' +
          'payment neither authorized nor paid is a 409 PAYMENT_INVALID_STATE (a manual one may ship unpaid), the Payment service ' +
          'unreachable a 503. Cancelling voids or refunds the payment; cancelling or returning puts the stock back.',
        security: requiresToken,
        params: IdParam,
        body: UpdateOrderStatus,
        response: { 200: Type.Ref('Order'), ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => orders.changeStatus(user(request.principal), request.params.id, request.body.status),
  );

  app.get(
    '/api/orders/user/:userId',
    {
      config: read,
      schema: {
        tags: ['orders'],
        operationId: 'listUserOrders',
        summary: "List a user's orders",
        description: "A customer may list only their own (403 otherwise); admins anyone's.",
        security: requiresToken,
        params: UserIdParam,
        querystring: OrderListQuery,
        response: { 200: Type.Ref('OrderPage'), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => orders.listUserOrders(user(request.principal), request.params.userId, request.query),
  );
}
