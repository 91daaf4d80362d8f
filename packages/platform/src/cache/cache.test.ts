import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Cache, type CacheOptions, type CacheOutcome } from './cache.ts';

// The memory layer's semantics, on a clock the test moves: exact window edges, outcomes reported to
// the observer, tags. The same behaviour with Redis is in packages/platform/test/cache.test.ts.

const log = pino({ level: 'silent' });
const fresh60 = { name: 'detail', key: 'd', ttl: 60, tags: ['products'] };
const swr60 = { name: 'list', key: 'l', ttl: 60, staleWhileRevalidate: true, tags: ['products'] };

function setup(options: Partial<CacheOptions> = {}) {
  let time = 1_000_000;
  const outcomes: Array<`${string} ${CacheOutcome}`> = [];
  const cache = new Cache({
    enabled: true,
    tags: ['products', 'categories'],
    log,
    now: () => time,
    observe: (name, outcome) => outcomes.push(`${name} ${outcome}`),
    ...options,
  });
  let version = 1;
  let calls = 0;
  const gates: Array<() => void> = [];
  let hold = false;
  const load = async () => {
    calls += 1;
    const value = `v${version}`;
    if (hold) await new Promise<void>((resolve) => gates.push(resolve));
    return value;
  };
  return {
    cache,
    load,
    outcomes,
    advance: (ms: number) => (time += ms),
    write: () => (version += 1),
    calls: () => calls,
    hold: () => (hold = true),
    releaseFirst: () => gates.shift()?.(),
    release: () => {
      hold = false;
      for (const open of gates.splice(0)) open();
    },
  };
}

test('a miss loads and reports miss; a hit within ttl reports hit and does not load', async () => {
  const t = setup();
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v1');
  t.write();
  t.advance(59_999);
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v1');
  assert.deepEqual(t.outcomes, ['detail miss', 'detail hit']);
  assert.equal(t.calls(), 1);
});

test('without staleWhileRevalidate, at exactly ttl the value is reloaded before answering', async () => {
  const t = setup();
  await t.cache.get(fresh60, '1', t.load);
  t.write();
  t.advance(60_000);
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v2');
  assert.deepEqual(t.outcomes, ['detail miss', 'detail miss']);
});

test('with staleWhileRevalidate, from ttl the stale value is answered while one background load refreshes it', async () => {
  const t = setup();
  await t.cache.get(swr60, '1', t.load);
  t.write();
  t.advance(60_000);
  t.hold();
  assert.equal(await t.cache.get(swr60, '1', t.load), 'v1');
  assert.equal(await t.cache.get(swr60, '1', t.load), 'v1');
  assert.equal(t.calls(), 2, 'one background load for both stale reads');
  assert.deepEqual(t.outcomes, ['list miss', 'list stale', 'list stale']);
  t.release();
  await nextMacrotask();
  await nextMacrotask();
  assert.equal(await t.cache.get(swr60, '1', t.load), 'v2');
  assert.equal(t.outcomes.at(-1), 'list hit', 'the refreshed value is fresh');
  assert.equal(t.calls(), 2);
});

test('with staleWhileRevalidate, stale is served until just before twice the ttl, and reloaded from then', async () => {
  const t = setup();
  await t.cache.get(swr60, '1', t.load);
  t.write();
  t.hold();
  t.advance(119_999);
  assert.equal(await t.cache.get(swr60, '1', t.load), 'v1');
  t.release();

  const u = setup();
  await u.cache.get(swr60, '1', u.load);
  u.write();
  u.advance(120_000);
  assert.equal(await u.cache.get(swr60, '1', u.load), 'v2');
  assert.deepEqual(u.outcomes, ['list miss', 'list miss']);
});

test('an entry under several tags dies with any of them; entries without tags live until their ttl', async () => {
  const t = setup();
  const twoTags = { name: 'x', key: 'x', ttl: 60, tags: ['products', 'categories'] };
  const untagged = { name: 'u', key: 'u', ttl: 60 };
  await t.cache.get(twoTags, '1', t.load);
  await t.cache.get(untagged, '1', t.load);
  t.write();
  await t.cache.invalidate(['categories']);
  assert.equal(await t.cache.get(twoTags, '1', t.load), 'v2');
  assert.equal(await t.cache.get(untagged, '1', t.load), 'v1');
  t.write();
  await t.cache.invalidate(['products']);
  assert.equal(await t.cache.get(twoTags, '1', t.load), 'v3');
  await t.cache.invalidate([]);
  assert.equal(await t.cache.get(twoTags, '1', t.load), 'v3');
  assert.equal(t.calls(), 4);
});

test('keys are the config key and the id: the same id under two configs is two entries', async () => {
  const t = setup();
  const other = { ...fresh60, name: 'other', key: 'o' };
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v1');
  t.write();
  assert.equal(await t.cache.get(other, '1', t.load), 'v2');
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v1');
  assert.equal(await t.cache.get(fresh60, '2', t.load), 'v2');
});

