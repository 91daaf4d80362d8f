import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderStatus, canTransition, customerTransitions, orderStatuses, orderTransitions, restockingStatuses } from './orders.ts';

// The lifecycle written out by hand (seed: OrderStatus): every move that is allowed; all others are not.
const allowedMoves = [
  'PENDING → CONFIRMED',
  'PENDING → CANCELLED',
  'CONFIRMED → SHIPPED',
  'CONFIRMED → CANCELLED',
  'SHIPPED → DELIVERED',
  'SHIPPED → RETURNED',
  'DELIVERED → RETURNED',
];

test('the statuses are the seed six, in lifecycle order, and the schema is referenced as OrderStatus', () => {
  assert.deepEqual([...orderStatuses], ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'RETURNED']);
  assert.equal((OrderStatus as { $id?: string }).$id, 'OrderStatus');
});

test('canTransition allows exactly the lifecycle moves, out of all 36 pairs', () => {
  const allowed = orderStatuses.flatMap((from) => orderStatuses.filter((to) => canTransition(from, to)).map((to) => `${from} → ${to}`));
  assert.deepEqual(allowed, allowedMoves);
});

test('the transition table lists the same moves, and none out of CANCELLED or RETURNED', () => {
  const listed = Object.entries(orderTransitions).flatMap(([from, tos]) => tos.map((to) => `${from} → ${to}`));
  assert.deepEqual(listed, allowedMoves);
  assert.deepEqual(orderTransitions.CANCELLED, []);
  assert.deepEqual(orderTransitions.RETURNED, []);
});

test('customers may only cancel, and only before shipping', () => {
  assert.deepEqual(
    customerTransitions.map(([from, to]) => `${from} → ${to}`),
    ['PENDING → CANCELLED', 'CONFIRMED → CANCELLED'],
  );
});

test('cancelling and returning put stock back; no other status does', () => {
  assert.deepEqual([...restockingStatuses], ['CANCELLED', 'RETURNED']);
});
