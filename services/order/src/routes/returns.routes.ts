import Type from 'typebox';
import { CreateOrderReturn, IdempotencyKeyHeaders, IdParam, NoFields, type Principal } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Returns } from '../returns.ts';

const IdempotencyHeaders = IdempotencyKeyHeaders('Makes retries safe: the same key and body answer with the first return instead of making another');

// The permission hook has already turned anonymous callers away on every route here.
const user = (principal: Principal) => principal as Principal & { kind: 'user' };

/** Returns of an order's lines: refund and restock in one step (admins), and their list. */
export async function returnRoutes(app: DemaApp, returns: Returns): Promise<void> {
  app.post(
    '/api/orders/:id/returns',
    {
      bodyLimit: bodyLimits.medium,
      config: { permission: 'payments:manage' as const },
      schema: {
        tags: ['orders'],
        operationId: 'createOrderReturn',
        summary: 'Return units of an order',
        description:
          'Refunds what the returned units were paid (their share of the line after its discount, with its tax; never shipping) and puts them ' +
          'back in stock. Only a SHIPPED or DELIVERED order (else 409); at most what is left to return of each line (422 names ' +
          '`body.lines.N.quantity`). A refused refund changes nothing. Once every unit is back the order is RETURNED.',
        security: requiresToken,
        headers: IdempotencyHeaders,
        params: IdParam,
        body: CreateOrderReturn,
        response: { 201: Type.Ref('OrderReturn'), ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { orderReturn, replayed } = await returns.createReturn(
        user(request.principal),
        request.params.id,
        request.body,
        request.headers['idempotency-key'],
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(orderReturn);
    },
  );

  app.get(
    '/api/orders/:id/returns',
    {
      config: { permission: 'orders:read' as const },
      schema: {
        tags: ['orders'],
        operationId: 'listOrderReturns',
        summary: "List an order's returns",
        description: "Oldest first; for the order's owner or an admin (another customer's order is a 404).",
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('OrderReturnList'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => returns.listReturns(user(request.principal), request.params.id),
  );
}
