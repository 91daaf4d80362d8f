import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { behindProxies, keepBusy, leakPattern, realTarget, statusCounts, waitFor, type Outages } from '@dema/platform/testing';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';
import { allInOneServices } from '../src/services.ts';

/**
 * Redis taken away from the all-in-one process (a proxy in front of the real server is cut) while
 * shoppers browse, fill carts, sign in and refresh, all counted by the rate limits: the catalog
 * keeps answering from the database, no request hangs, and Redis is used again soon after it is back.
 */
const real = realTarget();
const outageMs = 6_000;
/** Longer than any request may take, outage or not: Redis commands time out after 500 ms. */
const answerWithinMs = 5_000;
const password = 'correct-horse-battery-staple';

describe('Redis cut under load (real servers)', { skip: real ? false : 'needs TEST_DATABASE_URL and TEST_REDIS_HOST' }, () => {
  let outages: Outages;
  let dema: AllInOne;
  let productId: string;
  let shoppers: Array<{ email: string; token: string }>;

  const api = (token: string | undefined, method: string, url: string, body?: unknown, signal?: AbortSignal) =>
    fetch(`${dema.url}${url}`, {
      method,
      signal,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    outages = await behindProxies(real!);
    // Rate limits stay on (they count in Redis) with budgets this one-address load cannot reach.
    const generous = { limit: 1_000_000, windowSeconds: 60 };
    dema = await startAllInOne(outages.target, allInOneServices(), { rateLimits: { auth: generous, read: generous, write: generous } });
    const users = dema.services.user;
    const signIn = async (email: string, role: 'admin' | 'customer') => {
      await users.identity.createUser(email, password, role, role);
      return { email, token: (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken };
    };
    const admin = await signIn('admin@redis-outage.dema.dev', 'admin');
    shoppers = await Promise.all(Array.from({ length: 4 }, (_, i) => signIn(`shopper${i}@redis-outage.dema.dev`, 'customer')));
    const category = (await (await api(admin.token, 'POST', '/api/categories', { name: 'Redis outage' })).json()) as { id: string };
    const created = await api(admin.token, 'POST', '/api/products', { name: 'Redis Lamp', price: 10, stock: 100, categoryId: category.id });
    assert.equal(created.status, 201, await created.clone().text());
    productId = ((await created.json()) as { id: string }).id;
  });

  after(async () => {
    await dema?.dispose();
    await outages?.close();
  });

  test('the catalog stays 2xx from the database, every request answers within 5 s, and carts work again within 10 s of its return', {
    timeout: 120_000,
  }, async (t) => {
    const catalog = keepBusy(
      4,
      (signal, worker) =>
        api(
          undefined,
          'GET',
          worker % 2 === 0 ? `/api/products/${productId}` : `/api/products?limit=5&offset=${Math.floor(Math.random() * 3)}`,
          undefined,
          signal,
        ),
      answerWithinMs,
    );
    const carts = keepBusy(2, (signal, worker) => api(shoppers[worker]!.token, 'PUT', `/api/cart/items/${productId}`, { quantity: 1 }, signal), answerWithinMs);
    // Sessions: signed-in reads (the token is checked against revocations), logins (throttled) and a wrong password now and then.
    const sessions = keepBusy(
      2,
      (signal, worker) => {
        const shopper = shoppers[2 + worker]!;
        return Math.random() < 0.5
          ? api(shopper.token, 'GET', '/api/users/me', undefined, signal)
          : api(undefined, 'POST', '/api/auth/login', { email: shopper.email, password: Math.random() < 0.2 ? 'wrong-password-entirely' : password }, signal);
      },
      answerWithinMs,
    );

    await delay(1_500);
    outages.redis.cut();
    const cutAt = Date.now();
    await delay(outageMs);
    outages.redis.restore();
    const restoredAt = Date.now();
    let last = '';
    try {
      await waitFor(
        'a cart to be written in Redis again',
        async () => {
          const response = await api(shoppers[0]!.token, 'PUT', `/api/cart/items/${productId}`, { quantity: 2 });
          last = `${response.status} ${await response.text()}`;
          return response.status === 200;
        },
        10_000,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last answer: ${last.slice(0, 300)}`);
    } finally {
      t.diagnostic(`carts served again ${Date.now() - restoredAt} ms after Redis returned`);
      await delay(1_000);
      await Promise.all([catalog.stop(), carts.stop(), sessions.stop()]);
    }
    const during = (list: typeof catalog.outcomes) => list.filter((o) => o.at >= cutAt && o.at <= restoredAt);
    t.diagnostic(
      `Redis away ${outageMs} ms; catalog ${statusCounts(catalog.outcomes)} (${during(catalog.outcomes).length} while away), carts ${statusCounts(carts.outcomes)}, sessions ${statusCounts(sessions.outcomes)}; slowest ${Math.max(...[...catalog.outcomes, ...carts.outcomes, ...sessions.outcomes].map((o) => o.ms))} ms`,
    );

    assert.ok(during(catalog.outcomes).length > 20, 'the catalog was read while Redis was away');
    assert.deepEqual(
      catalog.outcomes.filter((o) => o.status < 200 || o.status > 299).map((o) => `${o.status} ${o.detail.slice(0, 200)}`),
      [],
      'every catalog read answered 2xx',
    );
    for (const o of [...catalog.outcomes, ...carts.outcomes, ...sessions.outcomes]) {
      assert.ok(o.status !== 0, `a request did not answer within ${answerWithinMs} ms: ${o.detail}`);
      assert.ok(o.status < 500 || o.status === 503, `${o.status} ${o.detail.slice(0, 300)}`);
      if (o.status >= 400) {
        assert.match(o.contentType ?? '', /^application\/problem\+json/);
        assert.doesNotMatch(o.detail, leakPattern);
      }
      if (o.status === 503) assert.ok(Number(o.retryAfter) > 0, `503 without Retry-After: ${o.detail.slice(0, 200)}`);
    }
    // A wrong password after the outage is refused as such, never a 5xx: a 401, or the login throttle's
    // 429 when the load's logins from this one address reached it (how soon depends on the machine's
    // speed; the throttle counts per address as well as per account).
    const wrong = await api(undefined, 'POST', '/api/auth/login', { email: shoppers[1]!.email, password: 'wrong-password-entirely' });
    const refusal = (await wrong.json()) as { code?: string };
    assert.ok(
      (wrong.status === 401 && refusal.code === 'INVALID_CREDENTIALS') || (wrong.status === 429 && refusal.code === 'RATE_LIMITED'),
      `${wrong.status} ${JSON.stringify(refusal)}`,
    );
  });
});
