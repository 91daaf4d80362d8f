import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CacheConfig } from '@dema/contracts';
import { Cache, HealingRedis, RateLimiter, SessionStore, createLogger, type RedisSettings } from '@dema/platform';
import { redisClusterSkip, startRedisCluster, waitFor, type LocalRedisCluster } from '@dema/platform/testing';
import { redisStartupError } from '../src/startup-errors.ts';

/**
 * The cache, the session store and the rate limiter on a Redis Cluster of three masters and three
 * replicas started from the installed redis-server: every multi-key command stays within a slot,
 * instances share what they store, and a master failing over loses no revocation.
 */
const log = createLogger('silent');
const skip = redisClusterSkip();
const products: CacheConfig & { name: string } = { name: 't', key: 'k', ttl: 60, tags: ['products', 'categories'] };

/**
 * A cluster of its own for the `describe` this is called in (started before its tests, stopped
 * after them), and connections to it that are closed with it.
 */
function useCluster() {
  let cluster: LocalRedisCluster;
  let settings: RedisSettings;
  const connections: HealingRedis[] = [];

  before(async () => {
    cluster = await startRedisCluster();
    settings = {
      host: '127.0.0.1',
      port: cluster.nodes[0]!.port,
      password: undefined,
      keyPrefix: `dema-test-${randomBytes(4).toString('hex')}:`,
      clusterNodes: cluster.nodes,
    };
  });

  after(async () => {
    for (const connection of connections) await connection.close();
    await cluster?.stop();
  });

  const connect = async (name: string) => {
    const redis = new HealingRedis(settings, {}, log, name);
    connections.push(redis);
    await redis.connect();
    assert.equal(redis.isReady, true, `${name} is connected`);
    return redis;
  };

  return {
    cluster: () => cluster,
    settings: () => settings,
    connect,
    /** A cache as one process builds it, once it listens to invalidations. */
    async cacheInstance(name = 'cache') {
      const commands = await connect(`${name}-commands`);
      const subscriber = await connect(`${name}-subscriber`);
      const cache = new Cache({ redis: { commands, subscriber }, enabled: true, tags: ['products', 'categories'], log });
      await waitFor('the invalidation subscription', () => cache.state === 'redis' && subscribed(cache), 10_000);
      return cache;
    },
  };
}

describe('Redis Cluster (three masters, three replicas)', { skip }, () => {
  const { connect, cacheInstance, ...env } = useCluster();

  test('a value one instance cached is answered by another without loading, and a tag invalidation reaches both', async () => {
    const [a, b] = [await cacheInstance(), await cacheInstance()];
    let version = 1;
    let loads = 0;
    const load = async () => {
      loads += 1;
      return `v${version}`;
    };
    assert.equal(await a.get(products, '1', load), 'v1');
    assert.equal(await b.get(products, '1', load), 'v1');
    assert.equal(loads, 1);
    version = 2;
    await a.invalidate(['categories', 'products']);
    assert.equal(await a.get(products, '1', load), 'v2');
    await waitFor('B to load the new value', async () => (await b.get(products, '1', load)) === 'v2', 5_000);
  });

  test('a hundred entries spread over the masters are each cached once', async () => {
    const cache = await cacheInstance();
    let loads = 0;
    const ids = Array.from({ length: 100 }, (_, i) => String(i));
    const spread = { ...products, key: 'spread' };
    const load = async () => {
      loads += 1;
      return `value ${loads}`;
    };
    for (const id of ids) await cache.get(spread, id, load);
    const again = await Promise.all(ids.map((id) => cache.get(spread, id, async () => 'loaded again')));
    assert.equal(loads, 100);
    assert.ok(again.every((value) => value.startsWith('value ')));
  });

  test('revoking many sessions at once reaches every instance, whichever master holds each', async () => {
    const [a, b] = [new SessionStore(await connect('a'), log), new SessionStore(await connect('b'), log)];
    const sids = Array.from({ length: 50 }, () => randomBytes(8).toString('hex'));
    await a.revoke(sids, 600);
    assert.deepEqual(
      await Promise.all(sids.map((sid) => b.isRevoked(sid))),
      sids.map(() => true),
    );
    assert.equal(await b.isRevoked('never-revoked'), false);
  });

  test('a rate limit counted by two instances at once is shared exactly', async () => {
    const [a, b] = [new RateLimiter(await connect('a'), log), new RateLimiter(await connect('b'), log)];
    const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hit('login:shopper', 60)));
    assert.deepEqual(
      hits.map((hit) => hit.count).sort((x, y) => x - y),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    await a.release('login:shopper');
    assert.equal((await b.hit('login:shopper', 60)).count, 40);
  });

  test('a session revoked just before its master dies is still revoked once the replica has taken over', { timeout: 60_000 }, async () => {
    const redis = await connect('failover');
    const [writer, reader] = [new SessionStore(redis, log), new SessionStore(await connect('reader'), log)];
    const sid = randomBytes(8).toString('hex');
    await writer.revoke([sid], 600);
    await env.cluster().killNode(await env.cluster().masterOf(`${env.settings().keyPrefix}session:revoked:${sid}`));
    await waitFor('the revocation to be read from the new master', () => reader.isRevoked(sid).catch(() => false), 15_000);
    assert.equal(redis.isReady, true, 'the connection stayed up through the failover');
  });
});

