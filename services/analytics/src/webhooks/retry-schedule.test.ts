import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxRetryDelayMs, retryDelayMs } from './retry-schedule.ts';

test('the wait doubles after each failed attempt, from the base', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => retryDelayMs(n, 5_000)),
    [5_000, 10_000, 20_000, 40_000],
  );
});

test('the wait never exceeds four hours, however many attempts failed', () => {
  assert.equal(retryDelayMs(40, 5_000), maxRetryDelayMs);
  assert.equal(retryDelayMs(2_000, 5_000), maxRetryDelayMs);
});
