import Type from 'typebox';
import { CreateRefund, IdempotencyKeyHeaders, NoFields, OrderIdParam, type Principal } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Payments } from '../payments.ts';

const read = { permission: 'orders:read' as const };
const manage = { permission: 'payments:manage' as const };

const IdempotencyHeaders = IdempotencyKeyHeaders('Makes retries safe: the same key and body return the first refund instead of making another');

// The permission hook has already turned anonymous callers away on every route here.
const user = (principal: Principal) => principal as Principal & { kind: 'user' };

/** An order's payment as its owner and admins see it; marking paid and refunds for admins. */
export async function paymentRoutes(app: DemaApp, payments: Payments): Promise<void> {
  app.get(
    '/api/orders/:orderId/payment',
    {
      config: read,
      schema: {
        tags: ['payments'],
        operationId: 'getOrderPayment',
        summary: "Get an order's payment",
        description:
          "The payment with its refunds, oldest first. A customer sees only their own orders' payments: another's is a 404. " +
          'While a card is still to be authorized, its owner also gets the `clientSecret` the card form confirms it with.',
        security: requiresToken,
        params: OrderIdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('Payment'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => payments.getPayment(user(request.principal), request.params.orderId),
  );

  app.post(
    '/api/orders/:orderId/payment/mark-paid',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['payments'],
        operationId: 'markOrderPaid',
        summary: "Mark an order's manual payment paid",
        description:
          'For a bank transfer or cash on delivery whose money arrived: unpaid → paid. A card payment, or one not unpaid, is a 409. ' +
          'Takes no body, or an empty object: any field is a 400 naming it.',
        security: requiresToken,
        params: OrderIdParam,
        body: Type.Optional(NoFields),
        response: { 200: Type.Ref('Payment'), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => payments.markPaid(request.params.orderId),
  );

  app.post(
    '/api/orders/:orderId/refunds',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['payments'],
        operationId: 'refundOrder',
        summary: 'Refund an order',
        description:
          'Gives `amount` back (all that is left when absent), recorded with the admin and the `reason`; `lines` say which returned lines it is for ' +
          '(with an amount). Never more than was paid minus what was refunded: a 422 naming body.amount. Each line must be a line of the order ' +
          '(its product and variant), for at most the units ordered less those earlier refunds and returns named: a 422 naming ' +
          '`body.lines.N.productId` or `body.lines.N.quantity`. A payment not yet taken is a 409. ' +
          'Send `Idempotency-Key` to make retries safe: a repeat answers with the first refund.',
        security: requiresToken,
        params: OrderIdParam,
        headers: IdempotencyHeaders,
        body: CreateRefund,
        response: { 201: Type.Ref('Refund'), ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { refund, replayed } = await payments.refund(user(request.principal), request.params.orderId, request.body, request.headers['idempotency-key']);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).header('location', `/api/orders/${request.params.orderId}/payment`).send(refund);
    },
  );
}
