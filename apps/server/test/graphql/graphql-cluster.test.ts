import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Cluster, ClusterProcess } from '../../src/cluster-launcher.ts';
import { clusterSkip, startTestCluster } from '../support/test-cluster.ts';
import { failure, graphql, ok } from './client.ts';

/**
 * /graphql in cluster mode: served by the gateway process, its resolvers calling the service
 * instances directly (`upstreamTransport`), under the gateway's authentication and rate limits.
 */

const admin = { email: 'admin@gql-cluster.dema.dev', password: 'quartz-meadow-violin-73' };

/** Requests an instance answered on `route`, from its own Prometheus counter. */
async function answered(cluster: Cluster, instance: ClusterProcess, route: string): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`, { headers: { authorization: `Bearer ${cluster.serviceToken}` } })).text();
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('http_requests_total{') && line.includes(`route="${route}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

describe('GraphQL through the cluster’s gateway (postgres+redis+rabbitmq)', { skip: clusterSkip }, () => {
  let cluster: Cluster;
  let suffix: string;
  let closeCluster: (() => Promise<void>) | undefined;

  before(async () => {
    ({
      cluster,
      suffix,
      close: closeCluster,
    } = await startTestCluster('gqlcluster', {
      services: [
        { name: 'user', instances: 1 },
        { name: 'product', instances: 1 },
        { name: 'order', instances: 1, calls: ['product', 'payment'] },
        { name: 'payment', instances: 1 },
      ],
      admin,
      gatewayEnv: { DEMA_RATE_LIMIT_AUTH: '12/60' },
    }));
  });

  after(async () => {
    await closeCluster?.();
  });

  test('queries and mutations at the gateway’s /graphql reach the instances, with REST’s permissions and errors', async () => {
    const url = cluster.gateway.url;
    const login = ok(
      await graphql<{ login: { tokens: { accessToken: string } } }>(
        url,
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { tokens { accessToken } } }',
        {
          variables: { e: admin.email, p: admin.password },
        },
      ),
    );
    const adminToken = login.login.tokens.accessToken;
    const category = await fetch(`${url}/api/categories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ name: 'Cluster Pans' }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const productsBefore = await answered(cluster, cluster.instance('product', 1), '/api/products');
    const created = ok(
      await graphql<{ createProduct: { id: string; category: { name: string } } }>(
        url,
        'mutation($input: CreateProductInput!) { createProduct(input: $input) { id category { name } } }',
        { variables: { input: { name: 'Cluster Wok', price: 30, stock: 10, categoryId: category.id } }, token: adminToken },
      ),
    ).createProduct;
    assert.deepEqual(created.category, { name: 'Cluster Pans' });
    assert.ok((await answered(cluster, cluster.instance('product', 1), '/api/products')) > productsBefore, 'the product instance answered the inner call');

    const listed = ok(
      await graphql<{ products: { totalCount: number; edges: Array<{ node: { name: string; category: { description: string | null } } }> } }>(
        url,
        '{ products(first: 5) { totalCount edges { node { name category { description } } } } }',
      ),
    );
    assert.equal(listed.products.totalCount, 1);
    assert.equal(listed.products.edges[0]!.node.name, 'Cluster Wok');

    const email = `buyer-${suffix}@gql-cluster.dema.dev`;
    ok(
      await graphql(url, 'mutation($input: SignupInput!) { signup(input: $input) { message } }', {
        variables: { input: { email, password: 'tidal-orchid-lantern-42', name: 'Buyer' } },
      }),
    );
    const signedIn = ok(
      await graphql<{ login: { tokens: { accessToken: string } } }>(
        url,
        'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { tokens { accessToken } } }',
        {
          variables: { email, password: 'tidal-orchid-lantern-42' },
        },
      ),
    );
    const customer = signedIn.login.tokens.accessToken;
    failure(
      await graphql(url, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
        variables: { input: { name: 'Nope', price: 1, stock: 1, categoryId: category.id } },
        token: customer,
      }),
      'FORBIDDEN',
    );
    const placed = ok(
      await graphql<{ placeOrder: { total: number; user: { email: string }; items: Array<{ product: { name: string } }> } }>(
        url,
        'mutation($input: PlaceOrderInput!, $key: String!) { placeOrder(input: $input, idempotencyKey: $key) { total user { email } items { product { name } } } }',
        { variables: { input: { items: [{ productId: created.id, quantity: 2 }] }, key: randomUUID() }, token: customer },
      ),
    ).placeOrder;
    assert.deepEqual(placed, { total: 60, user: { email }, items: [{ product: { name: 'Cluster Wok' } }] });
    const orders = ok(await graphql<{ orders: { totalCount: number } }>(url, '{ orders { totalCount } }', { token: customer }));
    assert.equal(orders.orders.totalCount, 1);
    failure(await graphql(url, '{ me { id } }'), 'UNAUTHENTICATED');
    failure(
      await graphql(url, 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
        variables: { input: { name: 'Bad', price: -1, stock: 1, categoryId: category.id } },
        token: adminToken,
      }),
      'VALIDATION_FAILED',
      'input.price',
    );
  });

  test('the gateway counts each inner call by its class: aliased logins spend the auth budget REST shares', async () => {
    const url = cluster.gateway.url;
    const aliases = Array.from(
      { length: 20 },
      (_, i) => `a${i}: login(email: "nobody-${i}@gql-cluster.dema.dev", password: "guess-${i}") { user { id } }`,
    ).join(' ');
    const answer = await graphql(url, `mutation { ${aliases} }`);
    assert.equal(answer.errors.length, 20);
    const edgeRefused = answer.errors.filter((error) => error.extensions.code === 'RATE_LIMITED' && /auth requests/.test(error.message));
    // The first test spent 3 of the 12 (the admin's login, the signup and the customer's login); 9 more, then the edge refuses.
    assert.equal(edgeRefused.length, 11);
    const rest = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    assert.equal(rest.status, 429);
  });
});
