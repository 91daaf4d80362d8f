import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { ErrorCode, type Principal } from '@dema/contracts';
import { AppError, RateLimiter, createLogger, type DemaApp } from '@dema/platform';
import { EdgeRateLimit, rateLimitClass, rateLimitClient, registerRateLimit, type LimitedClient } from './rate-limit.ts';

const log = createLogger('silent');
const rules = { auth: { limit: 2, windowSeconds: 60 }, read: { limit: 3, windowSeconds: 30 }, write: { limit: 1, windowSeconds: 10 } };
const user = (userId: string): Principal => ({ kind: 'user', userId, role: 'customer', sessionId: 's' });
const anonymousAt = (ip: string): LimitedClient => ({ principal: undefined, ip });

/** An edge limit counting in this process (the RateLimiter without Redis, as in embedded mode). */
const edgeLimit = (allowlist: string[] = []) => new EdgeRateLimit({ limiter: new RateLimiter(undefined, log), rules, allowlist });

/** The 429 a check rejects with, or undefined when it was let through. */
async function refusal(counted: Promise<unknown> | undefined): Promise<AppError | undefined> {
  try {
    await counted;
    return undefined;
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
}

test('sign-in, sign-up and refresh writes are auth; other reads read, other writes write', () => {
  assert.equal(rateLimitClass('POST', '/api/auth/login'), 'auth');
  assert.equal(rateLimitClass('POST', '/api/auth/refresh'), 'auth');
  assert.equal(rateLimitClass('POST', '/api/auth'), 'auth');
  assert.equal(rateLimitClass('DELETE', '/api/auth/session'), 'auth');
  assert.equal(rateLimitClass('GET', '/api/auth/session'), 'read');
  assert.equal(rateLimitClass('HEAD', '/api/products'), 'read');
  assert.equal(rateLimitClass('GET', '/api/products'), 'read');
  assert.equal(rateLimitClass('POST', '/api/orders'), 'write');
  assert.equal(rateLimitClass('PUT', '/api/products/1'), 'write');
  assert.equal(rateLimitClass('POST', '/api/authors'), 'write', 'a path that merely starts with "auth" is not sign-in');
  assert.equal(rateLimitClass('POST', '/api/x/api/auth/login'), 'write');
});

test('preflights, health checks and metrics scrapes are not limited', () => {
  assert.equal(rateLimitClass('OPTIONS', '/api/orders'), undefined);
  assert.equal(rateLimitClass('GET', '/health/ready'), undefined);
  assert.equal(rateLimitClass('GET', '/metrics'), undefined);
  assert.equal(rateLimitClass('GET', '/healthy'), 'read');
  assert.equal(rateLimitClass('GET', '/metrics/x'), 'read');
});

test('a signed-in user is limited by user id, anyone else by address, IPv4-mapped addresses as plain IPv4', () => {
  assert.equal(rateLimitClient({ principal: user('u1'), ip: '10.0.0.1' }), 'user:u1');
  assert.equal(rateLimitClient({ principal: { kind: 'anonymous' }, ip: '10.0.0.1' }), 'ip:10.0.0.1');
  assert.equal(rateLimitClient(anonymousAt('::ffff:10.0.0.2')), 'ip:10.0.0.2');
  assert.equal(rateLimitClient(anonymousAt('::ffff:abcd')), 'ip:::ffff:abcd');
  assert.equal(rateLimitClient(anonymousAt('2001:db8::1')), 'ip:2001:db8::1');
  assert.equal(rateLimitClient(anonymousAt('unknown1.2.3.4')), 'ip:unknown1.2.3.4', 'only the ::ffff: prefix is taken off');
});

test('within the limit each answer carries the policy and what remains; one over gets a 429 with Retry-After', async () => {
  const limit = edgeLimit();
  const client = anonymousAt('192.0.2.1');
  // The window opens with the first hit; later hits may see it a second shorter on a loaded machine.
  assert.deepEqual(await limit.check('GET', '/api/products', client), { 'ratelimit-policy': '"read";q=3;w=30', ratelimit: '"read";r=2;t=30' });
  const second = await limit.check('GET', '/api/products', client);
  assert.equal(second?.['ratelimit-policy'], '"read";q=3;w=30');
  assert.match(second?.ratelimit ?? '', /^"read";r=1;t=(29|30)$/);
  assert.match((await limit.check('GET', '/api/products', client))?.ratelimit ?? '', /^"read";r=0;t=(29|30)$/);
  const over = await refusal(limit.check('GET', '/api/products', client));
  assert.ok(over);
  assert.equal(over.status, 429);
  assert.equal(over.code, ErrorCode.RATE_LIMITED);
  assert.match(over.message, /^More than 3 read requests in 30 s; try again in (29|30) s$/);
  const retryAfter = over.headers?.['retry-after'];
  assert.match(retryAfter ?? '', /^(29|30)$/);
  assert.deepEqual(over.headers, { 'ratelimit-policy': '"read";q=3;w=30', ratelimit: `"read";r=0;t=${retryAfter}`, 'retry-after': retryAfter });
});

test('classes, addresses and users each have their own budget', async () => {
  const limit = edgeLimit();
  const a = anonymousAt('192.0.2.1');
  assert.ok(await limit.check('POST', '/api/orders', a));
  assert.ok(await refusal(limit.check('POST', '/api/orders', a)), 'the write budget of 1 is spent');
  assert.equal(await refusal(limit.check('POST', '/api/auth/login', a)), undefined, 'auth is counted apart');
  const auth = await limit.check('POST', '/api/auth/login', a);
  assert.equal(auth?.['ratelimit-policy'], '"auth";q=2;w=60');
  assert.match(auth?.ratelimit ?? '', /^"auth";r=0;t=(59|60)$/);
  assert.equal(await refusal(limit.check('POST', '/api/orders', anonymousAt('192.0.2.2'))), undefined, 'another address');
  assert.equal(await refusal(limit.check('POST', '/api/orders', { principal: user('u1'), ip: '192.0.2.1' })), undefined, 'a user behind the same address');
  assert.ok(await refusal(limit.check('POST', '/api/orders', { principal: user('u1'), ip: '192.0.2.9' })), 'the user’s budget follows them');
});

test('requests without a class are not counted and cost no promise', () => {
  const limit = edgeLimit();
  for (let i = 0; i < 5; i++) assert.equal(limit.check('GET', '/health/live', anonymousAt('192.0.2.1')), undefined);
});

test('allowlisted addresses, subnets and user ids are never counted', async () => {
  const limit = edgeLimit(['198.51.100.7', '10.1.0.0/16', '2001:db8::/32', 'admin-user']);
  for (let i = 0; i < 3; i++) {
    assert.equal(limit.check('POST', '/api/orders', anonymousAt('198.51.100.7')), undefined);
    assert.equal(limit.check('POST', '/api/orders', anonymousAt('::ffff:198.51.100.7')), undefined);
    assert.equal(limit.check('POST', '/api/orders', anonymousAt('10.1.255.3')), undefined);
    assert.equal(limit.check('POST', '/api/orders', anonymousAt('2001:db8:1::5')), undefined);
    assert.equal(limit.check('POST', '/api/orders', { principal: user('admin-user'), ip: '203.0.113.1' }), undefined);
  }
  assert.ok(limit.check('POST', '/api/orders', anonymousAt('10.2.0.1')), 'outside the subnet');
  assert.ok(limit.check('POST', '/api/orders', anonymousAt('198.51.100.8')), 'next to the address');
  assert.ok(limit.check('POST', '/api/orders', anonymousAt('2001:db9::1')), 'outside the IPv6 prefix');
  assert.ok(limit.check('POST', '/api/orders', { principal: user('other-user'), ip: '203.0.113.1' }), 'another user');
  assert.ok(limit.check('POST', '/api/orders', anonymousAt('admin-user')), 'a user id is not an address');
});

test('an allowlist entry that is neither an address, a CIDR nor a user id is refused at start', () => {
  for (const entry of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/-1', '10.0.0.0/8.5', '10.0.0.0/x', 'someone/8']) {
    assert.throws(() => edgeLimit([entry]), { name: 'TypeError', message: `DEMA_RATE_LIMIT_ALLOWLIST: ${entry} is not a CIDR` }, entry);
  }
  assert.doesNotThrow(() => edgeLimit(['10.0.0.0/32', '10.0.0.0/0', '::/0', '2001:db8::/128']));
});

test('registered on an app, answers carry the rate-limit fields and the request over the limit is refused before its handler', async () => {
  const app = Fastify() as unknown as DemaApp;
  // The platform's server announces refused credentials; this bare app refuses none.
  app.decorate('onRefusedCredentials', () => undefined);
  let handled = 0;
  app.setErrorHandler((error, _request, reply) => {
    const problem = error as unknown as AppError;
    void reply
      .code(problem.status)
      .headers(problem.headers ?? {})
      .send({ code: problem.code });
  });
  registerRateLimit(app, edgeLimit());
  app.get('/api/products', async () => {
    handled += 1;
    return { ok: true };
  });
  app.get('/health/live', async () => ({ ok: true }));
  try {
    const first = await app.inject({ method: 'GET', url: '/api/products?limit=1', remoteAddress: '192.0.2.1' });
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers.ratelimit, '"read";r=2;t=30');
    assert.equal(first.headers['ratelimit-policy'], '"read";q=3;w=30');
    await app.inject({ method: 'GET', url: '/api/products', remoteAddress: '192.0.2.1' });
    await app.inject({ method: 'GET', url: '/api/products', remoteAddress: '192.0.2.1' });
    const over = await app.inject({ method: 'GET', url: '/api/products', remoteAddress: '192.0.2.1' });
    assert.equal(over.statusCode, 429);
    assert.match(String(over.headers['retry-after']), /^(29|30)$/);
    assert.equal(handled, 3);
    const health = await app.inject({ method: 'GET', url: '/health/live?x=1', remoteAddress: '192.0.2.1' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.headers.ratelimit, undefined);
  } finally {
    await app.close();
  }
});