test('concurrent misses share one load; a miss after an invalidation does not join the load from before it', async () => {
  const t = setup();
  t.hold();
  const first = [t.cache.get(fresh60, '1', t.load), t.cache.get(fresh60, '1', t.load)];
  await nextMacrotask();
  assert.equal(t.calls(), 1);
  t.write();
  await t.cache.invalidate(['products']);
  const after = t.cache.get(fresh60, '1', t.load);
  await nextMacrotask();
  assert.equal(t.calls(), 2);
  t.release();
  assert.deepEqual(await Promise.all(first), ['v1', 'v1']);
  assert.equal(await after, 'v2');
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v2', 'the value loaded before the invalidation was not kept');
  assert.equal(t.calls(), 2);
});

test('a failed load is not kept, and the next get loads again', async () => {
  const t = setup();
  await assert.rejects(
    t.cache.get(fresh60, '1', () => Promise.reject(new Error('down'))),
    /down/,
  );
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v1');
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v1');
  assert.equal(t.calls(), 1);
});

test('a failed background refresh leaves the stale value served and lets a later stale read try again', async () => {
  const t = setup();
  await t.cache.get(swr60, '1', t.load);
  t.advance(60_000);
  let failures = 0;
  const failing = async () => {
    failures += 1;
    throw new Error('down');
  };
  assert.equal(await t.cache.get(swr60, '1', failing), 'v1');
  await nextMacrotask();
  assert.equal(await t.cache.get(swr60, '1', failing), 'v1');
  await nextMacrotask();
  assert.equal(failures, 2);
});

test('disabled, every get loads and reports bypass, and invalidating does nothing', async () => {
  const t = setup({ enabled: false });
  assert.equal(t.cache.state, 'disabled');
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v1');
  t.write();
  assert.equal(await t.cache.get(fresh60, '1', t.load), 'v2');
  await t.cache.invalidate(['products']);
  assert.deepEqual(t.outcomes, ['detail bypass', 'detail bypass']);
});

test('without Redis the state is memory, and values past the memory budget are evicted least recently used first', async () => {
  const t = setup({ memoryBytes: 300 });
  assert.equal(t.cache.state, 'memory');
  const big = (id: string) => async () => `${id}`.padEnd(60, '.');
  await t.cache.get(fresh60, 'a', big('a'));
  await t.cache.get(fresh60, 'b', big('b'));
  await t.cache.get(fresh60, 'a', big('a'));
  await t.cache.get(fresh60, 'c', big('c'));
  assert.deepEqual(t.outcomes, ['detail miss', 'detail miss', 'detail hit', 'detail miss']);
  await t.cache.get(fresh60, 'a', big('a'));
  await t.cache.get(fresh60, 'b', big('b'));
  assert.deepEqual(
    t.outcomes.slice(4),
    ['detail hit', 'detail miss'],
    'two values of 124 bytes (with their overhead) fit: b, used least recently, made room for c',
  );
});

test('without a clock option entries age by the wall clock', async () => {
  const cache = new Cache({ enabled: true, tags: ['products'], log });
  let calls = 0;
  const load = async () => `v${++calls}`;
  assert.equal(await cache.get({ ...fresh60, ttl: 0.001 }, '1', load), 'v1');
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(await cache.get({ ...fresh60, ttl: 0.001 }, '1', load), 'v2');
});

test('a load overtaken by an invalidation, finishing first, leaves the newer load for the gets that follow', async () => {
  const t = setup();
  t.hold();
  const old = t.cache.get(fresh60, '1', t.load);
  await nextMacrotask();
  t.write();
  await t.cache.invalidate(['products']);
  const newer = t.cache.get(fresh60, '1', t.load);
  await nextMacrotask();
  t.releaseFirst();
  assert.equal(await old, 'v1');
  const joining = t.cache.get(fresh60, '1', t.load);
  await nextMacrotask();
  assert.equal(t.calls(), 2, 'the get after the old load finished joins the newer one');
  t.release();
  assert.deepEqual(await Promise.all([newer, joining]), ['v2', 'v2']);
});

test('a failed background refresh is logged with its key', async () => {
  const lines: Array<{ msg: string; key?: string; err?: { message: string } }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const t = setup({ log: pino({ level: 'warn' }, sink) });
  await t.cache.get(swr60, '1', t.load);
  t.advance(60_000);
  await t.cache.get(swr60, '1', () => Promise.reject(new Error('down')));
  await nextMacrotask();
  await nextMacrotask();
  assert.deepEqual(
    lines.map((l) => [l.msg, l.key, l.err?.message]),
    [['background cache refresh failed', 'l:1', 'down']],
  );
});
