import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyticsFact, PlacedOrder } from './analytics-events.ts';
import { reduceFacts, type LoggedFact } from './fact-batch.ts';
import { statusRanks } from './order-status-rank.ts';

const orderId = '00000000-0000-4000-8000-000000000001';
const userId = 'b3c1f0de-1111-4000-8000-000000000001';
const product = 'a1a1a1a1-2222-4000-8000-000000000002';

function placed(total: string, placedAt = '2024-05-01T10:00:00.000Z'): AnalyticsFact {
  const order: PlacedOrder = {
    orderId,
    userId,
    placedAt,
    total,
    units: 1,
    items: [{ productId: product, quantity: 1, unitPrice: total, lineTotal: total }],
    ...{ subtotal: total, discountTotal: '0.00', shippingTotal: '0.00', taxTotal: '0.00', pricesIncludeTax: false, currency: null },
  };
  return { kind: 'order-placed', order };
}

function status(name: 'CONFIRMED' | 'SHIPPED' | 'CANCELLED', changedAt: string): AnalyticsFact {
  return { kind: 'order-status-changed', change: { orderId, userId, status: name, rank: statusRanks[name], changedAt } };
}

function stock(newStock: number, occurredAt: string, eventId: string): AnalyticsFact {
  return { kind: 'stock-updated', movement: { eventId, productId: product, reason: 'MANUAL', oldStock: 0, newStock, occurredAt } };
}

const logged = (facts: AnalyticsFact[]): LoggedFact[] => facts.map((fact, i) => ({ fact, seq: String(i + 1) }));

test('an order is written once with its furthest status, whatever order its events came in', () => {
  const events = [placed('5.00'), status('SHIPPED', '2024-05-03T00:00:00.000Z'), status('CONFIRMED', '2024-05-02T00:00:00.000Z')];
  for (const order of [events, [...events].reverse(), [events[1]!, events[0]!, events[2]!]]) {
    const { orders } = reduceFacts(order.map((fact) => ({ fact, seq: '1' })));
    assert.equal(orders.length, 1);
    assert.deepEqual(
      { ...orders[0]!, placed: orders[0]!.placed?.total },
      {
        orderId,
        userId,
        placed: '5.00',
        status: 'SHIPPED',
        rank: statusRanks.SHIPPED,
        statusAt: '2024-05-03T00:00:00.000Z',
      },
    );
  }
});

test('an order without its ORDER_CREATED in the batch carries no placement', () => {
  const { orders } = reduceFacts(logged([status('CANCELLED', '2024-05-02T00:00:00.000Z')]));
  assert.equal(orders[0]!.placed, undefined);
  assert.equal(orders[0]!.status, 'CANCELLED');
});

test('an order created twice keeps the later announcement, as one at a time would', () => {
  const { orders } = reduceFacts(logged([placed('5.00'), placed('7.00')]));
  assert.equal(orders.length, 1);
  assert.equal(orders[0]!.placed?.total, '7.00');
});

test('a product keeps its latest stock by time, then by place in the history; every movement is kept', () => {
  const facts: LoggedFact[] = [
    { fact: stock(4, '2024-05-01T10:00:00.000Z', 'e0000000-0000-4000-8000-000000000003'), seq: '30' },
    { fact: stock(9, '2024-05-01T11:00:00.000Z', 'e0000000-0000-4000-8000-000000000001'), seq: '10' },
    { fact: stock(7, '2024-05-01T11:00:00.000Z', 'e0000000-0000-4000-8000-000000000002'), seq: '20' },
  ];
  for (const order of [facts, [...facts].reverse()]) {
    const rows = reduceFacts(order);
    assert.deepEqual(rows.stock, [{ productId: product, stock: 7, asOf: '2024-05-01T11:00:00.000Z', seq: '20', deleted: false }]);
    assert.equal(rows.movements.length, 3);
  }
});

test("a product's deletion is its latest state: a stock change dated before it, in the batch in any order, does not undo it", () => {
  const deleted: AnalyticsFact = { kind: 'product-deleted', deletion: { productId: product, deletedAt: '2024-05-02T00:00:00.000Z' } };
  const facts: LoggedFact[] = [
    { fact: stock(4, '2024-05-01T10:00:00.000Z', 'e0000000-0000-4000-8000-000000000001'), seq: '10' },
    { fact: deleted, seq: '20' },
    { fact: stock(3, '2024-05-01T12:00:00.000Z', 'e0000000-0000-4000-8000-000000000002'), seq: '30' },
  ];
  for (const order of [facts, [...facts].reverse()]) {
    const rows = reduceFacts(order);
    assert.deepEqual(rows.stock, [{ productId: product, stock: 0, asOf: '2024-05-02T00:00:00.000Z', seq: '20', deleted: true }]);
    assert.equal(rows.movements.length, 2, 'the movements before it stay in the history');
  }
});

test('facts kept only in the history write no row', () => {
  assert.deepEqual(reduceFacts(logged([{ kind: 'history-only', why: 'test' }])), { orders: [], movements: [], stock: [], refunds: [] });
});

test('a refund announced twice in a batch is one refund, its first announcement', () => {
  const refund = (amount: string): AnalyticsFact => ({
    kind: 'payment-refunded',
    refund: { refundId: '7e000000-0000-4000-8000-000000000001', orderId, paymentId: orderId, amount, currency: 'USD', refundedAt: '2024-05-02T00:00:00.000Z' },
  });
  assert.deepEqual(
    reduceFacts(logged([refund('5.00'), refund('9.00')])).refunds.map((r) => r.amount),
    ['5.00'],
  );
});
