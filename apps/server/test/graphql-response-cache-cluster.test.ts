import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { deleteRedisKeys, testAmqpUrl, testRedis, waitFor } from '@dema/platform/testing';
import { ClusterError, startCluster, type Cluster } from '../src/cluster-launcher.ts';

/**
 * The anonymous response cache in cluster mode: it lives in the gateway process (where /graphql is
 * served), and a write on a product instance reaches it through Redis. What reaches the product
 * instance is read from its own request counter.
 */

const adminUrl = process.env.TEST_DATABASE_URL;
const redis = testRedis();
const amqpUrl = testAmqpUrl();
const skip = adminUrl && redis && amqpUrl ? false : 'needs TEST_DATABASE_URL, TEST_REDIS_HOST and TEST_AMQP_URL';
const admin = { email: 'admin@gql-cache-cluster.dema.dev', password: 'quartz-meadow-violin-73' };

describe('GraphQL anonymous response cache at the cluster’s gateway (postgres+redis+rabbitmq)', { skip }, () => {
  const suffix = randomBytes(4).toString('hex');
  const prefix = `dema_test_gqlcache_${suffix}`;
  const keyPrefix = `dema-test-gqlcache-${suffix}:`;
  let logDir: string;
  let cluster: Cluster;
  let adminToken: string;
  let productId: string;

  /** GET requests the product instance answered on `route` so far. */
  const productRequests = async (route: string): Promise<number> => {
    const text = await (await fetch(`${cluster.instance('product', 1).url}/metrics`, { headers: { authorization: `Bearer ${cluster.serviceToken}` } })).text();
    let total = 0;
    for (const line of text.split('\n'))
      if (line.startsWith('http_requests_total{') && line.includes(`route="${route}"`) && line.includes('method="GET"'))
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
    return total;
  };
  const anonymousName = async (): Promise<string> => {
    const response = await fetch(`${cluster.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ product(id: "${productId}") { name } }` }),
    });
    const body = (await response.json()) as { data?: { product?: { name: string } }; errors?: unknown };
    assert.equal(body.errors, undefined, JSON.stringify(body));
    return body.data!.product!.name;
  };
  const rest = async (method: string, route: string, body: unknown): Promise<{ id: string }> => {
    const response = await fetch(`${cluster.gateway.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(adminToken ? { authorization: `Bearer ${adminToken}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    assert.ok(response.status < 300, `${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as { id: string };
  };

  before(async () => {
    logDir = await mkdtemp(path.join(tmpdir(), 'dema-gql-cache-cluster-'));
    for (let attempt = 0; ; attempt++) {
      const base = 20_000 + Math.floor(Math.random() * 20_000);
      try {
        cluster = await startCluster({
          databaseUrl: adminUrl!,
          redis: redis!,
          amqpUrl: amqpUrl!,
          services: [
            { name: 'user', instances: 1 },
            { name: 'product', instances: 1 },
            { name: 'order', instances: 1, calls: ['product'] },
          ],
          gatewayPort: base,
          gatewayHost: '127.0.0.1',
          basePort: base + 1,
          databasePrefix: prefix,
          redisKeyPrefix: keyPrefix,
          amqpNamespace: `test-gqlcache-${suffix}.`,
          logDir,
          env: {
            LOG_LEVEL: 'warn',
            DEMA_DEMO_DATA: 'false',
            DEMA_ADMIN_EMAIL: admin.email,
            DEMA_ADMIN_PASSWORD: admin.password,
            AMQP_QUEUE_EXPIRES_MS: '600000',
          },
        });
        break;
      } catch (error) {
        if (!(error instanceof ClusterError && /already in use/.test(error.message)) || attempt > 5) throw error;
      }
    }
    adminToken = ((await rest('POST', '/api/auth/login', admin)) as unknown as { tokens: { accessToken: string } }).tokens.accessToken;
    const category = await rest('POST', '/api/categories', { name: 'Gateway Cache' });
    productId = (await rest('POST', '/api/products', { name: 'Gateway Kettle', price: 30, stock: 3, categoryId: category.id })).id;
  });

  after(async () => {
    await cluster?.stop();
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    for (const service of ['user', 'product', 'order']) await client.query(`DROP DATABASE IF EXISTS ${prefix}_${service} WITH (FORCE)`);
    await client.end();
    const keys = new Redis({ host: redis!.host, port: redis!.port, lazyConnect: true });
    await keys.connect();
    await deleteRedisKeys(keys, keyPrefix);
    await keys.quit();
    await rm(logDir, { recursive: true, force: true });
  });

  test('the gateway answers a repeated anonymous query itself, and a product write on the instance drops that answer', async () => {
    assert.equal(await anonymousName(), 'Gateway Kettle');
    const afterFirst = await productRequests('/api/products/:id');
    assert.equal(await anonymousName(), 'Gateway Kettle');
    assert.equal(await anonymousName(), 'Gateway Kettle');
    assert.equal(await productRequests('/api/products/:id'), afterFirst, 'the product instance was not asked again');

    await rest('PUT', `/api/products/${productId}`, { name: 'Gateway Kettle II' });
    // The gateway hears of the write through Redis's invalidation channel: at once, not after the ttl.
    await waitFor('the gateway to answer the new name', async () => (await anonymousName()) === 'Gateway Kettle II', 5_000);
    assert.ok((await productRequests('/api/products/:id')) > afterFirst, 'the new answer came from the product instance');
  });
});
