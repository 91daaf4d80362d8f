import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheConfigs } from '@dema/contracts';
import { CartStore } from './cart.store.ts';

const ttlSeconds = cacheConfigs['user-cart'].ttl;
const line = (productId: string) => ({ productId, variantId: null, quantity: 1 });

describe('embedded cart store', () => {
  test('carts untouched for the user-cart ttl (86400 s) are dropped from memory without being read again', async () => {
    let now = Date.parse('2026-12-03T12:00:00Z');
    const store = new CartStore(undefined, ttlSeconds, () => now);
    for (let i = 0; i < 50; i += 1) await store.put(`gone-${i}`, line('p1'));
    now += 3_600_000;
    await store.put('recent', line('p1'));
    assert.equal(store.localCarts, 51);

    // A day after the first carts: they are expired; the one from an hour later is not yet.
    now += (ttlSeconds - 3_600) * 1000;
    await store.put('newcomer', line('p2'));
    assert.equal(store.localCarts, 2);
    assert.deepEqual((await store.read('recent')).lines, [line('p1')]);
    assert.deepEqual((await store.read('gone-0')).lines, []);
  });

  test('a cart changed within its ttl lives on a full ttl from the change', async () => {
    let now = Date.parse('2026-12-03T12:00:00Z');
    const store = new CartStore(undefined, ttlSeconds, () => now);
    await store.put('shopper', line('p1'));
    now += (ttlSeconds - 60) * 1000;
    await store.put('shopper', line('p2'));
    now += 120_000;
    assert.equal(store.pruneExpired(), 0);
    assert.equal((await store.read('shopper')).lines.length, 2);
    now += ttlSeconds * 1000;
    assert.equal(store.pruneExpired(), 1);
    assert.equal(store.localCarts, 0);
  });
});
