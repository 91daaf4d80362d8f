import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderStatuses, orderTransitions } from '@dema/contracts';
import { statusRanks } from './order-status-rank.ts';

test('every lifecycle transition leads to a deeper status, so the deepest status seen is the current one', () => {
  for (const from of orderStatuses) {
    for (const to of orderTransitions[from]) assert.ok(statusRanks[to] > statusRanks[from], `${from} → ${to}`);
  }
});

test('PENDING, where every order starts, is the shallowest status', () => {
  assert.equal(statusRanks.PENDING, 0);
  for (const status of orderStatuses) if (status !== 'PENDING') assert.ok(statusRanks[status] > 0, status);
});
