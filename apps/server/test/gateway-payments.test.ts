import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Payment } from '@dema/contracts';
import { startTestProcess, testTargets, type ServicesOf, type TestProcess } from '@dema/platform/testing';
import { createPaymentService } from '@dema/payment';
import { FakeStripe } from '@dema/payment/testing';
import { createUserService } from '@dema/user';
import type { RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';

/**
 * The Payment service behind the cluster's gateway: an order's payment and refunds reach it though
 * the Order service owns /api/orders, and a Stripe webhook crosses the proxy byte for byte (its
 * signature covers the raw body), while /internal/payments is never forwarded.
 */
const services = { user: createUserService, payment: createPaymentService };
const serviceToken = 'gateway-payments-service-token';

for (const target of testTargets()) {
  describe(`payments through the gateway (${target.name})`, () => {
    let stripe: FakeStripe;
    let backend: TestProcess<ServicesOf<typeof services>>;
    let gateway: RunningGateway;
    let adminToken: string;
    let customerId: string;

    before(async () => {
      stripe = await FakeStripe.start();
      const api = new URL(stripe.url);
      backend = await startTestProcess(target, services, {
        serviceToken,
        stripe: { secretKey: 'sk_test_gateway', webhookSecret: stripe.webhookSecret, api: { host: api.hostname, port: Number(api.port), protocol: 'http' } },
      });
      gateway = await startTestGateway({}, { upstreams: { user: [backend.url], payment: [backend.url] } });
      stripe.webhookUrl = `${gateway.url}/api/payments/stripe/webhook`;
      const identity = backend.services.user.identity;
      await identity.createUser('admin@gateway-payments.dema.dev', 'correct-horse-battery-staple', 'Admin', 'admin');
      adminToken = (await identity.login('admin@gateway-payments.dema.dev', 'correct-horse-battery-staple', '127.0.0.1')).tokens.accessToken;
      customerId = (await identity.createUser('shopper@gateway-payments.dema.dev', 'correct-horse-battery-staple', 'Shopper', 'customer')).id;
    });
    after(async () => {
      await gateway?.close();
      await backend?.dispose();
      await stripe?.close();
    });

    test('a signed Stripe webhook through the gateway authorizes the payment, which the admin then reads and refunds through it', async () => {
      const orderId = randomUUID();
      const opened = await fetch(`${backend.url}/internal/payments/${orderId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-dema-service-token': serviceToken },
        body: JSON.stringify({ userId: customerId, amount: 30, currency: 'USD', provider: 'stripe' }),
      });
      const payment = (await opened.json()) as Payment;
      assert.equal(opened.status, 200);
      assert.equal(await stripe.confirm(payment.providerRef!), 200);
      const [event] = stripe.eventsOf('payment_intent.amount_capturable_updated', payment.providerRef!);
      const delivered = await stripe.deliver(event!);
      assert.equal(delivered.status, 200, JSON.stringify(delivered.body));
      assert.equal((await stripe.deliver(event!, { secret: 'whsec_forged' })).status, 400);

      const asAdmin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const read = await fetch(`${gateway.url}/api/orders/${orderId}/payment`, { headers: asAdmin });
      assert.equal(read.status, 200);
      assert.equal(((await read.json()) as Payment).status, 'authorized');
      const refund = await fetch(`${gateway.url}/api/orders/${orderId}/refunds`, {
        method: 'POST',
        headers: asAdmin,
        body: JSON.stringify({ reason: 'not captured yet' }),
      });
      assert.equal(refund.status, 409, 'reached the Payment service, which refuses to refund money not yet taken');
      await refund.arrayBuffer();
    });

    test('the internal payment routes are not forwarded', async () => {
      const response = await fetch(`${gateway.url}/internal/payments/${randomUUID()}/cancel`, {
        method: 'POST',
        headers: { 'x-dema-service-token': serviceToken },
      });
      assert.equal(response.status, 404);
      await response.arrayBuffer();
    });
  });
}
