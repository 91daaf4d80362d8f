import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canReachPayment, paymentStatusesBefore, paymentStatuses } from './payments.ts';

test('an order takes a payment status that lies ahead, even skipping the ones between (events out of order)', () => {
  assert.ok(canReachPayment('unpaid', 'refunded'), 'a refund reported before its capture');
  assert.ok(canReachPayment('failed', 'paid'), 'another card, after a decline');
  assert.ok(canReachPayment('authorized', 'partially_refunded'));
  assert.ok(canReachPayment('partially_refunded', 'partially_refunded'), 'another partial refund');
});

test('never a status behind: a late authorization, decline or partial refund changes nothing', () => {
  assert.ok(!canReachPayment('paid', 'authorized'));
  assert.ok(!canReachPayment('authorized', 'failed'));
  assert.ok(!canReachPayment('refunded', 'partially_refunded'));
  assert.ok(!canReachPayment('voided', 'paid'));
  for (const status of paymentStatuses) {
    if (status !== 'partially_refunded') assert.ok(!canReachPayment(status, status), `${status} again is no move`);
  }
});

test('the statuses an order may come from, for each it is told', () => {
  assert.deepEqual(paymentStatusesBefore('authorized'), ['unpaid', 'failed']);
  assert.deepEqual(paymentStatusesBefore('paid'), ['unpaid', 'authorized', 'failed']);
  assert.deepEqual(paymentStatusesBefore('refunded'), ['unpaid', 'authorized', 'paid', 'partially_refunded', 'failed']);
  assert.deepEqual(paymentStatusesBefore('failed'), ['unpaid']);
  assert.deepEqual(paymentStatusesBefore('voided'), ['unpaid', 'authorized', 'failed']);
});
