import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEnvelope } from '@dema/contracts';
import { checkEnvelope, factOf, InvalidEvent } from './analytics-events.ts';

const orderId = '00000000-0000-4000-8000-000000000001';
const userId = 'b3c1f0de-1111-4000-8000-000000000001';
const productA = 'a1a1a1a1-2222-4000-8000-000000000002';
const productB = 'a1a1a1a1-2222-4000-8000-000000000003';

function event(type: string, payload: unknown, version = 1): EventEnvelope {
  return { id: '5f0c6b9e-0d7a-4c8e-9a51-3c2b1a0f9e8d', type, version, payload };
}

function orderCreated(overrides: Record<string, unknown> = {}): EventEnvelope {
  return event('ORDER_CREATED', {
    orderId,
    userId,
    items: [
      { productId: productA, quantity: 2, price: 39.9 },
      { productId: productB, quantity: 3, price: 0.1 },
    ],
    total: 80.1,
    timestamp: '2024-05-01T12:00:00+02:00',
    ...overrides,
  });
}

test('ORDER_CREATED becomes a placed order with exact decimal money and a UTC time', () => {
  const fact = factOf(orderCreated());
  assert.equal(fact.kind, 'order-placed');
  assert.deepEqual(fact.kind === 'order-placed' && fact.order, {
    orderId,
    userId,
    placedAt: '2024-05-01T10:00:00.000Z',
    total: '80.10',
    units: 5,
    items: [
      { productId: productA, quantity: 2, unitPrice: '39.90', lineTotal: '79.80' },
      { productId: productB, quantity: 3, unitPrice: '0.10', lineTotal: '0.30' },
    ],
    // An event of an order placed before checkout: no breakdown, so all of the total is subtotal.
    subtotal: '80.10',
    discountTotal: '0.00',
    shippingTotal: '0.00',
    taxTotal: '0.00',
    pricesIncludeTax: false,
    currency: null,
  });
});

test("ORDER_CREATED's breakdown is read exactly when the event carries it", () => {
  const fact = factOf(
    orderCreated({ subtotal: 80.1, discountTotal: 8.01, shippingTotal: 4.99, taxTotal: 12.8, pricesIncludeTax: true, currency: 'EUR', total: 77.08 }),
  );
  assert.ok(fact.kind === 'order-placed');
  const { subtotal, discountTotal, shippingTotal, taxTotal, pricesIncludeTax, currency } = fact.order;
  assert.deepEqual(
    { subtotal, discountTotal, shippingTotal, taxTotal, pricesIncludeTax, currency },
    { subtotal: '80.10', discountTotal: '8.01', shippingTotal: '4.99', taxTotal: '12.80', pricesIncludeTax: true, currency: 'EUR' },
  );
  assert.throws(() => factOf(orderCreated({ discountTotal: 0.001 })), /payload\.discountTotal must be an amount with at most two decimals/);
  assert.throws(() => factOf(orderCreated({ pricesIncludeTax: 'yes' })), /payload\.pricesIncludeTax must be a boolean/);
});

test('PAYMENT_REFUNDED becomes a refund keyed by its refund id, its own amount and not the running total', () => {
  const refundId = '7e000000-0000-4000-8000-000000000001';
  const paymentId = '9a000000-0000-4000-8000-000000000001';
  const payload = {
    paymentId,
    orderId,
    userId,
    provider: 'stripe',
    currency: 'USD',
    refundId,
    amount: 12.5,
    amountRefunded: 20,
    fullyRefunded: false,
    reason: 'damaged',
    lines: null,
    timestamp: '2024-05-02T10:00:00Z',
  };
  assert.deepEqual(factOf(event('PAYMENT_REFUNDED', payload)), {
    kind: 'payment-refunded',
    refund: { refundId, orderId, paymentId, amount: '12.50', currency: 'USD', refundedAt: '2024-05-02T10:00:00.000Z' },
  });
  assert.throws(() => factOf(event('PAYMENT_REFUNDED', { ...payload, amount: -1 })), /payload\.amount must not be negative/);
});

