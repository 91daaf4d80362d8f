import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('REDIS_CLUSTER_NODES selects a Redis Cluster by its seed nodes, with the password and prefix of REDIS_*', () => {
  assert.deepEqual(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001', REDIS_PASSWORD: 'secret', REDIS_KEY_PREFIX: 'shop1' }).redis, {
    host: '10.0.0.1',
    port: 7000,
    password: 'secret',
    keyPrefix: 'shop1:',
    clusterNodes: [
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ],
  });
  assert.equal(loadConfig({ REDIS_HOST: '127.0.0.1' }).redis?.clusterNodes, undefined);
});

test('a malformed REDIS_CLUSTER_NODES, or a hash tag in the prefix of a cluster, stops the start naming the variable', () => {
  for (const nodes of ['10.0.0.1', '10.0.0.1:0', '10.0.0.1:7000,', 'a:70000'])
    assert.throws(
      () => loadConfig({ REDIS_CLUSTER_NODES: nodes }),
      (error: Error) => error instanceof ConfigError && /REDIS_CLUSTER_NODES/.test(error.message),
      nodes,
    );
  assert.throws(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_KEY_PREFIX: '{shop1}' }), /REDIS_KEY_PREFIX/);
  assert.equal(loadConfig({ REDIS_HOST: '127.0.0.1', REDIS_KEY_PREFIX: '{shop1}' }).redis?.keyPrefix, '{shop1}:');
});
