import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paymentStatuses, paymentTransitions, type PaymentStatus } from '@dema/contracts';
import { decideMove, refundableCents, statusAfterRefund, stripeEventMoves } from './payment-status.ts';

// Written out by hand, not computed from the table: a change to the lifecycle must be made here too.
const allowed: Array<[PaymentStatus, PaymentStatus]> = [
  ['unpaid', 'authorized'],
  ['unpaid', 'paid'],
  ['unpaid', 'failed'],
  ['unpaid', 'voided'],
  ['failed', 'authorized'],
  ['failed', 'paid'],
  ['failed', 'voided'],
  ['authorized', 'paid'],
  ['authorized', 'voided'],
  ['paid', 'partially_refunded'],
  ['paid', 'refunded'],
  ['partially_refunded', 'partially_refunded'],
  ['partially_refunded', 'refunded'],
];

test('the transition table allows exactly the listed moves', () => {
  for (const from of paymentStatuses) {
    for (const to of paymentStatuses) {
      const expected = allowed.some(([a, b]) => a === from && b === to) ? 'move' : 'ignore';
      assert.equal(decideMove(from, to), expected, `${from} → ${to}`);
    }
  }
  assert.deepEqual(Object.keys(paymentTransitions).sort(), [...paymentStatuses].sort());
});

test('refunded and voided are final', () => {
  for (const to of paymentStatuses) {
    assert.equal(decideMove('refunded', to), 'ignore');
    assert.equal(decideMove('voided', to), 'ignore');
  }
});

test('late webhooks never move a payment backwards', () => {
  // Stripe says authorized (amount_capturable_updated) after the payment was captured or refunded.
  for (const later of ['paid', 'partially_refunded', 'refunded'] as const) assert.equal(decideMove(later, 'authorized'), 'ignore');
  // A decline reported after the card was authorized with another card, or after capture.
  for (const later of ['authorized', 'paid', 'refunded'] as const) assert.equal(decideMove(later, 'failed'), 'ignore');
  // succeeded reported again after a refund.
  assert.equal(decideMove('partially_refunded', 'paid'), 'ignore');
});

test('a refund of everything captured makes the payment refunded, of less partially refunded', () => {
  assert.equal(statusAfterRefund(5000n, 5000n), 'refunded');
  assert.equal(statusAfterRefund(5000n, 1000n), 'partially_refunded');
  assert.equal(statusAfterRefund(5000n, 4999n), 'partially_refunded');
  assert.throws(() => statusAfterRefund(5000n, 5001n), RangeError);
  assert.throws(() => statusAfterRefund(5000n, 0n), RangeError);
});

test('what is left to refund counts refunds still being made', () => {
  assert.equal(refundableCents(5000n, 1000n, 2000n), 2000n);
  assert.equal(refundableCents(5000n, 5000n, 0n), 0n);
});

test('each Stripe event that moves a payment moves it where Stripe says the PaymentIntent is', () => {
  assert.deepEqual(stripeEventMoves, {
    'payment_intent.amount_capturable_updated': 'authorized',
    'payment_intent.succeeded': 'paid',
    'payment_intent.payment_failed': 'failed',
    'payment_intent.canceled': 'voided',
  });
});
