import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Refund } from '@dema/contracts';
import { parseRefundAmount, refundableCents } from './payments.ts';

const refund = (amount: number, status: Refund['status']): Refund => ({
  id: '00000000-0000-4000-8000-000000000001',
  paymentId: '00000000-0000-4000-8000-000000000002',
  amount,
  reason: 'r',
  lines: null,
  createdBy: null,
  status,
  providerRef: null,
  createdAt: '2026-12-06T00:00:00.000Z',
});

test('what is left to refund is what was taken less what went back and what is going back, in exact cents', () => {
  assert.equal(refundableCents({ amountCaptured: 493.82, amountRefunded: 0, refunds: [] }), 49382n);
  // 0.1 + 0.2 in floating point is not 0.3: cents keep it exact.
  assert.equal(refundableCents({ amountCaptured: 0.3, amountRefunded: 0.1, refunds: [refund(0.1, 'succeeded'), refund(0.2, 'pending')] }), 0n);
  assert.equal(refundableCents({ amountCaptured: 10, amountRefunded: 2.5, refunds: [refund(2.5, 'succeeded'), refund(1.25, 'pending')] }), 625n);
  assert.equal(refundableCents({ amountCaptured: 0, amountRefunded: 0, refunds: [] }), 0n, 'nothing taken, nothing to refund');
});

test('a refund amount is a positive number of at most two decimals', () => {
  assert.equal(parseRefundAmount(' 12.5 '), 12.5);
  assert.equal(parseRefundAmount('5.00'), 5);
  for (const bad of ['', '0', '0.00', '-1', '1.234', '1,50', 'ten', '1e3']) assert.equal(parseRefundAmount(bad), null, bad);
});
