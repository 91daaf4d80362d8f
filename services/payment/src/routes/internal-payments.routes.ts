import Type from 'typebox';
import { CapturePayment, CreatePayment, CreateRefundFor, IdempotencyKeyHeaders, NoFields, OrderIdParam } from '@dema/contracts';
import { bodyLimits, problemResponses, type DemaApp } from '@dema/platform';
import type { Payments } from '../payments.ts';

const internal = { internal: true };
const IdempotencyHeaders = IdempotencyKeyHeaders('The same key and body answer with the first refund instead of making another');

/**
 * The Order service's steps over HTTP: open an order's payment (PUT, so a retry is the same
 * payment), capture it, cancel it, refund it for an admin it names. Service token only; the
 * gateway never forwards `/internal/*`.
 */
export async function internalPaymentRoutes(app: DemaApp, payments: Payments): Promise<void> {
  app.put(
    '/internal/payments/:orderId',
    {
      bodyLimit: bodyLimits.small,
      config: internal,
      schema: { hide: true, params: OrderIdParam, body: CreatePayment, response: { 200: Type.Ref('Payment'), ...problemResponses(409, 422, 503) } },
    },
    async (request) => {
      const { payment, clientSecret } = await payments.openPayment(request.params.orderId, request.body);
      // The Order service hands it to the shopper's card form.
      return clientSecret ? { ...payment, clientSecret } : payment;
    },
  );

  app.post(
    '/internal/payments/:orderId/capture',
    {
      bodyLimit: bodyLimits.small,
      config: internal,
      schema: {
        hide: true,
        params: OrderIdParam,
        body: Type.Optional(CapturePayment),
        response: { 200: Type.Ref('Payment'), ...problemResponses(404, 409, 422, 503) },
      },
    },
    async (request) => payments.capture(request.params.orderId, request.body?.amount),
  );

  app.post(
    '/internal/payments/:orderId/cancel',
    {
      bodyLimit: bodyLimits.small,
      config: internal,
      schema: {
        hide: true,
        params: OrderIdParam,
        body: Type.Optional(NoFields),
        response: { 200: Type.Ref('Payment'), ...problemResponses(400, 404, 409, 503) },
      },
    },
    async (request) => payments.cancel(request.params.orderId),
  );

  app.post(
    '/internal/payments/:orderId/refunds',
    {
      bodyLimit: bodyLimits.small,
      config: internal,
      schema: {
        hide: true,
        params: OrderIdParam,
        headers: IdempotencyHeaders,
        body: CreateRefundFor,
        response: { 201: Type.Ref('Refund'), ...problemResponses(404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { createdBy, ...body } = request.body;
      const { refund, replayed } = await payments.refundFor(createdBy, request.params.orderId, body, request.headers['idempotency-key']);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(refund);
    },
  );
}
