import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { problemContentType } from '@dema/contracts';
import type { RateLimitClass, RateLimitRule } from '@dema/platform';
import { realTarget, startTestProcess, TcpProxy, testRedis, testTargets, type TestProcess, type TestTarget } from '@dema/platform/testing';
import { createProductService } from '@dema/product';
import { createUserService, type UserService } from '@dema/user';
import type { EdgePolicySettings } from '@dema/gateway';
import { isolatedRedis, startTestGateway } from '@dema/gateway/testing';
import { startAllInOne } from './support/all-in-one.ts';

/**
 * Edge rate limits on both public entries: the proxying gateway and the all-in-one process of
 * embedded mode (no proxy). Each test gets an entry of its own, so its counters start at zero.
 */

const password = 'correct-horse-battery-staple';
const serviceToken = 'rate-limit-test-service-token-3c9e';
/** What stands behind the entry: the User service (sign-in) and the Product service (the reads). */
const edgeServices = { user: createUserService, product: createProductService };
const rules = (read: number, write = 100, auth = 100): Record<RateLimitClass, RateLimitRule> => ({
  read: { limit: read, windowSeconds: 60 },
  write: { limit: write, windowSeconds: 60 },
  auth: { limit: auth, windowSeconds: 60 },
});

interface Entry {
  url: string;
  /** An access token of a new customer (issued by the User service directly: no request spent). */
  token(name: string): Promise<{ token: string; userId: string }>;
  close(): Promise<void>;
}

type EntryKind = 'gateway' | 'all-in-one';

