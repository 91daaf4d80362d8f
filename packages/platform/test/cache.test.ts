import { after, afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setImmediate as nextMacrotask, setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { CacheConfig } from '@dema/contracts';
import { Cache, cacheConnections, createLogger, type HealingRedis, type RedisSettings } from '@dema/platform';
import { TcpProxy, deleteRedisKeys, redisClusterSkip, startRedisCluster, testRedis, type LocalRedisCluster } from '@dema/platform/testing';

const log = createLogger('silent');
const redisServer = testRedis();
const noRedis = redisServer ? false : 'TEST_REDIS_HOST is not set';

type Config = CacheConfig & { name: string };
/** Fresh for the whole test. */
const longLived: Config = { name: 't', key: 'k', ttl: 60, tags: ['products'] };
/** Fresh for 60 s, then served stale for up to another 60 s while it refreshes. */
const swr: Config = { name: 't', key: 'k', ttl: 60, staleWhileRevalidate: true, tags: ['products'] };
/** Fresh for 60 s, then gone. */
const noSwr: Config = { name: 't', key: 'k', ttl: 60, tags: ['products'] };

/**
 * The clock every cache of this file ages its entries by: tests move it instead of sleeping, so a
 * slow machine can neither push a read out of a window nor keep one in it. (Redis still expires
 * keys by real time, after 120 s at the earliest: longer than any test.)
 */
let clock = Date.parse('2026-01-01T00:00:00Z');
const now = () => clock;
const advanceClock = (ms: number) => {
  clock += ms;
};

/** Polls `condition` every few milliseconds until it holds, failing after `timeoutMs`. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}

/**
 * Stands in for the database behind a cached value: `load` reads the current version when it
 * starts (as a query would) and, while `hold` is set, only answers once `release` is called.
 */
/** The cache's memory-layer generation and tag epochs: they move only when it drops what it holds. */
function memoryState(cache: Cache): string {
  const inside = cache as unknown as { generation: number; epochs: Map<string, number> };
  return `${inside.generation}:${[...inside.epochs].join(';')}`;
}

class Source {
  version = 1;
  calls = 0;
  completed = 0;
  hold = false;
  /** Makes loads fail, as a database that is down would. */
  failing = false;
  private gates: Array<() => void> = [];

  readonly load = async (): Promise<string> => {
    this.calls += 1;
    const value = `v${this.version}`;
    if (this.hold) await new Promise<void>((resolve) => this.gates.push(resolve));
    this.completed += 1;
    if (this.failing) throw new Error('database unavailable');
    return value;
  };

  /** A write to the underlying data. */
  write(): void {
    this.version += 1;
  }

  release(): void {
    this.hold = false;
    for (const open of this.gates.splice(0)) open();
  }
}

interface CacheEnv {
  /** A cache as one process would build it; instances of one environment share Redis, if any. */
  instance(): Promise<Cache>;
  dispose(): Promise<void>;
}

interface RedisEnv extends CacheEnv {
  keyPrefix: string;
  /** A client without key prefix, for looking at and cleaning up what the caches stored. */
  admin: Redis;
  /** An instance whose Redis connections (commands and subscriber) go through `proxy`. */
  instanceVia(proxy: TcpProxy, options?: { awaitSubscription: boolean }): Promise<{ cache: Cache; commands: HealingRedis; subscriber: HealingRedis }>;
  /** How many connections listen for this environment's invalidations. */
  subscribers(): Promise<number>;
}

function openMemoryEnv(): Promise<CacheEnv> {
  return Promise.resolve({
    instance: async () => new Cache({ enabled: true, tags: ['products'], log, now }),
    dispose: async () => undefined,
  });
}

/** A cache as one process builds it on `settings`, its two connections kept in `connections` to close. */
async function connectCache(settings: RedisSettings, connections: HealingRedis[]): Promise<{ cache: Cache; commands: HealingRedis; subscriber: HealingRedis }> {
  const { commands, subscriber } = cacheConnections(settings, log, 'test');
  connections.push(commands, subscriber);
  const cache = new Cache({ redis: { commands, subscriber }, enabled: true, tags: ['products'], log, now });
  await commands.connect();
  await subscriber.connect();
  return { cache, commands, subscriber };
}

async function openRedisEnv(): Promise<RedisEnv> {
  const server = redisServer!;
  const keyPrefix = `dema-test-${randomBytes(4).toString('hex')}:`;
  const channel = `${keyPrefix}cache:invalidate`;
  const admin = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  await admin.connect();
  const connections: HealingRedis[] = [];
  let instances = 0;

  const subscribers = async () => {
    const [, count] = (await admin.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count);
  };

  const build = async (host: string, port: number, awaitSubscription = true) => {
    const { cache, commands, subscriber } = await connectCache({ host, port, password: undefined, keyPrefix }, connections);
    instances += 1;
    if (!awaitSubscription) return { cache, commands, subscriber };
    // Ready means subscribed to invalidations: until then the memory layer is (rightly) unused.
    await waitFor('the invalidation subscription', async () => (await subscribers()) >= instances, 2_000);
    // The subscription's reply precedes this one on the same connection, so the cache has seen it.
    await subscriber.client.ping();
    return { cache, commands, subscriber };
  };

  return {
    keyPrefix,
    admin,
    instance: async () => (await build(server.host, server.port)).cache,
    instanceVia: (proxy, options) => build('127.0.0.1', proxy.port, options?.awaitSubscription),
    subscribers,
    async dispose() {
      for (const connection of connections) await connection.close();
      await deleteRedisKeys(admin, keyPrefix);
      await admin.quit();
    },
  };
}

/** One local Redis Cluster (three masters, three replicas) for every test of the cluster setup, each under its own prefix. */
let redisCluster: Promise<LocalRedisCluster> | undefined;
after(async () => {
  await (await redisCluster)?.stop();
});

async function openClusterEnv(): Promise<CacheEnv> {
  redisCluster ??= startRedisCluster();
  const cluster = await redisCluster;
  const settings: RedisSettings = {
    host: '127.0.0.1',
    port: cluster.nodes[0]!.port,
    password: undefined,
    keyPrefix: `dema-test-${randomBytes(4).toString('hex')}:`,
    clusterNodes: cluster.nodes,
  };
  const connections: HealingRedis[] = [];
  return {
    async instance() {
      const { cache } = await connectCache(settings, connections);
      // Subscribed, and so using its memory layer, as on a single Redis (see openRedisEnv).
      await waitFor('the invalidation subscription', () => (cache as unknown as { subscribed: boolean }).subscribed, 5_000);
      return cache;
    },
    async dispose() {
      for (const connection of connections) await connection.close();
    },
  };
}

const setups: Array<{ name: string; skip: string | false; open(): Promise<CacheEnv> }> = [
  { name: 'memory only', skip: false, open: openMemoryEnv },
  { name: 'redis', skip: noRedis, open: openRedisEnv },
  { name: 'redis cluster', skip: redisClusterSkip(), open: openClusterEnv },
];

for (const setup of setups) {
  describe(`cache (${setup.name})`, { skip: setup.skip }, () => {
    let env: CacheEnv;
    let cache: Cache;
    let source: Source;

    beforeEach(async () => {
      env = await setup.open();
      cache = await env.instance();
      source = new Source();
    });
    afterEach(async () => {
      source.release();
      await env.dispose();
    });

    test('a hit answers without calling the loader', async () => {
      assert.equal(await cache.get(longLived, '1', source.load), 'v1');
      source.write();
      assert.equal(await cache.get(longLived, '1', source.load), 'v1');
      assert.equal(source.calls, 1);
    });

    test('ids are cached separately under one config', async () => {
      const other = new Source();
      other.version = 7;
      assert.equal(await cache.get(longLived, '1', source.load), 'v1');
      assert.equal(await cache.get(longLived, '2', other.load), 'v7');
      assert.equal(await cache.get(longLived, '1', source.load), 'v1');
      assert.equal(await cache.get(longLived, '2', other.load), 'v7');
      assert.equal(source.calls + other.calls, 2);
    });

    test('invalidating a tag makes the very next get load again', async () => {
      await cache.get(longLived, '1', source.load);
      source.write();
      await cache.invalidate(['products']);
      assert.equal(await cache.get(longLived, '1', source.load), 'v2');
      assert.equal(source.calls, 2);
    });

    test('invalidating an unrelated tag leaves the entry cached', async () => {
      await cache.get(longLived, '1', source.load);
      await cache.invalidate(['orders']);
      assert.equal(await cache.get(longLived, '1', source.load), 'v1');
      assert.equal(source.calls, 1);
    });

    test("an entry's own tag drops that entry and no other; its config's tags still drop it", async () => {
      const other = new Source();
      await cache.get(longLived, '1', source.load, ['product:1']);
      await cache.get(longLived, '2', other.load, ['product:2']);
      source.write();
      other.write();
      await cache.invalidate(['product:1']);
      assert.equal(await cache.get(longLived, '1', source.load, ['product:1']), 'v2');
      assert.equal(await cache.get(longLived, '2', other.load, ['product:2']), 'v1');
      await cache.invalidate(['products']);
      assert.equal(await cache.get(longLived, '2', other.load, ['product:2']), 'v2');
      assert.deepEqual([source.calls, other.calls], [2, 2]);
    });

    test('100 concurrent gets of a missing key call the loader once', async () => {
      // A cluster on a loaded machine may report a node lost mid-run; the cache then drops its
      // memory layer on purpose and a get after that loads again. Such a run proves nothing either
      // way, so it is run again (on another key); a run the cache kept its state through must load once.
      for (let attempt = 1; ; attempt++) {
        const runSource = new Source();
        runSource.hold = true;
        const stateBefore = memoryState(cache);
        const gets = Array.from({ length: 100 }, () => cache.get(longLived, `single-flight-${attempt}`, runSource.load));
        await waitFor('the load to start', () => runSource.calls > 0, 2_000);
        runSource.release();
        const values = await Promise.all(gets);
        assert.deepEqual(new Set(values), new Set(['v1']));
        if (memoryState(cache) !== stateBefore && attempt < 3) continue;
        assert.equal(runSource.calls, 1);
        return;
      }
    });

    test('past ttl with staleWhileRevalidate the stale value is served at once while exactly one background load refreshes it', async () => {
      assert.equal(await cache.get(swr, '1', source.load), 'v1');
      source.write();
      source.hold = true;
      advanceClock(60_000);

      // The refresh is held, so these can only answer from the stale entry.
      const stale = await Promise.all(Array.from({ length: 5 }, () => cache.get(swr, '1', source.load)));
      assert.deepEqual(stale, ['v1', 'v1', 'v1', 'v1', 'v1']);
      await waitFor('the background load', () => source.calls === 2, 1_000);
      assert.equal(await cache.get(swr, '1', source.load), 'v1');

      source.release();
      await waitFor('the background load to finish', () => source.completed === 2, 1_000);
      await nextMacrotask();
      assert.equal(await cache.get(swr, '1', source.load), 'v2');
      assert.equal(source.calls, 2, 'exactly one background load');
    });

    test('a value is fresh up to the last millisecond of its ttl', async () => {
      assert.equal(await cache.get(noSwr, '1', source.load), 'v1');
      source.write();
      advanceClock(59_999);
      assert.equal(await cache.get(noSwr, '1', source.load), 'v1');
      assert.equal(source.calls, 1);
    });

    test('without staleWhileRevalidate a value past its ttl is reloaded before answering', async () => {
      assert.equal(await cache.get(noSwr, '1', source.load), 'v1');
      source.write();
      advanceClock(60_000);
      assert.equal(await cache.get(noSwr, '1', source.load), 'v2');
      assert.equal(source.calls, 2);
      assert.equal(await cache.get(noSwr, '1', source.load), 'v2', 'and the reloaded value is fresh again');
      assert.equal(source.calls, 2);
    });

    test('with staleWhileRevalidate a value is still served stale in the last millisecond of twice its ttl', async () => {
      assert.equal(await cache.get(swr, '1', source.load), 'v1');
      source.write();
      source.hold = true;
      advanceClock(119_999);
      assert.equal(await cache.get(swr, '1', source.load), 'v1');
    });

    test('with staleWhileRevalidate a value twice its ttl old is reloaded before answering', async () => {
      assert.equal(await cache.get(swr, '1', source.load), 'v1');
      source.write();
      advanceClock(120_000);
      assert.equal(await cache.get(swr, '1', source.load), 'v2');
      assert.equal(source.calls, 2);
    });

    test('a failing load reaches the caller and is not cached: the next get loads again', async () => {
      source.failing = true;
      await assert.rejects(cache.get(longLived, '1', source.load), /database unavailable/);
      source.failing = false;
      assert.equal(await cache.get(longLived, '1', source.load), 'v1');
      assert.equal(await cache.get(longLived, '1', source.load), 'v1');
      assert.equal(source.calls, 2);
    });

    test('a failing background refresh keeps the stale value served and is retried on a later stale read', async () => {
      assert.equal(await cache.get(swr, '1', source.load), 'v1');
      source.write();
      source.failing = true;
      advanceClock(61_000);
      assert.equal(await cache.get(swr, '1', source.load), 'v1');
      await waitFor('the failed refresh', () => source.completed === 2, 500);
      await nextMacrotask();
      source.failing = false;
      assert.equal(await cache.get(swr, '1', source.load), 'v1');
      await waitFor('the second refresh', () => source.completed === 3, 500);
      await nextMacrotask();
      assert.equal(await cache.get(swr, '1', source.load), 'v2');
      assert.equal(source.calls, 3);
    });

    test('a load racing with an invalidation does not leave its older value looking current', async () => {
      source.hold = true;
      const slow = cache.get(longLived, '1', source.load);
      await waitFor('the slow load to start', () => source.calls === 1, 2_000);
      source.write();
      await cache.invalidate(['products']);
      source.release();
      assert.equal(await slow, 'v1', 'the racing read may answer what it read');
      assert.equal(await cache.get(longLived, '1', source.load), 'v2');
      assert.equal(source.calls, 2);
    });

    test('a get issued after an invalidation does not take the result of a load that started before it', async () => {
      source.hold = true;
      const slow = cache.get(longLived, '1', source.load);
      await waitFor('the slow load to start', () => source.calls === 1, 2_000);
      source.hold = false;
      source.write();
      await cache.invalidate(['products']);
      const after = cache.get(longLived, '1', source.load);
      source.release();
      assert.equal(await slow, 'v1');
      assert.equal(await after, 'v2', 'a read that starts after the write was invalidated must see the write');
    });
  });
}

describe('cache (memory only): state and switch', () => {
  test('reports memory as its state', () => {
    assert.equal(new Cache({ enabled: true, tags: ['products'], log, now }).state, 'memory');
  });

  test('a disabled cache calls the loader every time', async () => {
    const cache = new Cache({ enabled: false, tags: ['products'], log, now });
    const source = new Source();
    assert.equal(cache.state, 'disabled');
    assert.equal(await cache.get(longLived, '1', source.load), 'v1');
    source.write();
    assert.equal(await cache.get(longLived, '1', source.load), 'v2');
    assert.equal(source.calls, 2);
  });
});

describe('cache (redis): two instances on one Redis', { skip: noRedis }, () => {
  let env: RedisEnv;
  let a: Cache;
  let b: Cache;
  let sourceA: Source;
  let sourceB: Source;

  beforeEach(async () => {
    env = await openRedisEnv();
    a = await env.instance();
    b = await env.instance();
    // One database behind both instances: both loaders read the same version.
    sourceA = new Source();
    sourceB = new Source();
  });
  afterEach(() => env.dispose());

  const write = () => {
    sourceA.write();
    sourceB.write();
  };

  test('reports redis as its state', () => {
    assert.equal(a.state, 'redis');
  });

  test('values are shared: what A loaded, B answers without loading', async () => {
    assert.equal(await a.get(longLived, '1', sourceA.load), 'v1');
    write();
    assert.equal(await b.get(longLived, '1', sourceB.load), 'v1');
    assert.equal(sourceA.calls, 1);
    assert.equal(sourceB.calls, 0);
  });

  test("B sees A's invalidation on its next read once the message arrives, its memory layer included", async () => {
    await a.get(longLived, '1', sourceA.load);
    assert.equal(await b.get(longLived, '1', sourceB.load), 'v1');
    // B now answers from its memory layer: the shared copy is no longer needed.
    await env.admin.del(`${env.keyPrefix}k:1`);
    assert.equal(await b.get(longLived, '1', sourceB.load), 'v1');
    assert.equal(sourceB.calls, 0);

    write();
    await a.invalidate(['products']);
    await waitFor('B to stop serving the invalidated value', async () => (await b.get(longLived, '1', sourceB.load)) === 'v2', 1_000);
    assert.equal(sourceB.calls, 1);
    // A's next read finds what B stored under the new versions.
    assert.equal(await a.get(longLived, '1', sourceA.load), 'v2');
    assert.equal(sourceA.calls, 1);
  });

  test("B drops an entry when A invalidates the entry's own tag, and keeps the others", async () => {
    await a.get(longLived, '1', sourceA.load, ['product:1']);
    await a.get(longLived, '2', sourceA.load, ['product:2']);
    assert.equal(await b.get(longLived, '1', sourceB.load, ['product:1']), 'v1');
    assert.equal(await b.get(longLived, '2', sourceB.load, ['product:2']), 'v1');
    write();
    await a.invalidate(['product:1']);
    await waitFor('B to drop the entry of product 1', async () => (await b.get(longLived, '1', sourceB.load, ['product:1'])) === 'v2', 1_000);
    assert.equal(await b.get(longLived, '2', sourceB.load, ['product:2']), 'v1');
    assert.equal(await a.get(longLived, '2', sourceA.load, ['product:2']), 'v1');
  });

  test('concurrent invalidations reach Redis together, each before it resolves: the other instance loads the new value', async () => {
    assert.equal(await a.get(longLived, '1', sourceA.load), 'v1');
    const version = async () => Number((await env.admin.get(`${env.keyPrefix}tag:{cache-tags}:products`)) ?? '0');
    const before = await version();
    write();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        await a.invalidate(['products']);
        assert.ok((await version()) > before, 'the tag has its new version in Redis when invalidate resolves');
      }),
    );
    assert.ok((await version()) - before <= 2, `20 concurrent invalidations took ${(await version()) - before} INCRs, not one each`);
    // B has nothing in memory: it reads Redis, where the entry's versions are no longer current.
    assert.equal(await b.get(longLived, '1', sourceB.load), 'v2');
    assert.equal(sourceB.calls, 1);
  });

  test('a read racing with its own instance’s invalidation does not keep the older value current', async () => {
    await b.get(longLived, '1', sourceB.load);
    // A has nothing in memory, so this read goes to Redis; the invalidation overtakes it locally.
    const racing = a.get(longLived, '1', sourceA.load);
    write();
    await a.invalidate(['products']);
    assert.equal(await racing, 'v1');
    assert.equal(await a.get(longLived, '1', sourceA.load), 'v2', 'the write’s own instance must see it on the very next read');
  });
});

