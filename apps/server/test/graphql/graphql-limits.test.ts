import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createGraphqlModule, type ApiRequest, type ApiTransport } from '@dema/graphql';
import type { Infrastructure } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { allInOneServices } from '../../src/services.ts';
import { startAllInOne, type AllInOne, type AllInOneServices } from '../support/all-in-one.ts';
import { failure, graphql, ok } from './client.ts';

/**
 * /graphql under the edge policies and its own abuse limits: the REST calls an operation costs
 * (DataLoader batching), depth/alias/directive/cost limits, the per-operation time limit, rate
 * limits counted per inner call, request ids, CORS, the body limit, persisted queries, and the
 * development tools on or off.
 */

const password = 'correct-horse-battery-staple';
const origin = 'https://shop.example';

/** Every REST call the GraphQL module makes, and a way to slow the ones whose path matches. */
class Recorder {
  calls: ApiRequest[] = [];
  slow: { pattern: RegExp; ms: number } | undefined;
  wrap =
    (transport: ApiTransport): ApiTransport =>
    async (request) => {
      this.calls.push(request);
      if (this.slow?.pattern.test(request.path)) await new Promise((resolve) => setTimeout(resolve, this.slow!.ms));
      return transport(request);
    };
  /** The calls `work` made. */
  async during(work: () => Promise<unknown>): Promise<ApiRequest[]> {
    const start = this.calls.length;
    await work();
    return this.calls.slice(start);
  }
}

function recordedServices(recorder: Recorder) {
  return { ...allInOneServices(), graphql: (infra: Infrastructure) => createGraphqlModule(infra, { wrapTransport: recorder.wrap }) };
}

