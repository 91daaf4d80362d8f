import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceFor } from './routes-table.ts';

test('a prefix matches whole segments only', () => {
  assert.equal(serviceFor('/api/users'), 'user');
  assert.equal(serviceFor('/api/users/me'), 'user');
  assert.equal(serviceFor('/api/usersearch'), undefined);
  assert.equal(serviceFor('/.well-known/jwks.json'), 'user');
  assert.equal(serviceFor('/internal/stock-reservations/1'), undefined);
});

test("an order's payment and refunds go to the Payment service, the order itself and everything else under it to the Order service", () => {
  const id = '0b0c6d3e-9d3f-4c1e-8f43-3a1f5e7d2c10';
  assert.equal(serviceFor(`/api/orders/${id}/payment`), 'payment');
  assert.equal(serviceFor(`/api/orders/${id}/payment/mark-paid`), 'payment');
  assert.equal(serviceFor(`/api/orders/${id}/refunds`), 'payment');
  assert.equal(serviceFor('/api/orders/{orderId}/payment'), 'payment', 'as the OpenAPI document writes it');
  assert.equal(serviceFor('/api/payments/stripe/webhook'), 'payment');
  assert.equal(serviceFor('/api/orders'), 'order');
  assert.equal(serviceFor(`/api/orders/${id}`), 'order');
  assert.equal(serviceFor(`/api/orders/${id}/status`), 'order');
  assert.equal(serviceFor(`/api/orders/${id}/payments`), 'order', 'a whole segment, not a prefix of one');
  assert.equal(serviceFor('/api/orders/payment'), 'order', 'the wildcard needs a segment of its own');
  assert.equal(serviceFor(`/api/orders/user/${id}`), 'order');
});

test('webhook endpoints and their delivery log go to the Analytics service, which delivers them', () => {
  const id = '0b0c6d3e-9d3f-4c1e-8f43-3a1f5e7d2c10';
  assert.equal(serviceFor('/api/webhooks'), 'analytics');
  assert.equal(serviceFor(`/api/webhooks/${id}`), 'analytics');
  assert.equal(serviceFor(`/api/webhooks/${id}/deliveries/${id}/redeliver`), 'analytics');
  assert.equal(serviceFor('/api/webhooksearch'), undefined);
});
