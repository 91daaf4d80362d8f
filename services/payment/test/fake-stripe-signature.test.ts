import { test } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { stripeSignature } from '../test-support/fake-stripe.ts';

// The fake's webhooks are only worth testing against if they are signed exactly as Stripe signs:
// checked here against the official SDK, both ways.
const secret = 'whsec_test_secret_for_the_cross_check';
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } }, null, 2);

test("the fake's Stripe-Signature is the header the SDK's generateTestHeaderString makes", () => {
  const timestamp = 1_700_000_000;
  assert.equal(stripeSignature(payload, secret, timestamp), Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }));
});

test("stripe.webhooks.constructEvent accepts the fake's signature and refuses it for another secret or body", () => {
  const header = stripeSignature(payload, secret);
  assert.equal(Stripe.webhooks.constructEvent(payload, header, secret).id, 'evt_1');
  assert.throws(() => Stripe.webhooks.constructEvent(payload, header, 'whsec_another'), Stripe.errors.StripeSignatureVerificationError);
  assert.throws(() => Stripe.webhooks.constructEvent(payload.replace('pi_1', 'pi_2'), header, secret), Stripe.errors.StripeSignatureVerificationError);
});
