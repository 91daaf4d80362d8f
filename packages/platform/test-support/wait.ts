import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(20);
  }
}

/** Asserts every id of `expected` occurs in `ids` exactly once, and nothing else does. */
export function assertEachOnce(ids: string[], expected: string[]): void {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  assert.deepEqual(
    [...counts].filter(([, n]) => n > 1).map(([id]) => id),
    [],
    'events delivered more than once',
  );
  assert.deepEqual(
    expected.filter((id) => !counts.has(id)),
    [],
    'events never delivered',
  );
  assert.equal(ids.length, expected.length);
}
