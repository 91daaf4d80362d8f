import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWK } from 'jose';
import { createDemaClient, login, logout, memoryTokenStore, tokenAuth, type DemaClient, type TokenStore } from '@dema/client';
import { accessTokenAudience, accessTokenIssuer } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { failureOf, password, startClientShop, type ClientShop } from './support/client-shop.ts';

/**
 * `tokenAuth` against the running app: an expired access token is renewed by one refresh however
 * many requests meet it at once, the rotated refresh token kept; a refresh the API refuses (the
 * session ended elsewhere) ends the session here too.
 */

/** A client signed in with `tokenAuth`, counting the refreshes that reach the API. */
interface CountingClient {
  client: DemaClient;
  store: TokenStore;
  refreshes: () => number;
  sessionsEnded: () => number;
}

for (const target of testTargets()) {
  describe(`@dema/client tokenAuth against the app (${target.name})`, () => {
    let shop: ClientShop;
    let signingKey: JWK;

    /**
     * The access token of `store` as it would be 15 minutes on: the same claims (user, role,
     * session), signed with the app's own key, expired a minute ago. The access-token lifetime is
     * the contract's `accessTokenTtl` (900 s), not configurable, so the test makes the token rather
     * than wait for one.
     */
    const expire = async (store: TokenStore) => {
      const tokens = (await store.get())!;
      const claims = decodeJwt(tokens.accessToken) as { sub: string; role: string; sid: string };
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ role: claims.role, sid: claims.sid })
        .setProtectedHeader({ alg: 'EdDSA', kid: decodeProtectedHeader(tokens.accessToken).kid!, typ: 'at+jwt' })
        .setSubject(claims.sub)
        .setIssuer(accessTokenIssuer)
        .setAudience(accessTokenAudience)
        .setIssuedAt(now - 960)
        .setExpirationTime(now - 60)
        .sign(await importJWK(signingKey, 'EdDSA'));
      await store.set({ ...tokens, accessToken: expired });
      return expired;
    };

    const signedIn = async (email?: string): Promise<CountingClient> => {
      let refreshes = 0;
      let sessionsEnded = 0;
      const store = memoryTokenStore();
      const client = createDemaClient({
        baseUrl: shop.url,
        auth: tokenAuth({ store, onSessionEnded: () => sessionsEnded++ }),
        fetch: (request) => {
          if (request.method === 'POST' && new URL(request.url).pathname === '/api/auth/refresh') refreshes++;
          return fetch(request);
        },
      });
      await login(client, { email: email ?? (await shop.newAccount()), password });
      return { client, store, refreshes: () => refreshes, sessionsEnded: () => sessionsEnded };
    };

    before(async () => {
      shop = await startClientShop(target);
      const db = await shop.dema.infra.database('user');
      signingKey = (await db.query<{ private_jwk: JWK }>('SELECT private_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1')).rows[0]!.private_jwk;
    });
    after(async () => {
      await shop?.dema.dispose();
    });

    test('10 requests with an expired access token make one refresh, all succeed, and the rotated refresh token is kept', async () => {
      const { client, store, refreshes } = await signedIn();
      const first = (await store.get())!;
      const expired = await expire(store);
      const rejected = await fetch(`${shop.url}/api/users/me`, { headers: { authorization: `Bearer ${expired}` } });
      assert.equal(rejected.status, 401, 'the API refuses the expired token');

      const answers = await Promise.all(Array.from({ length: 10 }, () => client.GET('/api/users/me')));
      assert.equal(new Set(answers.map((me) => me.id)).size, 1);
      assert.equal(refreshes(), 1, 'one refresh reached the API');
      const renewed = (await store.get())!;
      assert.notEqual(renewed.refreshToken, first.refreshToken, 'the rotated refresh token is stored');
      assert.notEqual(renewed.accessToken, expired);

      // The stored refresh token is the live one: the next expiry is renewed with it.
      await expire(store);
      await client.GET('/api/orders');
      assert.equal(refreshes(), 2);
    });

    test('a refresh refused because the session was logged out elsewhere ends the session here: store cleared, onSessionEnded called', async () => {
      const here = await signedIn();
      const elsewhere = createDemaClient({ baseUrl: shop.url, auth: tokenAuth({ store: memoryTokenStore(await here.store.get()) }) });
      await logout(elsewhere);

      const failure = await failureOf(here.client.GET('/api/users/me'));
      assert.equal(failure.status, 401);
      assert.equal(here.refreshes(), 1, 'one refresh was tried, and refused');
      assert.equal(await here.store.get(), undefined, 'the tokens are forgotten');
      assert.equal(here.sessionsEnded(), 1);
    });

    test("an admin disabling the account revokes its sessions: the customer's client ends its session at the next refresh", async () => {
      const email = await shop.newAccount();
      const customer = await signedIn(email);
      const { id } = await customer.client.GET('/api/users/me');
      await expire(customer.store);
      await shop.admin.PUT('/api/users/{id}', { params: { path: { id } }, body: { disabled: true } });

      const failure = await failureOf(customer.client.GET('/api/orders'));
      assert.equal(failure.status, 401);
      assert.equal(customer.refreshes(), 1);
      assert.equal(await customer.store.get(), undefined);
      assert.equal(customer.sessionsEnded(), 1);
    });
  });
}