async function read(entry: Entry, headers: Record<string, string> = {}) {
  const response = await fetch(`${entry.url}/api/products?limit=1`, { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** A POST with exactly this path on the wire (fetch resolves `..` and `%2e`). */
function rawPost(base: string, path: string, body: string): Promise<{ status: number; policy: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${base}/`,
      { method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, policy: response.headers['ratelimit-policy'] as string | undefined }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function tokenIssuer(services: { user: UserService }): Entry['token'] {
  return async (name) => {
    const identity = services.user.identity;
    const email = `${name}-${Math.random().toString(36).slice(2)}@limits.dema.dev`;
    const user = await identity.createUser(email, password, name, 'customer');
    return { token: (await identity.login(email, password, '127.0.0.1')).tokens.accessToken, userId: user.id };
  };
}

for (const target of testTargets()) {
  for (const kind of ['gateway', 'all-in-one'] as EntryKind[]) {
    describe(`edge rate limits (${kind}, ${target.name})`, () => {
      let upstream: TestProcess<{ user: UserService }> | undefined;
      const open: Entry[] = [];

      before(async () => {
        if (kind === 'gateway') upstream = await startTestProcess(target, edgeServices);
      });
      after(async () => {
        for (const entry of open) await entry.close();
        await upstream?.dispose();
      });

      /** A fresh entry; `policies` may be worked out from the entry's User service (an allowlisted user's id). */
      const start = async (policies: Partial<EdgePolicySettings> | ((issue: Entry['token']) => Promise<Partial<EdgePolicySettings>>)): Promise<Entry> => {
        const entry = kind === 'gateway' ? await startGatewayEntry(target, upstream!, policies) : await startAllInOneEntry(target, policies);
        open.push(entry);
        return entry;
      };

      test('reads over the limit get a 429 problem with Retry-After and the IETF RateLimit fields', async () => {
        const entry = await start({ rateLimits: rules(5) });
        for (let i = 1; i <= 5; i++) {
          const response = await read(entry);
          assert.equal(response.status, 200, response.body);
          assert.equal(response.headers.get('ratelimit-policy'), '"read";q=5;w=60');
          assert.match(response.headers.get('ratelimit') ?? '', new RegExp(`^"read";r=${5 - i};t=\\d+$`));
        }
        const limited = await read(entry);
        assert.equal(limited.status, 429);
        assert.equal(limited.headers.get('content-type')?.split(';')[0], problemContentType);
        assert.equal(JSON.parse(limited.body).code, 'RATE_LIMITED');
        const retryAfter = Number(limited.headers.get('retry-after'));
        assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
        assert.equal(limited.headers.get('ratelimit-policy'), '"read";q=5;w=60');
        assert.equal(limited.headers.get('ratelimit'), `"read";r=0;t=${retryAfter}`);
      });

      test('sign-in routes have their own, stricter budget; reads are not spent by them', async () => {
        const entry = await start({ rateLimits: rules(50, 50, 2) });
        const attempt = () =>
          fetch(`${entry.url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'nobody@limits.dema.dev', password }),
          });
        assert.equal((await attempt()).status, 401);
        assert.equal((await attempt()).status, 401);
        const third = await attempt();
        assert.equal(third.status, 429);
        assert.equal(third.headers.get('ratelimit-policy'), '"auth";q=2;w=60');
        assert.equal((await read(entry)).status, 200);
      });

      test('a sign-in route spelled with escapes or dot segments is counted as sign-in, and served as the sign-in it was counted as', async () => {
        const entry = await start({ rateLimits: rules(50, 50, 3) });
        const body = JSON.stringify({ email: 'nobody@limits.dema.dev', password });
        const escaped = await rawPost(entry.url, '/api/%61uth/login', body);
        assert.equal(escaped.policy, '"auth";q=3;w=60');
        assert.equal(escaped.status, 401, 'answered by the login route');
        for (const path of ['/api/x/../auth/login', '/api/x/%2e%2E/auth/login']) {
          const dotted = await rawPost(entry.url, path, body);
          assert.equal(dotted.policy, '"auth";q=3;w=60', path);
          // The gateway forwards the resolved path; the all-in-one router resolves no dot segments.
          assert.equal(dotted.status, kind === 'gateway' ? 401 : 404, path);
        }
        assert.equal((await rawPost(entry.url, '/api/%61uth/login', body)).status, 429);
      });

      test('requests with a bad token are counted against the address: a flood of them gets 429', async () => {
        const entry = await start({ rateLimits: rules(3) });
        const forged = { authorization: 'Bearer not.a.token' };
        for (let i = 0; i < 3; i++) assert.equal((await read(entry, forged)).status, 401);
        const limited = await read(entry, forged);
        assert.equal(limited.status, 429, limited.body);
        assert.equal(JSON.parse(limited.body).code, 'RATE_LIMITED');
        assert.equal((await read(entry)).status, 429, 'the same budget as the address’s anonymous requests');
      });

      test('a signed-in user has a budget of their own, not the address’s', async () => {
        const entry = await start({ rateLimits: rules(3) });
        for (let i = 0; i < 3; i++) assert.equal((await read(entry)).status, 200);
        assert.equal((await read(entry)).status, 429, 'the address is spent');
        const { token } = await entry.token('own-budget');
        for (let i = 0; i < 3; i++) assert.equal((await read(entry, { authorization: `Bearer ${token}` })).status, 200);
        assert.equal((await read(entry, { authorization: `Bearer ${token}` })).status, 429, 'then the user is spent too');
      });

      test('allowlisted addresses (and CIDRs) are never counted; the allowlist is empty by default', async () => {
        const listed = await start({ rateLimits: rules(2), rateLimitAllowlist: ['10.0.0.0/8', '127.0.0.1'] });
        for (let i = 0; i < 8; i++) {
          const response = await read(listed);
          assert.equal(response.status, 200);
          assert.equal(response.headers.get('ratelimit'), null, 'not counted at all');
        }
        const unlisted = await start({ rateLimits: rules(2) });
        assert.equal((await read(unlisted)).status, 200);
        assert.equal((await read(unlisted)).status, 200);
        assert.equal((await read(unlisted)).status, 429, 'by default no one is let through');
      });

      test('an allowlisted user is not limited, while the address they call from is', async () => {
        let vip: { token: string; userId: string } | undefined;
        const entry = await start(async (issue) => {
          vip = await issue('load-tester');
          return { rateLimits: rules(2), rateLimitAllowlist: [vip.userId] };
        });
        for (let i = 0; i < 5; i++) assert.equal((await read(entry, { authorization: `Bearer ${vip!.token}` })).status, 200);
        assert.equal((await read(entry)).status, 200);
        assert.equal((await read(entry)).status, 200);
        assert.equal((await read(entry)).status, 429);
      });

      test('health checks, metrics scrapes and CORS preflights are never limited', async () => {
        const entry = await start({ rateLimits: rules(1) });
        for (let i = 0; i < 5; i++) {
          assert.equal((await fetch(`${entry.url}/health/live`)).status, 200);
          assert.equal((await fetch(`${entry.url}/metrics`, { headers: { authorization: `Bearer ${serviceToken}` } })).status, 200);
          const preflight = await fetch(`${entry.url}/api/products`, {
            method: 'OPTIONS',
            headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET' },
          });
          assert.equal(preflight.status, 204);
        }
      });
    });
  }
}

