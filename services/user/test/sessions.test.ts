import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, TokenPair } from '@dema/contracts';
import { startTestProcess, testTargets, type TestProcess } from '@dema/platform/testing';
import { createUserService } from '../src/app.ts';

// The login sequence end to end over HTTP: tokens, rotation with reuse detection, and sessions
// that end at once. (Wider coverage of accounts, throttling and the permission matrix lives beside.)
for (const target of testTargets()) {
  describe(`sessions (${target.name})`, () => {
    let dema: TestProcess;
    let accounts = 0;
    before(async () => {
      dema = await startTestProcess(target, [createUserService]);
    });
    after(() => dema.dispose());

    const post = (url: string, body: unknown, token?: string) =>
      fetch(`${dema.url}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const me = (token: string) => fetch(`${dema.url}/api/users/me`, { headers: { authorization: `Bearer ${token}` } });
    const signup = async (): Promise<Session & { email: string; password: string }> => {
      const email = `shopper${++accounts}@example.com`;
      const password = 'tidal-orchid-lantern-42';
      const response = await post('/api/auth/signup', { email, password, name: 'Shopper' });
      assert.equal(response.status, 201, await response.clone().text());
      return { ...((await response.json()) as Session), email, password };
    };

    test('signup answers the user and a token pair, never a password hash', async () => {
      const response = await post('/api/auth/signup', { email: 'Mixed.Case@Example.COM', password: 'tidal-orchid-lantern-42', name: 'Ann' });
      const text = await response.text();
      assert.equal(response.status, 201);
      assert.doesNotMatch(text, /argon2|password/i);
      const session = JSON.parse(text) as Session;
      assert.equal(session.user.email, 'mixed.case@example.com');
      assert.equal(session.user.role, 'customer');
      assert.equal(session.tokens.tokenType, 'Bearer');
      assert.equal(session.tokens.expiresIn, 900);
      const again = await post('/api/auth/signup', { email: 'MIXED.case@example.com', password: 'tidal-orchid-lantern-42', name: 'Ann' });
      assert.equal(again.status, 409);
      assert.equal((await again.json()).code, 'EMAIL_TAKEN');
    });

    test('the access token is an EdDSA JWT whose key the JWKS serves without its private part', async () => {
      const { tokens } = await signup();
      const [header, payload] = tokens.accessToken.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part!, 'base64url').toString()));
      assert.equal(header.alg, 'EdDSA');
      assert.ok(payload.exp - payload.iat <= 900);
      const jwks = await (await fetch(`${dema.url}/.well-known/jwks.json`)).json();
      const key = jwks.keys.find((k: { kid: string }) => k.kid === header.kid);
      assert.ok(key, 'the signing key is published');
      assert.equal(key.d, undefined);
      assert.equal((await me(tokens.accessToken)).status, 200);
    });

    test('a refresh token works once; presenting it again ends the whole session', async () => {
      const { tokens } = await signup();
      const first = await post('/api/auth/refresh', { refreshToken: tokens.refreshToken });
      assert.equal(first.status, 200);
      const rotated = (await first.json()) as TokenPair;
      assert.notEqual(rotated.refreshToken, tokens.refreshToken);
      assert.ok(rotated.refreshToken.length >= 43, '256 random bits');

      const replay = await post('/api/auth/refresh', { refreshToken: tokens.refreshToken });
      assert.equal(replay.status, 401);
      assert.equal((await replay.json()).code, 'INVALID_REFRESH_TOKEN');
      // Every token of the family is dead now: the rotated refresh token and both access tokens.
      assert.equal((await post('/api/auth/refresh', { refreshToken: rotated.refreshToken })).status, 401);
      assert.equal((await me(rotated.accessToken)).status, 401);
      assert.equal((await me(tokens.accessToken)).status, 401);
    });

    test('refresh tokens are stored only as hashes', async () => {
      const { tokens } = await signup();
      const db = await dema.infra.database('user');
      const { rows } = await db.query<{ token_hash: string }>('SELECT token_hash FROM refresh_tokens');
      assert.ok(rows.length > 0);
      assert.ok(rows.every((row) => row.token_hash !== tokens.refreshToken && /^[0-9a-f]{64}$/.test(row.token_hash)));
    });

    test('two refreshes racing with one token: exactly one wins', async () => {
      const { tokens } = await signup();
      const statuses = (await Promise.all([1, 2].map(() => post('/api/auth/refresh', { refreshToken: tokens.refreshToken })))).map((r) => r.status);
      assert.deepEqual(statuses.sort(), [200, 401]);
    });

    test('logout ends the session at once: its access and refresh tokens stop working', async () => {
      const { tokens } = await signup();
      const out = await post('/api/auth/logout', {}, tokens.accessToken);
      assert.equal(out.status, 204);
      assert.equal((await me(tokens.accessToken)).status, 401);
      assert.equal((await post('/api/auth/refresh', { refreshToken: tokens.refreshToken })).status, 401);
    });

    test('a password change needs the current password and ends the other sessions, not this one', async () => {
      const account = await signup();
      const other = (await (await post('/api/auth/login', { email: account.email, password: account.password })).json()) as Session;
      const put = (body: unknown) =>
        fetch(`${dema.url}/api/users/me`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${account.tokens.accessToken}` },
          body: JSON.stringify(body),
        });
      const missing = await put({ newPassword: 'violet-harbour-engine-77' });
      assert.equal(missing.status, 422);
      assert.equal((await missing.json()).invalidParams[0].name, 'body.currentPassword');
      assert.equal((await put({ newPassword: 'violet-harbour-engine-77', currentPassword: 'wrong-password-here' })).status, 422);

      assert.equal((await put({ newPassword: 'violet-harbour-engine-77', currentPassword: account.password })).status, 200);
      assert.equal((await me(account.tokens.accessToken)).status, 200, 'the session that changed it goes on');
      assert.equal((await me(other.tokens.accessToken)).status, 401, 'other sessions end at once');
      assert.equal((await post('/api/auth/login', { email: account.email, password: account.password })).status, 401);
      assert.equal((await post('/api/auth/login', { email: account.email, password: 'violet-harbour-engine-77' })).status, 200);
    });

    test('a wrong password and an unknown email get the same answer', async () => {
      const account = await signup();
      const strip = async (response: Response) => {
        const { requestId: _r, instance: _i, ...rest } = await response.json();
        return { status: response.status, ...rest };
      };
      const wrongPassword = await strip(await post('/api/auth/login', { email: account.email, password: 'not-the-password-x' }));
      const unknownEmail = await strip(await post('/api/auth/login', { email: 'nobody@example.com', password: 'not-the-password-x' }));
      assert.deepEqual(wrongPassword, unknownEmail);
      assert.equal(wrongPassword.status, 401);
    });
  });
}
