import type { IncomingMessage } from 'node:http';
import { ErrorCode, StripeWebhookEvent, WebhookReceipt } from '@dema/contracts';
import { badRequest, bodyLimits, problemResponses, type DemaApp } from '@dema/platform';
import Stripe from 'stripe';
import type { Payments, ProviderEvent } from '../payments.ts';

/**
 * Stripe's webhooks. The signature covers the raw bytes Stripe sent, so this route keeps them (a
 * re-serialized body would not verify): its own JSON parser stores the text beside the parsed body.
 * A bad or missing signature is a 400 before anything is read from the event.
 */
export async function stripeWebhookRoutes(app: DemaApp, payments: Payments, webhookSecret: string | undefined): Promise<void> {
  const rawBodies = new WeakMap<IncomingMessage, string>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    rawBodies.set(request.raw, body as string);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(badRequest(ErrorCode.MALFORMED_BODY, 'The body is not valid JSON'), undefined);
    }
  });

  app.post(
    '/api/payments/stripe/webhook',
    {
      bodyLimit: bodyLimits.medium,
      schema: {
        tags: ['payments'],
        operationId: 'receiveStripeWebhook',
        summary: 'Receive a Stripe webhook',
        description:
          'For Stripe only: signed with the endpoint secret (`Stripe-Signature`); a bad signature is a 400 and changes nothing. ' +
          'Each event is applied once (a second delivery answers `processed: false`) and in any order.',
        headers: { type: 'object', properties: { 'stripe-signature': { type: 'string', maxLength: 2048 } } },
        body: StripeWebhookEvent,
        response: { 200: WebhookReceipt, ...problemResponses(400, 413, 415) },
      },
    },
    async (request) => {
      const signature = request.headers['stripe-signature'];
      const raw = rawBodies.get(request.raw);
      if (!webhookSecret) throw badSignature('webhooks cannot be verified: STRIPE_WEBHOOK_SECRET is not set on this server');
      if (typeof signature !== 'string' || raw === undefined) throw badSignature('is missing');
      let event: ProviderEvent;
      try {
        event = Stripe.webhooks.constructEvent(raw, signature, webhookSecret) as unknown as ProviderEvent;
      } catch (error) {
        throw badSignature(error instanceof Error ? error.message : 'does not verify');
      }
      return { received: true as const, processed: await payments.handleStripeEvent(event) };
    },
  );
}

const badSignature = (reason: string) =>
  badRequest(ErrorCode.WEBHOOK_SIGNATURE_INVALID, `Stripe-Signature refused: ${reason}`, [{ name: 'header.stripe-signature', reason }]);
