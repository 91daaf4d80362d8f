import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieAuth, createDemaClient, login, logout, type DemaClient } from '@dema/client';
import { testTargets } from '@dema/platform/testing';
import { failureOf, password, startClientShop, type ClientShop } from './support/client-shop.ts';

/**
 * `cookieAuth` against the running app's /api/auth/cookie routes, as a browser page of an allowed
 * origin uses it: the refresh token only in the httpOnly cookie, a reload refreshing through it once,
 * logout ending it; and a page of another origin refused.
 */

const store = 'https://shop.example';
const refreshPath = '/api/auth/cookie/refresh';

/**
 * A browser's cookie jar, as small as these tests need (Node's fetch keeps none): a `fetch` that
 * sends back each cookie the API set on its path, and forgets one it clears. It notes the status
 * of every cookie refresh that reaches the API.
 */
function cookieJar() {
  const cookies = new Map<string, { value: string; path: string }>();
  const refreshes: number[] = [];
  return {
    refreshes,
    cookie: (name: string) => cookies.get(name)?.value,
    put: (name: string, value: string, path: string) => cookies.set(name, { value, path }),
    async fetch(request: Request): Promise<Response> {
      const { pathname } = new URL(request.url);
      const sent = [...cookies].filter(([, cookie]) => pathname.startsWith(cookie.path)).map(([name, cookie]) => `${name}=${cookie.value}`);
      if (sent.length > 0) request.headers.set('cookie', sent.join('; '));
      const response = await fetch(request);
      if (request.method === 'POST' && pathname === refreshPath) refreshes.push(response.status);
      for (const line of response.headers.getSetCookie()) {
        const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
        const name = pair.slice(0, pair.indexOf('='));
        const value = pair.slice(pair.indexOf('=') + 1);
        const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice('path='.length) ?? '/';
        if (value === '' || attributes.some((a) => a.toLowerCase() === 'max-age=0')) cookies.delete(name);
        else cookies.set(name, { value, path });
      }
      return response;
    },
  };
}
type CookieJar = ReturnType<typeof cookieJar>;

for (const target of testTargets()) {
  describe(`@dema/client cookieAuth against the app (${target.name})`, () => {
    let shop: ClientShop;
    /** A page of `origin` in a browser holding `jar`: its access token in memory only, gone on reload. */
    const page = (jar: CookieJar, origin = store): DemaClient =>
      createDemaClient({ baseUrl: shop.url, auth: cookieAuth(), fetch: jar.fetch, headers: { origin } });
    const signedIn = async () => {
      const jar = cookieJar();
      const client = page(jar);
      const user = await login(client, { email: await shop.newAccount(), password });
      return { jar, client, user };
    };

    before(async () => {
      shop = await startClientShop(target, { corsOrigins: [store] }, { corsOrigins: [store] });
    });
    after(async () => {
      await shop?.dema.dispose();
    });

    test('login keeps the refresh token in the cookie; after a reload, 5 requests refresh through it once and all succeed', async () => {
      const { jar, client, user } = await signedIn();
      const first = jar.cookie('dema_refresh');
      assert.ok(first, 'the refresh cookie is set');
      assert.equal((await client.GET('/api/users/me')).id, user.id);
      assert.deepEqual(jar.refreshes, [], 'the access token of the login was enough');

      const reloaded = page(jar);
      const answers = await Promise.all(Array.from({ length: 5 }, () => reloaded.GET('/api/users/me')));
      assert.deepEqual(
        answers.map((me) => me.id),
        Array(5).fill(user.id),
      );
      assert.deepEqual(jar.refreshes, [200], 'one refresh');
      assert.notEqual(jar.cookie('dema_refresh'), first, 'the cookie was rotated');
    });

    test('logout clears the cookie and ends the session: a copy of the old cookie is refused', async () => {
      const { jar, client } = await signedIn();
      const old = jar.cookie('dema_refresh')!;
      await logout(client);
      assert.equal(jar.cookie('dema_refresh'), undefined, 'the cookie is cleared');
      assert.equal((await failureOf(client.GET('/api/users/me'))).status, 401);

      jar.put('dema_refresh', old, '/api/auth/cookie');
      jar.refreshes.length = 0;
      assert.equal((await failureOf(page(jar).GET('/api/users/me'))).status, 401);
      assert.deepEqual(jar.refreshes, [401], 'the refresh with the old cookie was refused');
    });

    test('a page of an origin not in DEMA_CORS_ORIGINS is refused 403, and the cookie keeps working for the store', async () => {
      const { jar, user } = await signedIn();
      const elsewhere = page(jar, 'https://evil.example');
      const refusedLogin = await failureOf(login(elsewhere, { email: user.email, password }));
      assert.deepEqual([refusedLogin.status, refusedLogin.code], [403, 'FORBIDDEN']);

      jar.refreshes.length = 0;
      assert.equal((await failureOf(elsewhere.GET('/api/users/me'))).status, 401);
      assert.deepEqual(jar.refreshes, [403], 'the refresh from the other origin was refused');
      assert.equal((await page(jar).GET('/api/users/me')).id, user.id, 'the cookie was not spent');
      assert.deepEqual(jar.refreshes, [403, 200]);
    });
  });
}
