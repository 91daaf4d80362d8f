import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { problemContentType } from '@dema/contracts';
import { startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import { createUserService, type UserService } from '@dema/user';
import type { RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';

/**
 * The browser's cookie flow (`/api/auth/cookie`) through both public entries: the refresh token only
 * ever in an httpOnly cookie, rotated on each refresh, ended and cleared on logout; and credentialed
 * CORS for the configured origins only.
 */

const store = 'https://shop.example';
const password = 'tidal-orchid-lantern-42';
const policies = { corsOrigins: [store], rateLimitAllowlist: ['127.0.0.0/8', '::1'] };

/** The `dema_refresh=…` pair of a Set-Cookie list, and its attributes (lower-cased names). */
function refreshCookieOf(response: Response): { value: string; attributes: Map<string, string> } {
  const line = response.headers.getSetCookie().find((c) => c.startsWith('dema_refresh='));
  assert.ok(line, `no dema_refresh cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  const [pair, ...rest] = line.split(';').map((part) => part.trim());
  const attributes = new Map(rest.map((part) => [part.split('=')[0]!.toLowerCase(), part.split('=')[1] ?? '']));
  return { value: pair!.slice('dema_refresh='.length), attributes };
}

for (const target of testTargets()) {
  for (const kind of ['gateway', 'all-in-one'] as const) {
    describe(`cookie flow (${kind}, ${target.name})`, () => {
      let upstream: TestProcess<{ user: UserService }> | undefined;
      let gateway: RunningGateway | undefined;
      let allInOne: AllInOne<{ user: UserService }> | undefined;
      let users: UserService;
      let base: string;

      before(async () => {
        const config = { corsOrigins: [store] };
        if (kind === 'gateway') {
          upstream = await startTestProcess(target, { user: createUserService }, config);
          gateway = await startTestGateway({}, { upstreams: { user: [upstream.url] }, policies });
          base = gateway.url;
          users = upstream.services.user;
        } else {
          allInOne = await startAllInOne(target, { user: createUserService }, policies, config);
          base = allInOne.url;
          users = allInOne.services.user;
        }
      });
      after(async () => {
        await gateway?.close();
        await upstream?.dispose();
        await allInOne?.dispose();
      });

      const account = async () => {
        const email = `cookie.${randomBytes(4).toString('hex')}@test.dema.dev`;
        await users.identity.createUser(email, password, 'Cookie Test', 'customer');
        return email;
      };
      const login = (email: string, headers: Record<string, string> = {}) =>
        fetch(`${base}/api/auth/cookie`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ email, password }),
        });
      const refresh = (cookie: string | undefined, headers: Record<string, string> = {}) =>
        fetch(`${base}/api/auth/cookie/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie: `dema_refresh=${cookie}` } : {}), ...headers },
          body: '{}',
        });
      const me = (accessToken: string) => fetch(`${base}/api/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });

      test('login sets an HttpOnly SameSite=Lax cookie on the cookie path and answers the access token without the refresh token', async () => {
        const email = await account();
        const response = await login(email, { origin: store });
        assert.equal(response.status, 200);
        const body = (await response.json()) as { user: { email: string }; tokens: Record<string, unknown> };
        assert.equal(body.user.email, email);
        assert.deepEqual(Object.keys(body.tokens).sort(), ['accessToken', 'expiresIn', 'tokenType']);
        const cookie = refreshCookieOf(response);
        assert.match(cookie.value, /^[A-Za-z0-9_-]{20,}$/);
        assert.ok(cookie.attributes.has('httponly'));
        assert.equal(cookie.attributes.get('samesite'), 'Lax');
        assert.equal(cookie.attributes.get('path'), '/api/auth/cookie');
        assert.ok(!cookie.attributes.has('secure'), 'plain HTTP: a Secure cookie would never come back');
        assert.ok(Number(cookie.attributes.get('max-age')) > 0);
        assert.equal(response.headers.get('access-control-allow-origin'), store);
        assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
        assert.equal((await me(body.tokens.accessToken as string)).status, 200);
      });

      test('signup through the cookie flow answers 202 and sets no cookie, alike for a registered email; the cookie login then signs in', async () => {
        const email = `cookie.signup.${randomBytes(4).toString('hex')}@test.dema.dev`;
        const signup = () =>
          fetch(`${base}/api/auth/cookie/signup`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: store },
            body: JSON.stringify({ email, password, name: 'Cookie Signup' }),
          });
        const response = await signup();
        assert.equal(response.status, 202);
        assert.equal(response.headers.get('set-cookie'), null);
        const text = await response.text();
        const again = await signup();
        assert.equal(again.status, 202);
        assert.equal(await again.text(), text);
        const login = await fetch(`${base}/api/auth/cookie`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: store },
          body: JSON.stringify({ email, password }),
        });
        assert.equal(login.status, 200);
        assert.equal(((await login.json()) as { user: { email: string } }).user.email, email);
        assert.equal((await refresh(refreshCookieOf(login).value)).status, 200);
      });

      test('a wrong password is a 401 problem and sets no cookie', async () => {
        const email = await account();
        const response = await fetch(`${base}/api/auth/cookie`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: 'not-the-password-at-all' }),
        });
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType);
        assert.equal(((await response.json()) as { code: string }).code, 'INVALID_CREDENTIALS');
        assert.deepEqual(response.headers.getSetCookie(), []);
      });

      test('refresh answers a new access token and rotates the cookie; the old cookie is then refused and ends the session', async () => {
        const first = refreshCookieOf(await login(await account())).value;
        const refreshed = await refresh(first, { origin: store });
        assert.equal(refreshed.status, 200);
        const body = (await refreshed.json()) as { accessToken: string; refreshToken?: string };
        assert.equal(body.refreshToken, undefined);
        const second = refreshCookieOf(refreshed).value;
        assert.notEqual(second, first);
        assert.equal((await me(body.accessToken)).status, 200);

        const replayed = await refresh(first);
        assert.equal(replayed.status, 401);
        assert.equal(((await replayed.json()) as { code: string }).code, 'INVALID_REFRESH_TOKEN');
        assert.equal(refreshCookieOf(replayed).attributes.get('max-age'), '0', 'the dead cookie is cleared');
        // Reuse means theft: the session the cookie belonged to is over, the newest cookie with it.
        assert.equal((await refresh(second)).status, 401);
        assert.equal((await me(body.accessToken)).status, 401);
      });

      test('refresh without a cookie is a 401 problem', async () => {
        const response = await refresh(undefined);
        assert.equal(response.status, 401);
        assert.equal(((await response.json()) as { code: string }).code, 'INVALID_REFRESH_TOKEN');
      });

      test('refresh takes a JSON body only: a form post is refused without touching the cookie', async () => {
        const cookie = refreshCookieOf(await login(await account())).value;
        const form = await fetch(`${base}/api/auth/cookie/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `dema_refresh=${cookie}` },
          body: 'a=1',
        });
        assert.equal(form.status, 415);
        assert.equal((await refresh(cookie)).status, 200, 'the cookie was not spent');
      });

      test('logout ends the session and clears the cookie', async () => {
        const loggedIn = await login(await account());
        const { tokens } = (await loggedIn.json()) as { tokens: { accessToken: string } };
        const cookie = refreshCookieOf(loggedIn).value;
        const response = await fetch(`${base}/api/auth/cookie`, { method: 'DELETE', headers: { cookie: `dema_refresh=${cookie}`, origin: store } });
        assert.equal(response.status, 204);
        const cleared = refreshCookieOf(response);
        assert.equal(cleared.value, '');
        assert.equal(cleared.attributes.get('max-age'), '0');
        assert.equal(cleared.attributes.get('path'), '/api/auth/cookie');
        assert.equal((await refresh(cookie)).status, 401);
        assert.equal((await me(tokens.accessToken)).status, 401, 'the access token stops working at once');
      });

      test('a page of another origin cannot use the cookie (403), and gets no credentialed CORS grant', async () => {
        const cookie = refreshCookieOf(await login(await account())).value;
        for (const origin of ['https://evil.example', 'https://shop.example.evil.example', 'null']) {
          const refused = await refresh(cookie, { origin });
          assert.equal(refused.status, 403, origin);
          assert.equal(refused.headers.get('access-control-allow-origin'), null, origin);
          assert.equal(refused.headers.get('access-control-allow-credentials'), null, origin);
          const logout = await fetch(`${base}/api/auth/cookie`, { method: 'DELETE', headers: { cookie: `dema_refresh=${cookie}`, origin } });
          assert.equal(logout.status, 403, origin);
        }
        const preflight = await fetch(`${base}/api/auth/cookie/refresh`, {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
        assert.equal(preflight.status, 403);
        assert.equal(preflight.headers.get('access-control-allow-credentials'), null);
        assert.equal((await refresh(cookie, { origin: store })).status, 200, 'the refused calls left the cookie working');
      });

      test('a preflight from the configured origin allows credentials for that origin exactly', async () => {
        const preflight = await fetch(`${base}/api/auth/cookie/refresh`, {
          method: 'OPTIONS',
          headers: { origin: store, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
        assert.equal(preflight.status, 204);
        assert.equal(preflight.headers.get('access-control-allow-origin'), store);
        assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
      });
    });
  }
}