test('ORDER_STATUS_CHANGED carries the new status with its depth in the lifecycle', () => {
  const fact = factOf(event('ORDER_STATUS_CHANGED', { orderId, userId, oldStatus: 'SHIPPED', newStatus: 'DELIVERED', timestamp: '2024-05-03T09:00:00Z' }));
  assert.equal(fact.kind, 'order-status-changed');
  if (fact.kind !== 'order-status-changed') return;
  assert.equal(fact.change.status, 'DELIVERED');
  assert.ok(fact.change.rank > 0);
});

test('STOCK_UPDATED becomes a movement keyed by its event id', () => {
  const e = event('STOCK_UPDATED', { productId: productA, oldStock: 12, newStock: 10, reason: 'ORDER', timestamp: '2024-05-01T12:00:00.000Z' });
  assert.deepEqual(factOf(e), {
    kind: 'stock-updated',
    movement: { eventId: e.id, productId: productA, reason: 'ORDER', oldStock: 12, newStock: 10, occurredAt: '2024-05-01T12:00:00.000Z' },
  });
});

test('other event types and newer versions are kept as history only, not refused', () => {
  assert.equal(factOf(event('USER_CREATED', { userId })).kind, 'history-only');
  assert.equal(factOf(event('ORDER_CREATED', { anything: true }, 2)).kind, 'history-only');
});

const broken: Array<[string, Record<string, unknown>, RegExp]> = [
  ['a price with three decimals', { items: [{ productId: productA, quantity: 1, price: 1.005 }] }, /items\.0\.price/],
  ['a negative total', { total: -1 }, /total/],
  ['a price given as text that is not a number', { items: [{ productId: productA, quantity: 1, price: 'abc' }] }, /items\.0\.price/],
  ['a zero quantity', { items: [{ productId: productA, quantity: 0, price: 1 }] }, /items\.0\.quantity/],
  ['a fractional quantity', { items: [{ productId: productA, quantity: 1.5, price: 1 }] }, /items\.0\.quantity/],
  ['no items', { items: [] }, /items/],
  ['a product id that is not a uuid', { items: [{ productId: 'kettle', quantity: 1, price: 1 }] }, /items\.0\.productId/],
  ['a timestamp without a zone', { timestamp: '2024-05-01T12:00:00' }, /timestamp/],
  ['a timestamp that is no date', { timestamp: 'yesterday' }, /timestamp/],
  ['a timestamp on a day the calendar lacks', { timestamp: '2024-02-30T12:00:00Z' }, /timestamp/],
  ['a missing order id', { orderId: undefined }, /orderId/],
];

for (const [what, overrides, field] of broken) {
  test(`ORDER_CREATED with ${what} is refused, naming the field`, () => {
    assert.throws(
      () => factOf(orderCreated(overrides)),
      (error: unknown) => error instanceof InvalidEvent && field.test(error.message),
    );
  });
}

test('STOCK_UPDATED with an unknown reason or negative stock is refused', () => {
  const base = { productId: productA, oldStock: 1, newStock: 0, reason: 'ORDER', timestamp: '2024-05-01T12:00:00Z' };
  assert.throws(() => factOf(event('STOCK_UPDATED', { ...base, reason: 'THEFT' })), /reason/);
  assert.throws(() => factOf(event('STOCK_UPDATED', { ...base, newStock: -1 })), /newStock/);
});

test('ORDER_STATUS_CHANGED to a status outside the lifecycle is refused', () => {
  assert.throws(
    () => factOf(event('ORDER_STATUS_CHANGED', { orderId, userId, oldStatus: 'PENDING', newStatus: 'LOST', timestamp: '2024-05-01T12:00:00Z' })),
    /newStatus/,
  );
});

test('an envelope needs a uuid id, a type, a positive version and an object payload', () => {
  const good = { id: '5f0c6b9e-0d7a-4c8e-9a51-3c2b1a0f9e8d', type: 'X', version: 1, payload: {} };
  assert.deepEqual(checkEnvelope(good), good);
  assert.throws(() => checkEnvelope({ ...good, id: '42' }), /id/);
  assert.throws(() => checkEnvelope({ ...good, type: '' }), /type/);
  assert.throws(() => checkEnvelope({ ...good, version: 0 }), /version/);
  assert.throws(() => checkEnvelope({ ...good, payload: [] }), /payload/);
  assert.throws(() => checkEnvelope('text'), InvalidEvent);
});
