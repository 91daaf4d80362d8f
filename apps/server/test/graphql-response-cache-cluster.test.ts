import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@dema/platform/testing';
import type { Cluster } from '../src/cluster-launcher.ts';
import { clusterSkip, startTestCluster } from './support/test-cluster.ts';

/**
 * The anonymous response cache in cluster mode: it lives in the gateway process (where /graphql is
 * served), and a write on a product instance reaches it through Redis. What reaches the product
 * instance is read from its own request counter.
 */

const admin = { email: 'admin@gql-cache-cluster.dema.dev', password: 'quartz-meadow-violin-73' };

describe('GraphQL anonymous response cache at the cluster’s gateway (postgres+redis+rabbitmq)', { skip: clusterSkip }, () => {
  let cluster: Cluster;
  let closeCluster: (() => Promise<void>) | undefined;
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
    ({ cluster, close: closeCluster } = await startTestCluster('gqlcache', {
      services: [
        { name: 'user', instances: 1 },
        { name: 'product', instances: 1 },
        { name: 'order', instances: 1, calls: ['product', 'payment'] },
        { name: 'payment', instances: 1 },
      ],
      admin,
    }));
    adminToken = ((await rest('POST', '/api/auth/login', admin)) as unknown as { tokens: { accessToken: string } }).tokens.accessToken;
    const category = await rest('POST', '/api/categories', { name: 'Gateway Cache' });
    productId = (await rest('POST', '/api/products', { name: 'Gateway Kettle', price: 30, stock: 3, categoryId: category.id })).id;
  });

  after(async () => {
    await closeCluster?.();
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
