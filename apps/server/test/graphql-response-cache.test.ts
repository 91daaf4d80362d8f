import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { realTarget, testTargets, waitFor, type TestEnvironment, type TestTarget } from '@dema/platform/testing';
import { anonymousResponseCache } from '@dema/graphql';
import { allInOneServices } from '../src/services.ts';
import { startAllInOne, type AllInOne, type AllInOneServices } from './support/all-in-one.ts';

/**
 * The anonymous response cache of /graphql (docs/api.md#graphql) in the all-in-one process as
 * `npm start` runs it: what it serves, to whom, and that a catalog write from either API drops it.
 * Hits and misses are read from the process's own cache metrics (`cache_requests_total`).
 */

const policies = { rateLimitAllowlist: ['127.0.0.0/8', '::1'] };
const password = 'correct-horse-battery-staple';

interface GraphqlAnswer {
  status: number;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

for (const target of testTargets()) {
  describe(`GraphQL anonymous response cache (${target.name})`, () => {
    let running: AllInOne<AllInOneServices>;
    let adminToken: string;
    let customerToken: string;
    let productId: string;
    let categoryId: string;

    const post = async (body: unknown, headers: Record<string, string> = {}): Promise<GraphqlAnswer> => {
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as GraphqlAnswer['body'] };
    };
    const rest = async (method: string, path: string, body?: unknown, token = adminToken) => {
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as { id: string };
    };
    /** This process's hits and misses of the GraphQL response cache so far. */
    const counts = async (): Promise<{ hit: number; miss: number }> => {
      const { values } = await running.infra.metrics.cacheRequests.get();
      const of = (outcome: string) => values.find((v) => v.labels.cache === anonymousResponseCache.name && v.labels.outcome === outcome)?.value ?? 0;
      return { hit: of('hit'), miss: of('miss') };
    };
    /** The answer's data, which it must have without errors. */
    const dataOf = <T>(answer: GraphqlAnswer): T => {
      assert.equal(answer.body.errors, undefined, answer.text);
      assert.ok(answer.body.data, answer.text);
      return answer.body.data as T;
    };
    const delta = (before: { hit: number; miss: number }, now: { hit: number; miss: number }) => ({ hit: now.hit - before.hit, miss: now.miss - before.miss });

    before(async () => {
      running = await startAllInOne(target, allInOneServices(), policies);
      const identity = running.services.user.identity;
      await identity.createUser('admin@gql-cache.dema.dev', password, 'Admin', 'admin');
      await identity.createUser('customer@gql-cache.dema.dev', password, 'Customer', 'customer');
      adminToken = (await identity.login('admin@gql-cache.dema.dev', password, '127.0.0.1')).tokens.accessToken;
      customerToken = (await identity.login('customer@gql-cache.dema.dev', password, '127.0.0.1')).tokens.accessToken;
      categoryId = (await rest('POST', '/api/categories', { name: 'Cache Kitchen' })).id;
      productId = (await rest('POST', '/api/products', { name: 'Cache Pan', price: 10, stock: 5, categoryId })).id;
      await rest('POST', '/api/products', { name: 'Cache Pot', price: 20, stock: 5, categoryId });
    });
    after(async () => {
      await running?.dispose();
    });

    test('the second identical anonymous query is answered from the cache with the same bytes', async () => {
      const query = { query: 'query CachedPage { products(first: 5) { totalCount edges { node { id name price } } } }', operationName: 'CachedPage' };
      const start = await counts();
      const first = await post(query);
      assert.equal(first.status, 200);
      assert.equal(first.body.errors, undefined, first.text);
      const second = await post(query);
      assert.equal(second.status, 200);
      assert.equal(second.text, first.text);
      assert.deepEqual(delta(start, await counts()), { hit: 1, miss: 1 });
    });

    test('other variables are another entry', async () => {
      const query = 'query Page($first: Int!) { products(first: $first) { edges { node { id } } } }';
      const start = await counts();
      const one = await post({ query, variables: { first: 1 } });
      const two = await post({ query, variables: { first: 2 } });
      assert.equal(dataOf<{ products: { edges: unknown[] } }>(one).products.edges.length, 1);
      assert.equal(dataOf<{ products: { edges: unknown[] } }>(two).products.edges.length, 2);
      assert.deepEqual(delta(start, await counts()), { hit: 0, miss: 2 });
    });

    test('a query sent as an automatic persisted query hash after its text is a hit of the same entry', async () => {
      const query = '{ products(first: 3) { edges { node { id stock } } } }';
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const extensions = { persistedQuery: { version: 1, sha256Hash } };
      const start = await counts();
      const registered = await post({ query, extensions });
      assert.equal(registered.body.errors, undefined, registered.text);
      const byHash = await post({ extensions });
      assert.equal(byHash.text, registered.text);
      assert.deepEqual(delta(start, await counts()), { hit: 1, miss: 1 });
    });

    test('an authenticated query is never served from the cache nor stored in it', async () => {
      const query = { query: '{ products(first: 4) { edges { node { id name } } } me { email } }' };
      const start = await counts();
      for (let i = 0; i < 3; i++) {
        const answer = await post(query, { authorization: `Bearer ${customerToken}` });
        assert.equal(dataOf<{ me: { email: string } }>(answer).me.email, 'customer@gql-cache.dema.dev');
      }
      assert.deepEqual(delta(start, await counts()), { hit: 0, miss: 0 });
      // The same text anonymously: `me` is null for nobody, so it is the caller's own answer, looked up afresh.
      const anonymous = await post({ query: '{ products(first: 4) { edges { node { id name } } } }' });
      assert.equal(anonymous.body.errors, undefined, anonymous.text);
      assert.deepEqual(delta(start, await counts()), { hit: 0, miss: 1 });
    });

    test('a product updated through REST is in the next anonymous answer', async () => {
      const query = { query: `{ product(id: "${productId}") { name price } }` };
      await post(query);
      const cached = await post(query);
      assert.deepEqual(cached.body.data?.product, { name: 'Cache Pan', price: 10 });
      await rest('PUT', `/api/products/${productId}`, { name: 'Cache Pan Deluxe', price: 12.5 });
      const start = await counts();
      const after = await post(query);
      assert.deepEqual(after.body.data?.product, { name: 'Cache Pan Deluxe', price: 12.5 });
      assert.deepEqual(delta(start, await counts()), { hit: 0, miss: 1 });
    });

    test('a product updated through a GraphQL mutation is in the next anonymous answer', async () => {
      const list = { query: '{ products(first: 100, search: "Cache Pan") { edges { node { id stock } } } }' };
      await post(list);
      const stockOf = (answer: GraphqlAnswer) =>
        dataOf<{ products: { edges: Array<{ node: { id: string; stock: number } }> } }>(answer).products.edges.find((e) => e.node.id === productId)?.node.stock;
      const cached = await post(list);
      const stock = stockOf(cached);
      assert.equal(typeof stock, 'number', cached.text);
      const adjusted = await post(
        { query: 'mutation Adjust($id: ID!) { adjustStock(productId: $id, delta: 3) { newStock } }', variables: { id: productId } },
        { authorization: `Bearer ${adminToken}` },
      );
      assert.equal(adjusted.body.errors, undefined, adjusted.text);
      assert.equal(stockOf(await post(list)), stock! + 3);
    });

    test('an anonymous mutation is never cached: the same signup twice runs twice', async () => {
      const signup = {
        query: 'mutation Join($email: String!) { signup(input: { email: $email, password: "tidal-orchid-lantern-42", name: "Cache Ann" }) { message } }',
        variables: { email: 'ann@gql-cache.dema.dev' },
      };
      const start = await counts();
      const first = await post(signup);
      assert.equal(first.body.errors, undefined, first.text);
      const second = await post(signup);
      assert.equal(second.body.errors, undefined, second.text);
      assert.deepEqual(delta(start, await counts()), { hit: 0, miss: 0 });
      // Both answers look alike by design; the second reached the User service: it emailed the owner.
      await waitFor('the "account exists" email of the second signup', async () => {
        const mailbox = (await rest('GET', '/api/admin/mailbox?to=ann%40gql-cache.dema.dev')) as unknown as { items: Array<{ subject: string }> };
        return mailbox.items.some((email) => /already have an account/.test(email.subject));
      });
    });

    test('an answer with errors is not kept', async () => {
      const query = { query: '{ product(id: "00000000-0000-4000-8000-000000000000") { id } }' };
      const start = await counts();
      for (let i = 0; i < 2; i++) {
        const answer = await post(query);
        assert.ok(answer.body.errors?.length, answer.text);
      }
      assert.deepEqual(delta(start, await counts()), { hit: 0, miss: 2 });
    });
  });
}