for (const target of testTargets()) {
  describe(`GraphQL limits and edge policies (${target.name})`, () => {
    let dema: AllInOne<AllInOneServices>;
    const recorder = new Recorder();
    const tokens = {} as Record<'admin' | 'customer', string>;
    const gql = <T = Record<string, unknown>>(query: string, options: Parameters<typeof graphql>[2] = {}) => graphql<T>(dema.url, query, options);
    const rest = async (method: string, path: string, token: string, body?: unknown) => {
      const response = await fetch(`${dema.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(response.status < 300, await response.clone().text());
      return (await response.json()) as { id: string };
    };

    before(async () => {
      dema = await startAllInOne(target, recordedServices(recorder), {
        corsOrigins: [origin],
        rateLimits: { auth: { limit: 30, windowSeconds: 60 }, read: { limit: 100_000, windowSeconds: 60 }, write: { limit: 100_000, windowSeconds: 60 } },
      });
      for (const role of ['admin', 'customer'] as const) {
        await dema.services.user.identity.createUser(`${role}@limits.dema.dev`, password, role, role);
        tokens[role] = (await dema.services.user.identity.login(`${role}@limits.dema.dev`, password, '127.0.0.1')).tokens.accessToken;
      }
      const categories = await Promise.all(
        ['Pans', 'Knives', 'Aprons'].map((name) => rest('POST', '/api/categories', tokens.admin, { name: `Limits ${name}` })),
      );
      for (let i = 0; i < 60; i++) {
        await rest('POST', '/api/products', tokens.admin, {
          name: `Limits product ${i}`,
          price: 10 + i,
          categoryId: categories[i % 3]!.id,
          specifications: { Batch: String(i % 5), Colour: 'Black' },
          ...(i % 2 === 0
            ? {
                variants: [
                  { name: 'One', stock: 3, options: { size: 'S' } },
                  { name: 'Two', stock: 4 },
                ],
              }
            : { stock: 50 }),
        });
      }
    });
    after(() => dema?.dispose());

    test('products(first: 50) with each product’s category in full, variants and specifications costs 2 REST calls', async () => {
      const query = `{ products(first: 50) { totalCount edges { node {
        id name price stock
        category { id name slug description productCount createdAt updatedAt }
        variants { id name sku price stock options { name value } }
        specifications { name value }
      } } } }`;
      let data: { products: { edges: Array<{ node: { category: { productCount: number }; specifications: unknown[]; variants: unknown[] } }> } } | undefined;
      const calls = await recorder.during(async () => {
        data = ok(await gql(query)) as typeof data;
      });
      assert.equal(data!.products.edges.length, 50);
      assert.ok(data!.products.edges.every((edge) => edge.node.category.productCount === 20 && edge.node.specifications.length === 2));
      assert.deepEqual(
        calls.map((call) => `${call.method} ${call.path.split('?')[0]}`),
        ['GET /api/products', 'GET /api/categories'],
      );
      const inline = await recorder.during(() =>
        gql('{ products(first: 50) { edges { node { category { id name slug } variants { id } specifications { name } } } } }'),
      );
      assert.equal(inline.length, 1, "the product document's own category needs no second call");
    });

    test("orders with their user and every line's product: one call for the orders, one for the user, one for the products", async () => {
      const page = (await fetch(`${dema.url}/api/products?limit=100`).then((r) => r.json())) as { items: Array<{ id: string; variants: unknown[] }> };
      const items = page.items.filter((product) => product.variants.length === 0);
      for (let i = 0; i < 10; i++) {
        const lines = items.slice(i * 3, i * 3 + 3).map((product) => ({ productId: product.id, quantity: 1 }));
        await rest('POST', '/api/orders', tokens.customer, { items: lines });
      }
      let data: { orders: { edges: Array<{ node: { user: { email: string }; items: Array<{ product: { name: string } }> } }> } } | undefined;
      const calls = await recorder.during(async () => {
        data = ok(
          await gql('{ orders(first: 10) { edges { node { id user { email } items { quantity product { name category { name } } } } } } }', {
            token: tokens.customer,
          }),
        ) as typeof data;
      });
      assert.equal(data!.orders.edges.length, 10);
      assert.ok(
        data!.orders.edges.every(
          (edge) => edge.node.user.email === 'customer@limits.dema.dev' && edge.node.items.length === 3 && edge.node.items.every((item) => item.product.name),
        ),
      );
      assert.deepEqual(calls.map((call) => `${call.method} ${call.path.split('?')[0]}`).sort(), ['GET /api/orders', 'GET /api/products', 'GET /api/users/me']);
    });

    test("an admin's orders of several users: one call for the orders, one for all their users, one for the products", async () => {
      const { items } = (await fetch(`${dema.url}/api/products?limit=100&inStock=true&sort=price`).then((r) => r.json())) as {
        items: Array<{ id: string; variants: unknown[] }>;
      };
      const simple = items.filter((product) => product.variants.length === 0);
      for (let i = 0; i < 3; i++) {
        const buyer = await dema.services.user.identity.createUser(`buyer-${i}@limits.dema.dev`, password, `Buyer ${i}`, 'customer');
        const token = (await dema.services.user.identity.login(buyer.email, password, '127.0.0.1')).tokens.accessToken;
        await rest('POST', '/api/orders', token, { items: [{ productId: simple[i]!.id, quantity: 1 }] });
      }
      let data: { orders: { edges: Array<{ node: { user: { email: string } } }> } } | undefined;
      const calls = await recorder.during(async () => {
        data = ok(await gql('{ orders(first: 20) { edges { node { user { email } items { product { name } } } } } }', { token: tokens.admin })) as typeof data;
      });
      const emails = new Set(data!.orders.edges.map((edge) => edge.node.user.email));
      assert.ok(emails.size >= 4, 'orders of the customer and three buyers');
      assert.deepEqual(calls.map((call) => `${call.method} ${call.path.split('?')[0]}`).sort(), ['GET /api/orders', 'GET /api/products', 'GET /api/users']);
    });

    test('more than 100 aliases, more than 50 directives and a cost over the limit are refused (400) before any REST call', async () => {
      const listing = 'products(first: 100) { edges { node { id name category { name description } variants { name } specifications { name value } } } }';
      const refused = [
        `{ ${Array.from({ length: 101 }, (_, i) => `a${i}: categories { name }`).join(' ')} }`,
        `{ categories { ${Array.from({ length: 51 }, () => 'name @include(if: true)').join(' ')} } }`,
        `{ ${Array.from({ length: 100 }, (_, i) => `p${i}: ${listing}`).join(' ')} }`,
      ];
      const calls = await recorder.during(async () => {
        for (const query of refused) {
          const answer = await gql(query, { token: tokens.admin });
          assert.equal(answer.status, 400, query.slice(0, 80));
          assert.match(failure(answer, 'GRAPHQL_VALIDATION_FAILED').message, /limit of/);
        }
      });
      assert.deepEqual(calls, []);
      ok(await gql(`{ ${Array.from({ length: 100 }, (_, i) => `a${i}: categories { name }`).join(' ')} }`));
      ok(await gql(`{ categories { ${Array.from({ length: 50 }, () => 'name @include(if: true)').join(' ')} } }`));
      ok(await gql(`{ ${listing} }`));
    });

    test('inner REST calls carry the caller’s token and request id, and come from the client’s address', async () => {
      const requestId = `gql-${randomUUID()}`;
      let answer: Awaited<ReturnType<typeof gql>> | undefined;
      const calls = await recorder.during(async () => {
        answer = await gql('{ me { id } cart { subtotal } }', { token: tokens.customer, headers: { 'x-request-id': requestId } });
      });
      ok(answer!);
      assert.equal(answer!.headers.get('x-request-id'), requestId);
      assert.equal(calls.length, 2);
      for (const call of calls) {
        assert.equal(call.headers['x-request-id'], requestId);
        assert.equal(call.headers.authorization, `Bearer ${tokens.customer}`);
        assert.match(call.clientIp, /127\.0\.0\.1/);
      }
    });

    test('CORS, security headers and the body limit hold at /graphql as on REST', async () => {
      const preflight = await fetch(`${dema.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
      const allowed = await fetch(`${dema.url}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      assert.equal(allowed.headers.get('access-control-allow-origin'), origin);
      assert.equal(allowed.headers.get('x-content-type-options'), 'nosniff');
      const foreign = await fetch(`${dema.url}/graphql`, {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      assert.equal(foreign.headers.get('access-control-allow-origin'), null);
      const large = await fetch(`${dema.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ __typename }\n#${'x'.repeat(70_000)}` }),
      });
      assert.equal(large.status, 413);
      assert.match(large.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(((await large.json()) as { code: string }).code, 'BODY_TOO_LARGE');
      const badToken = await fetch(`${dema.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      assert.equal(badToken.status, 401);
      assert.equal(((await badToken.json()) as { code: string }).code, 'UNAUTHENTICATED');
    });

    test('automatic persisted queries: an unknown hash asks for the query, which is then known by its hash', async () => {
      const query = '{ categories { name } }';
      const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
      const asked = await fetch(`${dema.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ extensions: { persistedQuery } }),
      });
      const body = (await asked.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      assert.equal(body.errors[0]!.extensions.code, 'PERSISTED_QUERY_NOT_FOUND');
      const full = ok(await graphql<{ categories: unknown[] }>(dema.url, query, { extensions: { persistedQuery } }));
      const byHash = await fetch(`${dema.url}/graphql?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery }))}`);
      assert.equal(byHash.status, 200);
      // Three of this test's own, and the default category every shop has.
      assert.equal(full.categories.length, 4);
      assert.deepEqual(((await byHash.json()) as { data: unknown }).data, full);
    });

    test('introspection and GraphiQL are on outside production', async () => {
      assert.deepEqual(ok(await gql('{ __schema { queryType { name } } }')), { __schema: { queryType: { name: 'Query' } } });
      const page = await fetch(`${dema.url}/graphiql`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self' https:\/\/unpkg\.com/, 'the page may load GraphiQL');
      const api = await fetch(`${dema.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
      assert.equal(api.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
    });

    test('the GraphQL request counts once as a read; each inner REST call counts by its own class, 100 aliased logins as 100 auth hits', async () => {
      const remaining = (headers: Headers) => Number(/r=(\d+)/.exec(headers.get('ratelimit') ?? '')?.[1]);
      const first = await gql('{ __typename }');
      const second = await gql('{ __typename }');
      assert.equal(remaining(first.headers) - remaining(second.headers), 1);
      const threeReads = await gql('{ categories { name } a: products(first: 1) { totalCount } b: products(first: 2) { totalCount } }');
      const after = await gql('{ __typename }');
      // A request's own header is read as it comes in, before its inner calls.
      assert.equal(remaining(second.headers) - remaining(threeReads.headers), 1);
      assert.equal(remaining(threeReads.headers) - remaining(after.headers), 4, 'its three inner reads, and the next request itself');

      await dema.services.user.identity.createUser('target@limits.dema.dev', password, 'Target', 'customer');
      const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: login(email: "target@limits.dema.dev", password: "guess-${i}") { user { id } }`).join(' ');
      const answer = await gql(`mutation { ${aliases} }`);
      assert.equal(answer.errors.length, 100);
      const edgeRefusals = answer.errors.filter((error) => error.extensions.code === 'RATE_LIMITED' && /auth requests/.test(error.message));
      assert.equal(edgeRefusals.length, 70, 'the auth budget of 30 is spent by the first 30 logins');
      const rest = await fetch(`${dema.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'target@limits.dema.dev', password }),
      });
      assert.equal(rest.status, 429, 'REST shares the budget the aliases spent');
    });
  });

  describe(`GraphQL in production mode and its time limit (${target.name})`, () => {
    let dema: AllInOne<AllInOneServices>;
    const recorder = new Recorder();
    before(async () => {
      dema = await startAllInOne(target, recordedServices(recorder), {}, { graphql: { timeoutMs: 300, tools: false, maxCost: 50_000 } });
    });
    after(() => dema?.dispose());

    test('introspection is refused and there is no GraphiQL page', async () => {
      const answer = await graphql(dema.url, '{ __schema { queryType { name } } }');
      assert.equal(answer.status, 400);
      assert.ok(answer.errors.length > 0);
      for (const error of answer.errors) assert.equal(error.extensions.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.match(answer.errors[0]!.message, /introspection/i);
      assert.equal((await fetch(`${dema.url}/graphiql`)).status, 404);
      ok(await graphql(dema.url, '{ categories { name } }'));
    });

    test('an operation running past DEMA_GRAPHQL_TIMEOUT_MS ends with TIMEOUT; the rest of it answers', async () => {
      recorder.slow = { pattern: /^\/api\/categories/, ms: 1_000 };
      try {
        const started = Date.now();
        const answer = await graphql<{ categories: unknown; products: { totalCount: number } }>(dema.url, '{ categories { name } products { totalCount } }');
        assert.ok(Date.now() - started < 900, 'answered at the limit, not when the slow call ended');
        failure(answer, 'TIMEOUT');
        assert.deepEqual(answer.errors[0]!.path, ['categories']);
        assert.deepEqual(answer.data, { categories: null, products: { totalCount: 0 } });
      } finally {
        recorder.slow = undefined;
      }
    });
  });
}
