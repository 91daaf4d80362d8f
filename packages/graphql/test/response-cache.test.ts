import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { GraphQLError, GraphQLInt, GraphQLObjectType, GraphQLSchema } from 'graphql';
import mercurius from 'mercurius';
import { Cache, createLogger, type DemaConfig } from '@dema/platform';
import { anonymousResponseCache, registerAnonymousResponseCache } from '../src/response-cache.ts';

/**
 * The anonymous response cache on its own: mercurius on a bare Fastify app with a schema whose
 * resolvers count their runs, and the platform cache in memory. What reaches a resolver is what the
 * cache did not answer.
 */

const runs = { tick: 0, slow: 0, bump: 0, flaky: 0 };
let releaseSlow: () => void = () => undefined;
let slowGate = Promise.resolve();

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      tick: { type: GraphQLInt, args: { step: { type: GraphQLInt } }, resolve: (_root, args: { step?: number }) => (runs.tick += args.step ?? 1) },
      slow: {
        type: GraphQLInt,
        resolve: async () => {
          runs.slow += 1;
          await slowGate;
          return runs.slow;
        },
      },
      flaky: {
        type: GraphQLInt,
        resolve: () => {
          runs.flaky += 1;
          if (runs.flaky === 1) throw new GraphQLError('not this time', { extensions: { code: 'UNAVAILABLE' } });
          return runs.flaky;
        },
      },
    },
  }),
  mutation: new GraphQLObjectType({ name: 'Mutation', fields: { bump: { type: GraphQLInt, resolve: () => (runs.bump += 1) } } }),
});

describe('anonymous response cache (in front of mercurius)', () => {
  let app: FastifyInstance;
  let cache: Cache;

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });
    return { status: response.statusCode, text: response.body, body: response.json() as { data?: Record<string, unknown>; errors?: unknown[] } };
  };

  const start = async (cacheEnabled = true) => {
    await app?.close();
    for (const name of Object.keys(runs) as Array<keyof typeof runs>) runs[name] = 0;
    cache = new Cache({ enabled: cacheEnabled, tags: ['products'], log: createLogger('silent', { name: 'test' }) });
    app = Fastify();
    await app.register(async (scope) => {
      registerAnonymousResponseCache(scope, { cache, config: { cacheEnabled } as DemaConfig });
      await scope.register(mercurius, { schema, path: '/graphql', persistedQueryProvider: mercurius.persistedQueryDefaults.automatic() });
    });
    await app.ready();
  };

  beforeEach(() => start());
  after(() => app.close());

  test('an anonymous query is answered once, then from the cache with the same bytes', async () => {
    const first = await post({ query: '{ tick }' });
    const second = await post({ query: '{ tick }' });
    assert.deepEqual(first.body, { data: { tick: 1 } });
    assert.equal(second.text, first.text);
    assert.equal(second.status, 200);
    assert.equal(runs.tick, 1);
  });

  test('the key is the query, its variables and its operation name', async () => {
    const query = 'query A($step: Int) { tick(step: $step) } query B { tick(step: 100) }';
    await post({ query, operationName: 'A', variables: { step: 1 } });
    await post({ query, operationName: 'A', variables: { step: 2 } });
    await post({ query, operationName: 'B' });
    await post({ query, operationName: 'A', variables: { step: 2 } });
    assert.equal(runs.tick, 1 + 2 + 100);
  });

  test('GET and POST of the same query share one entry', async () => {
    const post1 = await post({ query: '{ tick }' });
    const get = await app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('{ tick }')}` });
    assert.equal(get.body, post1.text);
    assert.equal(get.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(runs.tick, 1);
  });

  test('concurrent identical misses run the query once and all get its answer', async () => {
    slowGate = new Promise((resolve) => (releaseSlow = resolve));
    const answers = Array.from({ length: 8 }, () => post({ query: '{ slow }' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    releaseSlow();
    const texts = (await Promise.all(answers)).map((a) => a.text);
    assert.deepEqual(new Set(texts), new Set(['{"data":{"slow":1}}']));
    assert.equal(runs.slow, 1);
  });

  test('a mutation is never cached, not even when identical ones arrive together', async () => {
    await Promise.all([post({ query: 'mutation { bump }' }), post({ query: 'mutation { bump }' })]);
    const third = await post({ query: 'mutation { bump }' });
    assert.deepEqual(third.body, { data: { bump: 3 } });
    assert.equal(runs.bump, 3);
  });

  test('a document of a query and a mutation caches the query and never the mutation', async () => {
    const document = 'query Read { tick } mutation Write { bump }';
    for (let i = 0; i < 2; i++) {
      await post({ query: document, operationName: 'Read' });
      await post({ query: document, operationName: 'Write' });
    }
    assert.deepEqual(runs, { tick: 1, slow: 0, bump: 2, flaky: 0 });
  });

  test('a request with Authorization is never answered from the cache, nor stored in it', async () => {
    await post({ query: '{ tick }' }, { authorization: 'Bearer a' });
    const anonymous = await post({ query: '{ tick }' });
    const signedIn = await post({ query: '{ tick }' }, { authorization: 'Bearer a' });
    assert.deepEqual(anonymous.body, { data: { tick: 2 } });
    assert.deepEqual(signedIn.body, { data: { tick: 3 } });
  });

  test('an answer with errors is not kept', async () => {
    const first = await post({ query: '{ flaky }' });
    assert.equal((first.body.errors ?? []).length, 1);
    const second = await post({ query: '{ flaky }' });
    const third = await post({ query: '{ flaky }' });
    assert.deepEqual(second.body, { data: { flaky: 2 } });
    assert.equal(third.text, second.text);
    assert.equal(runs.flaky, 2);
  });

  test('a query that does not parse is answered by mercurius every time', async () => {
    const first = await post({ query: '{ tick' });
    const second = await post({ query: '{ tick' });
    assert.equal(first.status, 400);
    assert.equal(second.status, 400);
  });

  test("invalidating the product list's tag drops the cached answers", async () => {
    await post({ query: '{ tick }' });
    assert.deepEqual((await post({ query: '{ tick }' })).body, { data: { tick: 1 } });
    await cache.invalidate([...anonymousResponseCache.tags]);
    const after = await post({ query: '{ tick }' });
    assert.deepEqual(after.body, { data: { tick: 2 } });
  });

  test('a persisted query hash alone is served from the entry of its text', async () => {
    const query = '{ tick }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    const registered = await post({ query, extensions });
    const byHash = await post({ extensions });
    assert.equal(byHash.text, registered.text);
    assert.equal(runs.tick, 1);
  });

  test('with the cache off (DEMA_CACHE=off) every query runs', async () => {
    await start(false);
    await post({ query: '{ tick }' });
    const second = await post({ query: '{ tick }' });
    assert.deepEqual(second.body, { data: { tick: 2 } });
  });
});