// A cluster of its own: the one above has lost a master and its replica took over, without a replica of its own.
describe('Redis Cluster losing the node invalidations are heard on', { skip }, () => {
  const { cacheInstance, ...env } = useCluster();

  test('when the node an instance listens on for invalidations dies, it listens on another and still hears them', { timeout: 60_000 }, async () => {
    const [a, b] = [await cacheInstance('a'), await cacheInstance('b')];
    let version = 1;
    const load = async () => `v${version}`;
    const listening = await env.cluster().subscribedNode('b-subscriber');
    assert.ok(listening, "some node has B's invalidation subscription");
    await env.cluster().killNode(listening);
    await waitFor(
      'B to listen again, on another node',
      async () => {
        const now = await env.cluster().subscribedNode('b-subscriber');
        return subscribed(b) && now !== undefined && now !== listening;
      },
      15_000,
    );
    // B now answers from its memory layer, which only an invalidation message can make it leave.
    assert.equal(await b.get(products, 'after-failover', load), 'v1');
    assert.equal(await b.get(products, 'after-failover', load), 'v1');
    version = 2;
    // A's write may go to the slot of the node that died, which answers once its replica has taken
    // over: on a slow machine that takes longer than B's new subscription did.
    await a.invalidate(['products']);
    await waitFor("B to hear A's invalidation", async () => (await b.get(products, 'after-failover', load)) === 'v2', 15_000);
  });
});

describe('Redis Cluster requiring a password', { skip }, () => {
  let cluster: LocalRedisCluster;
  const settingsWith = (password: string | undefined): RedisSettings => ({
    host: '127.0.0.1',
    port: cluster.nodes[0]!.port,
    password,
    keyPrefix: 'dema-test:',
    clusterNodes: cluster.nodes,
  });

  before(async () => {
    cluster = await startRedisCluster({ password: 'cluster-secret' });
  });
  after(() => cluster?.stop());

  test('a missing or wrong REDIS_PASSWORD fails the start naming it; the right one connects', async () => {
    for (const [password, says] of [
      [undefined, /requires a password: set REDIS_PASSWORD/],
      ['wrong', /refused the password in REDIS_PASSWORD/],
    ] as const) {
      const redis = new HealingRedis(settingsWith(password), {}, log, 'refused');
      const error = await redis.connect().then(
        () => undefined,
        (refusal: unknown) => refusal,
      );
      await redis.close();
      assert.match(redisStartupError(error, settingsWith(password))?.message ?? String(error), says);
    }
    const redis = new HealingRedis(settingsWith('cluster-secret'), {}, log, 'accepted');
    await redis.connect();
    assert.equal(await redis.client.ping(), 'PONG');
    await redis.close();
  });
});

/** Whether the cache uses its memory layer, i.e. listens to invalidations (see `Cache.localUsable`). */
function subscribed(cache: Cache): boolean {
  return (cache as unknown as { subscribed: boolean }).subscribed;
}
