import { fileURLToPath } from 'node:url';
import { Payment, PaymentStatus, Refund, type OrderPayments, type PaymentProvider } from '@dema/contracts';
import { type OutboxRelay, platformMigrations, runMigrations, type Infrastructure, type ServiceModule } from '@dema/platform';
import { consumeOrderCancellations } from './events/order-cancellations.ts';
import { InProcessOrderPayments } from './order-payments.ts';
import { Payments } from './payments.ts';
import { manualProvider } from './providers/manual.ts';
import type { PaymentProviderAdapter } from './providers/provider.ts';
import { stripeProvider } from './providers/stripe.ts';
import { internalPaymentRoutes } from './routes/internal-payments.routes.ts';
import { paymentRoutes } from './routes/payments.routes.ts';
import { stripeWebhookRoutes } from './routes/stripe-webhook.routes.ts';

// What tests and the composing process reach in: the use cases and the provider port.
export { Payments } from './payments.ts';
export { InProcessOrderPayments } from './order-payments.ts';
export type { PaymentProviderAdapter, ProviderPayment, ProviderStatus } from './providers/provider.ts';

const migrations = { scope: 'payment', dir: fileURLToPath(new URL('./db/migrations/', import.meta.url)) };
/** How often refunds left pending by a crash are looked for. */
const sweepIntervalMs = 30_000;

/** `orderPayments`: the Order service's port to this service in the all-in-one process (no network hop). */
export type PaymentService = ServiceModule & { payments: Payments; orderPayments: OrderPayments; relay: OutboxRelay };

/**
 * The Payment service (issue 20): each order's payment and refunds in its own database, taken by
 * a provider (manual always; Stripe when STRIPE_SECRET_KEY is set), moved by the Order service over
 * `/internal/payments`, by admins, by Stripe's webhooks and by ORDER_STATUS_CHANGED (a cancelled
 * order's payment is cancelled); PAYMENT_AUTHORIZED, PAYMENT_CAPTURED,
 * PAYMENT_REFUNDED and PAYMENT_FAILED through its outbox.
 */
export async function createPaymentService(infra: Infrastructure): Promise<PaymentService> {
  const db = await infra.database('payment');
  await runMigrations(db, [platformMigrations, migrations]);
  const log = infra.log.child({ service: 'payment' });
  const relay = infra.outboxRelay(db, log);
  const stripe = infra.config.stripe;
  const providers: Partial<Record<PaymentProvider, PaymentProviderAdapter>> = { manual: manualProvider, ...(stripe ? { stripe: stripeProvider(stripe) } : {}) };
  const payments = new Payments(db, providers, relay, log);
  let sweeper: NodeJS.Timeout | undefined;
  return {
    name: 'payment',
    payments,
    orderPayments: new InProcessOrderPayments(payments),
    relay,
    schemas: [PaymentStatus, Refund, Payment],
    async routes(app) {
      await paymentRoutes(app, payments);
      await internalPaymentRoutes(app, payments);
      // A scope of its own: only this route reads its body raw, for the signature.
      await app.register(async (scope) => stripeWebhookRoutes(scope, payments, stripe?.webhookSecret));
    },
    start() {
      relay.start();
      sweeper = setInterval(() => {
        payments.finishPendingRefunds().catch((err: unknown) => log.error({ err }, 'finishing pending refunds failed'));
      }, sweepIntervalMs);
      sweeper.unref();
      consumeOrderCancellations(infra.bus, payments, log).catch((err: unknown) => log.error({ err }, 'payment: cannot consume order status changes'));
    },
    async close() {
      clearInterval(sweeper);
      await relay.stop();
    },
  };
}
