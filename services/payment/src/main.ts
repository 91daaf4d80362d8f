import { runProcess } from '@dema/platform';
import { createPaymentService } from './app.ts';

/** The Payment service alone (PORT, PAYMENT_DATABASE_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, DEMA_SERVICE_TOKEN, …). */
await runProcess('payment', [createPaymentService]);
