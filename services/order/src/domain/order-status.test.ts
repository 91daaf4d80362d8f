import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orderStatuses, orderTransitions, type OrderStatus } from '@dema/contracts';
import { decideTransition } from './order-status.ts';

const admin = { kind: 'user' as const, userId: 'a', role: 'admin' as const, sessionId: 's' };
const owner = { kind: 'user' as const, userId: 'u', role: 'customer' as const, sessionId: 's' };
const stranger = { kind: 'user' as const, userId: 'x', role: 'customer' as const, sessionId: 's' };

test('admins may make exactly the moves of the transition table', () => {
  for (const from of orderStatuses) {
    for (const to of orderStatuses) {
      const expected = orderTransitions[from].includes(to) ? 'allowed' : 'illegal';
      assert.equal(decideTransition(from, to, admin, 'u'), expected, `${from} → ${to}`);
    }
  }
});

test('the happy path runs PENDING → CONFIRMED → SHIPPED → DELIVERED, and terminal states stay put', () => {
  const path: OrderStatus[] = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED'];
  for (let i = 1; i < path.length; i++) assert.equal(decideTransition(path[i - 1]!, path[i]!, admin, 'u'), 'allowed');
  for (const to of orderStatuses) {
    assert.equal(decideTransition('CANCELLED', to, admin, 'u'), 'illegal');
    assert.equal(decideTransition('RETURNED', to, admin, 'u'), 'illegal');
  }
});

test('a customer may cancel their own order until it ships, and make no other move', () => {
  assert.equal(decideTransition('PENDING', 'CANCELLED', owner, 'u'), 'allowed');
  assert.equal(decideTransition('CONFIRMED', 'CANCELLED', owner, 'u'), 'allowed');
  assert.equal(decideTransition('SHIPPED', 'CANCELLED', owner, 'u'), 'illegal');
  assert.equal(decideTransition('PENDING', 'CONFIRMED', owner, 'u'), 'forbidden');
  assert.equal(decideTransition('SHIPPED', 'DELIVERED', owner, 'u'), 'forbidden');
  assert.equal(decideTransition('DELIVERED', 'RETURNED', owner, 'u'), 'forbidden');
});

test("a customer may not cancel someone else's order", () => {
  assert.equal(decideTransition('PENDING', 'CANCELLED', stranger, 'u'), 'forbidden');
});
