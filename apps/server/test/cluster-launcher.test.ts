import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callerEnvironment, ClusterError, redisEnvironment, redisFromEnvironment } from '../src/cluster-launcher.ts';

/**
 * What `npm run start:cluster` tells its processes about Redis: the launcher drops the caller's
 * REDIS_* (it decides where Redis is) and gives each process the Redis it read, so whatever it
 * reads must reach them — a Redis Cluster included.
 */
describe('the cluster launcher hands its Redis to every process', () => {
  const handedOn = (env: NodeJS.ProcessEnv) => {
    const redis = redisFromEnvironment(env);
    return redisEnvironment(redis, redis.keyPrefix);
  };

  test('REDIS_CLUSTER_NODES reaches the processes, with the password and key prefix; its first seed stands for REDIS_HOST', () => {
    assert.deepEqual(handedOn({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001', REDIS_PASSWORD: 'secret', REDIS_KEY_PREFIX: 'shop1', PATH: '/bin' }), {
      REDIS_HOST: '10.0.0.1',
      REDIS_PORT: '7000',
      REDIS_PASSWORD: 'secret',
      REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001',
      REDIS_KEY_PREFIX: 'shop1:',
    });
  });

  test('one Redis server: REDIS_HOST, REDIS_PORT, REDIS_PASSWORD and REDIS_KEY_PREFIX as given, no cluster nodes', () => {
    assert.deepEqual(handedOn({ REDIS_HOST: 'cache.internal', REDIS_PORT: '6380', REDIS_PASSWORD: 'secret', REDIS_KEY_PREFIX: 'shop2:' }), {
      REDIS_HOST: 'cache.internal',
      REDIS_PORT: '6380',
      REDIS_PASSWORD: 'secret',
      REDIS_KEY_PREFIX: 'shop2:',
    });
  });

  test('nothing set: the local Redis at 127.0.0.1:6379 under dema:', () => {
    assert.deepEqual(handedOn({}), { REDIS_HOST: '127.0.0.1', REDIS_PORT: '6379', REDIS_KEY_PREFIX: 'dema:' });
  });

  test('a REDIS_CLUSTER_NODES every process would refuse stops the launch, naming it', () => {
    assert.throws(
      () => redisFromEnvironment({ REDIS_CLUSTER_NODES: '10.0.0.1' }),
      (error: Error) => {
        assert.ok(error instanceof ClusterError);
        assert.match(error.message, /REDIS_CLUSTER_NODES="10\.0\.0\.1": expected host:port pairs/);
        return true;
      },
    );
  });
});

describe("the cluster launcher hands on the rest of the caller's environment", () => {
  test('how queues are made and how much is logged pass; where the databases, Redis and the broker are does not', () => {
    assert.deepEqual(
      callerEnvironment({
        AMQP_QUEUE_TYPE: 'quorum',
        AMQP_QUEUE_EXPIRES_MS: '60000',
        LOG_LEVEL: 'warn',
        AMQP_URL: 'amqp://elsewhere',
        AMQP_NAMESPACE: 'other',
        DATABASE_URL: 'postgres://elsewhere/db',
        ORDER_DATABASE_URL: 'postgres://elsewhere/order',
        REDIS_HOST: 'elsewhere',
        PORT: '9999',
        DEMA_SERVICE_TOKEN: 'caller-token',
      }),
      { AMQP_QUEUE_TYPE: 'quorum', AMQP_QUEUE_EXPIRES_MS: '60000', LOG_LEVEL: 'warn' },
    );
  });
});
