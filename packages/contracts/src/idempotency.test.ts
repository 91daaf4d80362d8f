import { test } from 'node:test';
import assert from 'node:assert/strict';
import { honoursIdempotencyKey } from './idempotency.ts';

test('placing an order and refunding one honour an Idempotency-Key; a path parameter stands for one segment', () => {
  assert.equal(honoursIdempotencyKey('POST', '/api/orders'), true);
  assert.equal(honoursIdempotencyKey('POST', '/api/orders/'), true);
  assert.equal(honoursIdempotencyKey('POST', '/api/orders/0b0c6d3e-9d3f-4c1e-8f43-3a1f5e7d2c10/refunds'), true);
  assert.equal(honoursIdempotencyKey('POST', '/api/orders/a/b/refunds'), false);
  assert.equal(honoursIdempotencyKey('POST', '/api/orders/a/refunds/b'), false);
  assert.equal(honoursIdempotencyKey('POST', '/api/orders/a/payment/mark-paid'), false);
  assert.equal(honoursIdempotencyKey('PUT', '/api/orders'), false);
});
