import { ErrorCode, fromCents, toCents } from '@dema/contracts';
import { AppError, type StripeSettings } from '@dema/platform';
import Stripe from 'stripe';
import type { PaymentProviderAdapter, ProviderStatus } from './provider.ts';

/** A PaymentIntent's status as the Payment service sees it. */
export function statusOfIntent(intent: { status: string; last_payment_error?: unknown }): ProviderStatus {
  switch (intent.status) {
    case 'requires_capture':
      return 'authorized';
    case 'succeeded':
      return 'paid';
    case 'canceled':
      return 'voided';
    case 'requires_payment_method':
      // Back to asking for a card after one was declined.
      return intent.last_payment_error ? 'failed' : 'unpaid';
    default:
      return 'unpaid';
  }
}

/**
 * Stripe through its official SDK: a PaymentIntent with `capture_method: 'manual'` per order
 * (authorized when the shopper's card is confirmed in the browser, captured when the order ships or
 * at once), captured, cancelled and refunded from here. Every POST carries an idempotency key, so
 * the SDK's retries and ours never charge or refund twice. Amounts go to Stripe in minor units
 * (cents): only two-decimal currencies are supported.
 */
export function stripeProvider(settings: StripeSettings): PaymentProviderAdapter {
  const stripe = new Stripe(settings.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(settings.api ?? {}),
  });
  return {
    name: 'stripe',
    remote: true,
    async createPayment(orderId, amount, currency, idempotencyKey) {
      const intent = await call(() =>
        stripe.paymentIntents.create(
          {
            amount: Number(toCents(amount)),
            currency: currency.toLowerCase(),
            capture_method: 'manual',
            automatic_payment_methods: { enabled: true },
            metadata: { orderId },
          },
          { idempotencyKey },
        ),
      );
      return { providerRef: intent.id, clientSecret: intent.client_secret ?? undefined, status: statusOfIntent(intent) };
    },
    async capture(providerRef, amount, idempotencyKey) {
      const intent = await call(() =>
        stripe.paymentIntents.capture(providerRef, amount === undefined ? {} : { amount_to_capture: Number(toCents(amount)) }, { idempotencyKey }),
      );
      return { amountCaptured: fromCents(BigInt(intent.amount_received)) };
    },
    async cancel(providerRef, idempotencyKey) {
      await call(() => stripe.paymentIntents.cancel(providerRef, {}, { idempotencyKey }));
    },
    async refund(providerRef, amount, idempotencyKey) {
      const refund = await call(() => stripe.refunds.create({ payment_intent: providerRef, amount: Number(toCents(amount)) }, { idempotencyKey }));
      return { refundRef: refund.id };
    },
  };
}

/**
 * Stripe's refusals as problems: a card or request error (4xx) is a 409 the caller can act on; no
 * answer or a 5xx is a 503 (nothing was changed on our side; retrying with the same key is safe).
 */
async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    const status = error.statusCode !== undefined && error.statusCode < 500 ? 409 : 503;
    throw new AppError(status, ErrorCode.PAYMENT_PROVIDER_ERROR, `Stripe refused: ${error.message}`);
  }
}