const real = realTarget();
const redis = testRedis();
describe('edge rate limits across gateway instances (postgres+redis)', { skip: real && redis ? false : 'TEST_DATABASE_URL / TEST_REDIS_HOST not set' }, () => {
  let upstream: TestProcess<{ user: UserService }>;
  before(async () => {
    upstream = await startTestProcess(real!, edgeServices);
  });
  after(() => upstream?.dispose());

  test('two gateways draw from one budget through Redis', async () => {
    const shared = isolatedRedis(redis!);
    const options = { upstreams: { user: [upstream.url], product: [upstream.url] }, policies: { rateLimits: rules(4) } };
    const first = await startTestGateway({ redis: shared }, options);
    const second = await startTestGateway({ redis: shared }, options);
    try {
      const remaining: string[] = [];
      for (const gateway of [first, first, second, second]) {
        const response = await fetch(`${gateway.url}/api/products?limit=1`);
        assert.equal(response.status, 200);
        remaining.push(/r=(\d+)/.exec(response.headers.get('ratelimit') ?? '')![1]!);
      }
      assert.deepEqual(remaining, ['3', '2', '1', '0'], 'one count across both');
      assert.equal((await fetch(`${first.url}/api/products?limit=1`)).status, 429);
      assert.equal((await fetch(`${second.url}/api/products?limit=1`)).status, 429);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('with Redis gone the gateway keeps serving and limits with a counter of its own', async () => {
    const proxy = await TcpProxy.start(redis!);
    const gateway = await startTestGateway(
      { redis: { ...isolatedRedis(redis!)!, host: '127.0.0.1', port: proxy.port } },
      { upstreams: { user: [upstream.url], product: [upstream.url] }, policies: { rateLimits: rules(3) } },
    );
    try {
      assert.equal((await fetch(`${gateway.url}/api/products?limit=1`)).status, 200, 'counted in Redis');
      proxy.cut();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${gateway.url}/api/products?limit=1`)).status);
      assert.deepEqual(statuses, [200, 200, 200, 429], 'served, and limited locally from zero');
      const ready = (await (await fetch(`${gateway.url}/health/ready`)).json()) as { status: string; checks: Record<string, { status: string }> };
      assert.equal(ready.status, 'degraded');
      assert.equal(ready.checks.cache!.status, 'degraded');
    } finally {
      proxy.restore();
      await gateway.close();
      await proxy.close();
    }
  });
});

type Policies = Partial<EdgePolicySettings> | ((issue: Entry['token']) => Promise<Partial<EdgePolicySettings>>);

async function startGatewayEntry(target: TestTarget, upstream: TestProcess<{ user: UserService }>, policies: Policies): Promise<Entry> {
  const redis = target.name === 'postgres+redis' ? isolatedRedis(testRedis()!) : undefined;
  const token = tokenIssuer(upstream.services);
  const settings = typeof policies === 'function' ? await policies(token) : policies;
  const gateway = await startTestGateway({ redis, serviceToken }, { upstreams: { user: [upstream.url], product: [upstream.url] }, policies: settings });
  return { url: gateway.url, token, close: () => gateway.close() };
}

async function startAllInOneEntry(target: TestTarget, policies: Policies): Promise<Entry> {
  const process = await startAllInOne(target, edgeServices, async (services) => (typeof policies === 'function' ? policies(tokenIssuer(services)) : policies), {
    serviceToken,
  });
  return { url: process.url, token: tokenIssuer(process.services), close: () => process.dispose() };
}
