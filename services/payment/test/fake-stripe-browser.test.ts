import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import Stripe from 'stripe';
import { FakeStripe } from '../test-support/fake-stripe.ts';

// What the browser tests rely on: the fake's stand-in Stripe.js confirms a PaymentIntent from the
// page with its client secret, and the fake delivers the resulting webhook, signed, before answering.

async function withFake(run: (fake: FakeStripe, received: Array<{ type: string; signed: boolean }>) => Promise<void>): Promise<void> {
  const fake = await FakeStripe.start();
  const received: Array<{ type: string; signed: boolean }> = [];
  const hook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      let signed = true;
      try {
        Stripe.webhooks.constructEvent(body, String(request.headers['stripe-signature']), fake.webhookSecret);
      } catch {
        signed = false;
      }
      received.push({ type: (JSON.parse(body) as { type: string }).type, signed });
      response.end('{"received":true}');
    });
  });
  hook.listen(0, '127.0.0.1');
  await once(hook, 'listening');
  fake.webhookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  try {
    await run(fake, received);
  } finally {
    hook.close();
    await fake.close();
  }
}

async function createIntent(fake: FakeStripe): Promise<{ id: string; client_secret: string }> {
  const response = await fetch(`${fake.url}/v1/payment_intents`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_dema', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ amount: '1250', currency: 'usd', capture_method: 'manual' }),
  });
  return (await response.json()) as { id: string; client_secret: string };
}

/** Runs the served /v3/ script with a minimal browser around it; its `Stripe` and the card input it mounts. */
async function loadStandIn(fake: FakeStripe) {
  const response = await fetch(`${fake.url}/v3/`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /javascript/);
  const input = { value: '', setAttribute() {}, parentNode: null };
  const host = { appendChild() {} };
  const window: { Stripe?: (pk: string) => any } = {};
  runInNewContext(await response.text(), {
    window,
    fetch,
    URLSearchParams,
    document: { createElement: () => input, querySelector: () => host },
  });
  assert.equal(typeof window.Stripe, 'function');
  return { Stripe: window.Stripe!, input };
}

test('the stand-in Stripe.js authorizes the intent from the page and the signed webhook is delivered before it answers', async () => {
  await withFake(async (fake, received) => {
    const intent = await createIntent(fake);
    const { Stripe: stripeJs, input } = await loadStandIn(fake);
    const stripe = stripeJs('pk_test_dema');
    const card = stripe.elements().create('card');
    card.mount('#card');
    input.value = '4242 4242 4242 4242';
    const result = await stripe.confirmCardPayment(intent.client_secret, { payment_method: { card } });
    assert.equal(result.error, undefined);
    assert.equal(result.paymentIntent.status, 'requires_capture');
    assert.equal(fake.intents.get(intent.id)!.status, 'requires_capture');
    assert.deepEqual(received, [{ type: 'payment_intent.amount_capturable_updated', signed: true }]);
  });
});

test('a declined test card resolves to an error and delivers the failure; a wrong client secret confirms nothing', async () => {
  await withFake(async (fake, received) => {
    const intent = await createIntent(fake);
    const { Stripe: stripeJs, input } = await loadStandIn(fake);
    const stripe = stripeJs('pk_test_dema');
    const card = stripe.elements().create('card');
    input.value = '4000 0000 0000 0002';
    const forged = await stripe.confirmCardPayment(`${intent.id}_secret_wrong`, { payment_method: { card } });
    assert.equal(forged.error.code, 'resource_missing');
    assert.equal(fake.intents.get(intent.id)!.status, 'requires_payment_method');
    const declined = await stripe.confirmCardPayment(intent.client_secret, { payment_method: { card } });
    assert.equal(declined.error.code, 'card_declined');
    assert.deepEqual(received, [{ type: 'payment_intent.payment_failed', signed: true }]);
  });
});