const real = realTarget();
if (real) {
  describe('GraphQL anonymous response cache across instances (postgres+redis)', () => {
    /** Two all-in-one processes on one database and one Redis, as two instances behind a balancer. */
    let shared: TestEnvironment;
    let writer: AllInOne<AllInOneServices>;
    let reader: AllInOne<AllInOneServices>;
    let adminToken: string;
    let productId: string;

    const anonymousName = async (): Promise<string> => {
      const response = await fetch(`${reader.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ product(id: "${productId}") { name } }` }),
      });
      const body = (await response.json()) as { data?: { product?: { name: string } }; errors?: unknown };
      assert.equal(body.errors, undefined, JSON.stringify(body));
      return body.data!.product!.name;
    };
    const hits = async (): Promise<number> =>
      (await reader.infra.metrics.cacheRequests.get()).values.find((v) => v.labels.cache === anonymousResponseCache.name && v.labels.outcome === 'hit')
        ?.value ?? 0;

    before(async () => {
      shared = await real.environment();
      // Both processes get the same database and key prefix; only the last one to stop drops them.
      const same: TestTarget = { name: real.name, environment: async () => ({ ...shared, dispose: async () => undefined }) };
      writer = await startAllInOne(same, allInOneServices(), policies);
      reader = await startAllInOne(same, allInOneServices(), policies);
      const identity = writer.services.user.identity;
      await identity.createUser('admin@gql-cache-two.dema.dev', password, 'Admin', 'admin');
      adminToken = (await identity.login('admin@gql-cache-two.dema.dev', password, '127.0.0.1')).tokens.accessToken;
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${writer.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.equal(response.status, 201);
        return ((await response.json()) as { id: string }).id;
      };
      const categoryId = await post('/api/categories', { name: 'Two Instances' });
      productId = await post('/api/products', { name: 'Shared Kettle', price: 30, stock: 3, categoryId });
    });
    after(async () => {
      await reader?.dispose();
      await writer?.dispose();
      await shared?.dispose();
    });

    test("a product updated through REST on one instance is in the other instance's next anonymous answer", async () => {
      assert.equal(await anonymousName(), 'Shared Kettle');
      const before = await hits();
      assert.equal(await anonymousName(), 'Shared Kettle');
      assert.equal(await hits(), before + 1, 'the reader answered from its cache');
      const response = await fetch(`${writer.url}/api/products/${productId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Shared Kettle II' }),
      });
      assert.equal(response.status, 200);
      // The other instance hears of the write through Redis's invalidation channel: at once, not after the ttl.
      await waitFor('the reader to answer the new name', async () => (await anonymousName()) === 'Shared Kettle II', 5_000);
    });

    test("a product updated through a GraphQL mutation on one instance is in the other instance's next anonymous answer", async () => {
      await anonymousName();
      const response = await fetch(`${writer.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: `mutation { updateProduct(id: "${productId}", input: { name: "Shared Kettle III" }) { name } }` }),
      });
      assert.deepEqual(await response.json(), { data: { updateProduct: { name: 'Shared Kettle III' } } });
      await waitFor('the reader to answer the new name', async () => (await anonymousName()) === 'Shared Kettle III', 5_000);
    });
  });
}