describe('cache (redis going away)', { skip: noRedis }, () => {
  let env: RedisEnv;
  let proxy: TcpProxy;
  let source: Source;

  beforeEach(async () => {
    env = await openRedisEnv();
    proxy = await TcpProxy.start(redisServer!);
    source = new Source();
  });
  afterEach(async () => {
    proxy.restore();
    await env.dispose();
    await proxy.close();
  });

  // A command times out after 500 ms; 4 s leaves room for a loaded machine and still tells a prompt
  // fallback from one that waits on reconnection attempts (2 s connect timeout each, three tries).
  const answerBoundMs = 4_000;
  const timed = async (cache: Cache, config: Config = longLived) => {
    const started = performance.now();
    const value = await cache.get(config, '1', source.load);
    return { value, ms: performance.now() - started };
  };

  test('a get issued the moment Redis goes away answers from the loader within 4 s', async () => {
    // Another instance warms Redis, so this one's read has to go there.
    await (await env.instance()).get(longLived, '1', source.load);
    const { cache } = await env.instanceVia(proxy);
    source.write();
    proxy.cut();
    const { value, ms } = await timed(cache);
    assert.equal(value, 'v2');
    assert.ok(ms < answerBoundMs, `took ${Math.round(ms)} ms`);
  });

  test('while Redis is unreachable the state says so and every get answers from the loader without throwing', async () => {
    const { cache, commands, subscriber } = await env.instanceVia(proxy);
    assert.equal((await timed(cache)).value, 'v1');
    assert.equal((await timed(cache)).value, 'v1');
    proxy.cut();
    await waitFor('Redis to be seen as gone', () => !commands.isReady && !subscriber.isReady, 2_000);
    assert.equal(cache.state, 'redis-unavailable');
    for (let i = 2; i <= 4; i += 1) {
      source.write();
      const { value, ms } = await timed(cache);
      assert.equal(value, `v${i}`);
      assert.ok(ms < answerBoundMs, `took ${Math.round(ms)} ms`);
    }
    assert.equal(source.calls, 4);
    assert.equal(cache.state, 'redis-unavailable');
  });

  test('a write during the outage is honoured after healing: the value cached before is not served', async () => {
    const { cache, commands } = await env.instanceVia(proxy);
    await timed(cache);
    proxy.cut();
    await waitFor('Redis to be seen as gone', () => !commands.isReady, 2_000);
    source.write();
    await cache.invalidate(['products']);
    proxy.restore();
    await waitFor('the cache to heal', () => cache.state === 'redis', 10_000);
    assert.equal((await timed(cache)).value, 'v2');
    assert.equal(source.calls, 2);
    // And the fresh value is cached again.
    assert.equal((await timed(cache)).value, 'v2');
    assert.equal(source.calls, 2);
  });

  test('after healing, an instance that stayed connected stops serving the value cached before the outage', async () => {
    const other = await env.instance();
    const { cache, commands } = await env.instanceVia(proxy);
    await timed(cache);
    assert.equal(await other.get(longLived, '1', source.load), 'v1');
    proxy.cut();
    await waitFor('Redis to be seen as gone', () => !commands.isReady, 2_000);
    source.write();
    await cache.invalidate(['products']);
    proxy.restore();
    await waitFor('the cache to heal', () => cache.state === 'redis', 10_000);
    assert.equal((await timed(cache)).value, 'v2');
    await waitFor('the other instance to drop the old value', async () => (await other.get(longLived, '1', source.load)) === 'v2', 1_000);
  });

  test('after the retry strategy gave up, the cache heals and listens to invalidations again', async () => {
    const other = await env.instance();
    const { cache, commands, subscriber } = await env.instanceVia(proxy);
    assert.equal((await timed(cache)).value, 'v1');
    proxy.cut();
    // The seed's retryStrategy stops after three tries; only HealingRedis brings the connections back.
    await waitFor('the retries to run out', () => commands.client.status === 'end' && subscriber.client.status === 'end', 5_000);
    assert.equal(await env.subscribers(), 1);
    proxy.restore();
    await waitFor('the cache to heal', () => cache.state === 'redis', 10_000);
    await waitFor('the subscription to return', async () => (await env.subscribers()) === 2, 5_000);
    source.write();
    await other.invalidate(['products']);
    await waitFor('the healed instance to see the invalidation', async () => (await timed(cache)).value === 'v2', 1_000);
  });

  test('a subscriber connection that drops again right after it came back ends nothing, and then hears invalidations again', async () => {
    const other = await env.instance();
    const { cache, subscriber } = await env.instanceVia(proxy);
    assert.equal((await timed(cache)).value, 'v1');
    // When the subscriber is back, its connection is cut for longer than a command's timeout, so a
    // subscribe sent then fails. Had one been left unhandled (as ioredis's own resubscribe is), the
    // rejection would fail this test, as it ends a service's process.
    let dropped = false;
    subscriber.client.on('ready', () => {
      if (dropped) return;
      dropped = true;
      proxy.cut();
      setTimeout(() => proxy.restore(), 800);
    });
    proxy.cut();
    setTimeout(() => proxy.restore(), 50);
    await waitFor('a drop right after a reconnect', () => dropped, 5_000);
    await waitFor('the subscription to return', async () => (await env.subscribers()) === 2, 10_000);
    source.write();
    await other.invalidate(['products']);
    await waitFor('the instance to see the invalidation', async () => (await timed(cache)).value === 'v2', 2_000);
  });

  test('an instance started while Redis is down answers from the loader, then heals', async () => {
    proxy.cut();
    const { cache } = await env.instanceVia(proxy, { awaitSubscription: false });
    assert.equal(cache.state, 'redis-unavailable');
    const { value, ms } = await timed(cache);
    assert.equal(value, 'v1');
    assert.ok(ms < answerBoundMs, `took ${Math.round(ms)} ms`);
    proxy.restore();
    await waitFor('the cache to heal', () => cache.state === 'redis', 10_000);
    source.write();
    assert.equal((await timed(cache)).value, 'v2', 'nothing was cached while Redis was down');
    assert.equal((await timed(cache)).value, 'v2');
    assert.equal(source.calls, 2);
  });
});
