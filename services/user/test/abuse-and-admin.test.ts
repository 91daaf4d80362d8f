import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, User } from '@dema/contracts';
import { startProcess, type RunningProcess } from '@dema/platform';
import { realTarget, startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import { createUserService, type UserService } from '../src/app.ts';

const password = 'tidal-orchid-lantern-42';

for (const target of testTargets()) {
  describe(`throttling and user management (${target.name})`, () => {
    let dema: TestProcess;
    let users: UserService;
    let n = 0;
    before(async () => {
      dema = await startTestProcess(target, [createUserService]);
      users = dema.services[0] as UserService;
    });
    after(() => dema.dispose());

    const call = (method: string, url: string, body?: unknown, token?: string, base = dema.url) =>
      fetch(`${base}${url}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const account = async (role: 'customer' | 'admin' = 'customer') => {
      const email = `user${++n}@abuse.example`;
      const user = await users.identity.createUser(email, password, `User ${n}`, role);
      const session = (await users.identity.login(email, password, '10.0.0.1')) as Session;
      return { email, user, token: session.tokens.accessToken, refreshToken: session.tokens.refreshToken };
    };

    test('after 5 failed logins the account answers 429 with Retry-After, even to the right password', async () => {
      const { email } = await account();
      for (let i = 0; i < 5; i += 1) assert.equal((await call('POST', '/api/auth/login', { email, password: 'wrong-password-xx' })).status, 401);
      const blocked = await call('POST', '/api/auth/login', { email, password });
      assert.equal(blocked.status, 429);
      assert.match(blocked.headers.get('content-type')!, /problem\+json/);
      assert.equal((await blocked.json()).code, 'RATE_LIMITED');
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    });

    test('a successful login resets the account count', async () => {
      const { email } = await account();
      for (let i = 0; i < 4; i += 1) await call('POST', '/api/auth/login', { email, password: 'wrong-password-xx' });
      assert.equal((await call('POST', '/api/auth/login', { email, password })).status, 200);
      for (let i = 0; i < 4; i += 1) await call('POST', '/api/auth/login', { email, password: 'wrong-password-xx' });
      assert.equal((await call('POST', '/api/auth/login', { email, password })).status, 200);
    });

    test('signups from one address are limited to 10 an hour', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i += 1) {
        statuses.push((await call('POST', '/api/auth/signup', { email: `signup${i}-${n}@abuse.example`, password, name: 'S' })).status);
      }
      assert.deepEqual(statuses, [...Array(10).fill(201), 429]);
    });

    test('an admin lists and searches users; no response carries a hash', async () => {
      const admin = await account('admin');
      const { email } = await account();
      const response = await call('GET', `/api/users?email=${encodeURIComponent(email.split('@')[0]!)}&limit=5`, undefined, admin.token);
      const text = await response.text();
      assert.equal(response.status, 200);
      assert.doesNotMatch(text, /argon2|password|token_hash/i);
      const page = JSON.parse(text) as { items: User[]; total: number };
      assert.deepEqual(page.items.map((u) => u.email), [email]);
      assert.equal(page.total, 1);
    });

    test('disabling a user ends their sessions at once and stops their logins; deleting keeps the account', async () => {
      const admin = await account('admin');
      const victim = await account();
      const disabled = await call('PUT', `/api/users/${victim.user.id}`, { disabled: true }, admin.token);
      assert.equal(((await disabled.json()) as User).disabled, true);
      assert.equal((await call('GET', '/api/users/me', undefined, victim.token)).status, 401);
      assert.equal((await call('POST', '/api/auth/refresh', { refreshToken: victim.refreshToken })).status, 401);
      assert.equal((await call('POST', '/api/auth/login', { email: victim.email, password })).status, 401);

      const other = await account();
      assert.equal((await call('DELETE', `/api/users/${other.user.id}`, undefined, admin.token)).status, 204);
      const kept = (await (await call('GET', `/api/users/${other.user.id}`, undefined, admin.token)).json()) as User;
      assert.equal(kept.disabled, true);
      assert.equal((await call('GET', '/api/users/7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a', undefined, admin.token)).status, 404);
    });

    test('a role change takes effect: the old token ends and a new login carries the new role', async () => {
      const admin = await account('admin');
      const promoted = await account();
      await call('PUT', `/api/users/${promoted.user.id}`, { role: 'admin' }, admin.token);
      assert.equal((await call('GET', '/api/users/me', undefined, promoted.token)).status, 401);
      const session = (await (await call('POST', '/api/auth/login', { email: promoted.email, password })).json()) as Session;
      assert.equal((await call('GET', '/api/users', undefined, session.tokens.accessToken)).status, 200);
    });
  });
}

const real = realTarget();
describe('throttling across instances (postgres+redis)', { skip: real ? false : 'needs TEST_DATABASE_URL and TEST_REDIS_HOST' }, () => {
  test('failed logins on two instances count together through Redis', async () => {
    const first = await startTestProcess(real!, [createUserService]);
    let second: RunningProcess | undefined;
    try {
      second = await startProcess(first.environment.config, 'second', [createUserService]);
      const email = 'shared@abuse.example';
      await (first.services[0] as UserService).identity.createUser(email, password, 'Shared', 'customer');
      const login = (base: string, pw: string) =>
        fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: pw }) });
      for (let i = 0; i < 5; i += 1) assert.equal((await login(i % 2 === 0 ? first.url : second.url, 'wrong-password-xx')).status, 401);
      assert.equal((await login(first.url, password)).status, 429);
      assert.equal((await login(second.url, password)).status, 429);
    } finally {
      await second?.close();
      await first.dispose();
    }
  });
});
