import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { accessTokenAudience, accessTokenIssuer, type Session, type TokenPair } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { KeyRing } from '../src/keys.ts';
import { goodPassword, median, sha256Hex, startUserService, uniqueEmail, type UserTestProcess } from './helpers.ts';

const signupBody = (overrides: Record<string, unknown> = {}) => ({ email: uniqueEmail('signup'), password: goodPassword, name: 'Ann Example', ...overrides });

for (const target of testTargets()) {
  describe(`authentication (${target.name})`, () => {
    let dema: UserTestProcess;

    before(async () => {
      dema = await startUserService(target);
    });
    after(() => dema.dispose());

    describe('signup', () => {
      /** Signs up, expects the 202, then signs in with the same credentials (what the clients do). */
      const signUpAndIn = async (body: Record<string, unknown>) => {
        const reply = await dema.client().signup(body);
        assert.equal(reply.status, 202, reply.text);
        const login = await dema.client().login(String(body.email), String(body.password));
        assert.equal(login.status, 200, login.text);
        return login.body as Session;
      };
      const accountExistsEmails = async (email: string) => {
        const db = await dema.userDb();
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM email_outbox WHERE template = 'account-exists' AND recipient = $1", [
          email,
        ]);
        return rows[0]!.n;
      };

      test('answers 202 without a session; signing in with the same credentials opens the new account', async () => {
        const email = uniqueEmail('new');
        const reply = await dema.client().signup(signupBody({ email, name: 'Ann Example' }));
        assert.equal(reply.status, 202, reply.text);
        assert.deepEqual(Object.keys(reply.body), ['message']);
        const session = await signUpAndIn(signupBody({ email: uniqueEmail('new'), name: 'Ann Example' }));
        assert.equal(session.user.name, 'Ann Example');
        assert.equal(session.user.disabled, false);
        assert.equal(session.user.emailVerified, false);
        assert.match(session.user.id, /^[0-9a-f-]{36}$/);
        assert.equal(session.tokens.tokenType, 'Bearer');
        assert.equal((await dema.client().me(session.tokens.accessToken)).status, 200, 'the access token works');
        assert.equal((await dema.client().login(email, goodPassword)).status, 200, 'the first signup made its account too');
      });

      test('never shows the password hash in its answer', async () => {
        const reply = await dema.client().signup(signupBody());
        assert.equal(reply.status, 202, reply.text);
        assert.ok(!reply.text.includes('$argon2'), reply.text);
        assert.ok(!/password_?hash/i.test(reply.text), reply.text);
        assert.ok(!reply.text.includes(goodPassword), 'nor the password itself');
      });

      test('stores the email in lower case', async () => {
        const tag = uniqueEmail('x').split('@')[0]!;
        const session = await signUpAndIn(signupBody({ email: `Bea.${tag}@Example.COM` }));
        assert.equal(session.user.email, `bea.${tag.toLowerCase()}@example.com`);
      });

      test('trims the spaces around the email ("  Ann@Example.COM " → "ann@example.com")', async () => {
        assert.equal((await dema.client().signup(signupBody({ email: '  Ann@Example.COM ' }))).status, 202);
        const login = await dema.client().login('ann@example.com', goodPassword);
        assert.equal(login.status, 200, login.text);
        assert.equal(login.body.user.email, 'ann@example.com');
      });

      test('a registered email (in any case) gets the same answer as a new one; nothing is created and its owner is emailed', async () => {
        const tag = uniqueEmail('x').split('@')[0]!;
        const owner = `bob.${tag}@example.com`;
        const first = await dema.client().signup(signupBody({ email: owner, name: 'Bob Owner' }));
        const again = await dema
          .client()
          .signup(signupBody({ email: `BOB.${tag.toUpperCase()}@Example.Com`, password: 'another-long-passphrase-9', name: 'Mallory' }));
        assert.equal(again.status, first.status);
        assert.equal(again.text, first.text);
        assert.equal(again.headers['content-type'], first.headers['content-type']);
        assert.equal((await dema.client().login(owner, 'another-long-passphrase-9')).status, 401, "the second signup's password opens nothing");
        const login = await dema.client().login(owner, goodPassword);
        assert.equal(login.status, 200, login.text);
        assert.equal(login.body.user.name, 'Bob Owner', 'the account is untouched');
        assert.equal(await accountExistsEmails(owner), 1);
      });

      test('a registered email takes about as long as a new one (median ratio within 0.4–2.5)', async () => {
        // Both hash the password; interleaved, each from its own address so no throttle is reached.
        const registered = await dema.createUser();
        const time = async (email: string) => {
          const began = performance.now();
          const reply = await dema.client().signup(signupBody({ email }));
          const elapsed = performance.now() - began;
          assert.equal(reply.status, 202, reply.text);
          return elapsed;
        };
        await time(uniqueEmail('warm-up'));
        const known: number[] = [];
        const fresh: number[] = [];
        for (let i = 0; i < 7; i++) {
          known.push(await time(registered.email));
          fresh.push(await time(uniqueEmail('fresh')));
        }
        const ratio = median(known) / median(fresh);
        assert.ok(ratio >= 0.4 && ratio <= 2.5, `registered ${median(known).toFixed(1)} ms vs new ${median(fresh).toFixed(1)} ms (ratio ${ratio.toFixed(2)})`);
      });

      test('refuses an 11-character password, naming body.password and the length rule', async () => {
        const reply = await dema.client().signup(signupBody({ password: 'abcdefghijk' }));
        assert.equal(reply.status, 400, reply.text);
        assert.match(reply.headers['content-type']!, /^application\/problem\+json/);
        const param = reply.body.invalidParams.find((p: { name: string }) => p.name === 'body.password');
        assert.ok(param, reply.text);
        assert.match(param.reason, /12/);
      });

      test('refuses a 129-character password', async () => {
        const reply = await dema.client().signup(signupBody({ password: 'correct-horse-'.repeat(10).slice(0, 129) }));
        assert.equal(reply.status, 400, reply.text);
        assert.ok(
          reply.body.invalidParams.some((p: { name: string; reason: string }) => p.name === 'body.password' && /128/.test(p.reason)),
          reply.text,
        );
      });

      test('accepts a 128-character password', async () => {
        await signUpAndIn(signupBody({ password: 'correct-horse-'.repeat(10).slice(0, 128) }));
      });

      test('refuses a common password (Password1234) as WEAK_PASSWORD, saying it is common', async () => {
        const reply = await dema.client().signup(signupBody({ password: 'Password1234' }));
        assert.equal(reply.status, 400, reply.text);
        assert.equal(reply.body.code, 'WEAK_PASSWORD');
        assert.match(reply.body.detail, /common/);
        assert.equal(reply.body.invalidParams[0].name, 'body.password');
      });

      test('refuses a name of only spaces, naming body.name', async () => {
        const reply = await dema.client().signup(signupBody({ name: '   ' }));
        assert.equal(reply.status, 400, reply.text);
        assert.ok(
          reply.body.invalidParams.some((p: { name: string }) => p.name === 'body.name'),
          reply.text,
        );
      });

      test('makes a customer, never an admin', async () => {
        const session = await signUpAndIn(signupBody());
        assert.equal(session.user.role, 'customer');
        assert.equal(decodeJwt(session.tokens.accessToken).role, 'customer');
      });

      test('refuses a role field as unknown (400 naming body.role)', async () => {
        const email = uniqueEmail('wannabe');
        const reply = await dema.client().signup(signupBody({ email, role: 'admin' }));
        assert.equal(reply.status, 400, reply.text);
        assert.equal(reply.body.code, 'VALIDATION_FAILED');
        assert.ok(
          reply.body.invalidParams.some((p: { name: string; reason: string }) => p.name === 'body.role' && /not a known field/.test(p.reason)),
          reply.text,
        );
        assert.equal((await dema.client().login(email, goodPassword)).status, 401, 'no account was made');
      });
    });

    describe('login', () => {
      test('with the right password returns the account and a token pair', async () => {
        const { user, email, password } = await dema.createUser();
        const reply = await dema.client().login(email, password);
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.user.id, user.id);
        assert.equal(reply.body.tokens.tokenType, 'Bearer');
        assert.equal(reply.body.tokens.expiresIn, 900);
        assert.ok(reply.body.tokens.accessToken && reply.body.tokens.refreshToken);
      });

      test('accepts the email in another case and with spaces around it', async () => {
        const { user, email, password } = await dema.createUser();
        const reply = await dema.client().login(`  ${email.toUpperCase()} `, password);
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.user.id, user.id);
      });

      test('a wrong password → 401 INVALID_CREDENTIALS', async () => {
        const { email } = await dema.createUser();
        const reply = await dema.client().login(email, 'not-the-password-at-all');
        assert.equal(reply.status, 401, reply.text);
        assert.equal(reply.body.code, 'INVALID_CREDENTIALS');
        assert.match(reply.headers['content-type']!, /^application\/problem\+json/);
      });

      test('an unknown email gets the very answer a wrong password gets', async () => {
        const { email } = await dema.createUser();
        const wrongPassword = await dema.client().login(email, 'not-the-password-at-all');
        const unknownEmail = await dema.client().login(uniqueEmail('nobody'), 'not-the-password-at-all');
        assert.equal(wrongPassword.status, 401);
        assert.equal(unknownEmail.status, 401);
        const strip = ({ requestId: _r, instance: _i, ...rest }: Record<string, unknown>) => rest;
        assert.deepEqual(strip(unknownEmail.body), strip(wrongPassword.body));
        assert.equal(unknownEmail.headers['content-type'], wrongPassword.headers['content-type']);
      });

      test('an unknown email takes about as long as a wrong password (median ratio within 0.4–2.5)', async () => {
        // Nine interleaved samples each, spread over three accounts and three addresses so that no
        // throttle is reached. Skipping the dummy hash makes the ratio ~0.1 (no argon2 at all); the
        // band is wide enough for a loaded 2-core machine, where single samples can double.
        const known = [await dema.createUser(), await dema.createUser(), await dema.createUser()];
        const warmUp = await dema.createUser();
        const clients = [dema.client(), dema.client(), dema.client()];
        let sent = 0;
        const time = async (email: string) => {
          const api = clients[Math.floor(sent++ / 2) % clients.length]!;
          const began = performance.now();
          const reply = await api.login(email, 'not-the-password-at-all');
          const elapsed = performance.now() - began;
          assert.equal(reply.status, 401, reply.text);
          return elapsed;
        };
        await time(warmUp.email);
        await time(uniqueEmail('warm-up'));
        const wrong: number[] = [];
        const unknown: number[] = [];
        for (let i = 0; i < 9; i++) {
          wrong.push(await time(known[i % known.length]!.email));
          unknown.push(await time(uniqueEmail('nobody')));
        }
        const ratio = median(unknown) / median(wrong);
        assert.ok(
          ratio >= 0.4 && ratio <= 2.5,
          `unknown email ${median(unknown).toFixed(1)} ms vs wrong password ${median(wrong).toFixed(1)} ms (ratio ${ratio.toFixed(2)})`,
        );
      });

      test('a disabled user cannot log in, even with the right password', async () => {
        const { user, email, password } = await dema.createUser();
        await dema.users.identity.updateUser(user.id, { disabled: true });
        const reply = await dema.client().login(email, password);
        assert.equal(reply.status, 401, reply.text);
        assert.equal(reply.body.code, 'INVALID_CREDENTIALS');
      });
    });

    describe('access token', () => {
      let session: Session;
      let jwks: { keys: JWK[] };

      before(async () => {
        ({ session } = await dema.signedIn());
        jwks = (await dema.client().send('GET', '/.well-known/jwks.json')).body;
      });

      test('is a JWT signed with EdDSA whose kid is published in /.well-known/jwks.json', () => {
        const header = decodeProtectedHeader(session.tokens.accessToken);
        assert.equal(header.alg, 'EdDSA');
        assert.ok(header.kid, 'has a kid');
        assert.ok(
          jwks.keys.some((key) => key.kid === header.kid),
          `kid ${header.kid} in ${JSON.stringify(jwks.keys.map((k) => k.kid))}`,
        );
      });

      test('verifies against the published JWKS, with this issuer and audience', async () => {
        const { payload } = await jwtVerify(session.tokens.accessToken, createLocalJWKSet(jwks), {
          algorithms: ['EdDSA'],
          issuer: accessTokenIssuer,
          audience: accessTokenAudience,
        });
        assert.equal(payload.sub, session.user.id);
      });

      test('/api/auth/jwks.json publishes the same keys as /.well-known/jwks.json', async () => {
        const reply = await dema.client().send('GET', '/api/auth/jwks.json');
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body, jwks);
      });

      test('the published keys have no private part (d)', async () => {
        for (const path of ['/.well-known/jwks.json', '/api/auth/jwks.json']) {
          const reply = await dema.client().send('GET', path);
          assert.ok(reply.body.keys.length >= 1, path);
          for (const key of reply.body.keys as JWK[]) {
            assert.equal(key.d, undefined, `${path} leaks d`);
            assert.equal(key.kty, 'OKP');
            assert.equal(key.crv, 'Ed25519');
          }
          assert.ok(!reply.text.includes('"d"'), path);
        }
      });

      test('lives at most 15 minutes (exp - iat <= 900)', () => {
        const { exp, iat } = decodeJwt(session.tokens.accessToken);
        assert.equal(typeof exp, 'number');
        assert.equal(typeof iat, 'number');
        assert.ok(exp! - iat! > 0 && exp! - iat! <= 900, `exp - iat = ${exp! - iat!}`);
      });

      test('carries sub, role and sid claims', () => {
        const claims = decodeJwt(session.tokens.accessToken);
        assert.equal(claims.sub, session.user.id);
        assert.equal(claims.role, 'customer');
        assert.equal(typeof claims.sid, 'string');
        assert.match(claims.sid as string, /^[0-9a-f-]{36}$/);
      });

      test('GET /api/users/me with it returns the account', async () => {
        const reply = await dema.client().me(session.tokens.accessToken);
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.body, session.user);
      });

      test('GET /api/users/me without a token → 401 UNAUTHENTICATED', async () => {
        const reply = await dema.client().send('GET', '/api/users/me');
        assert.equal(reply.status, 401, reply.text);
        assert.equal(reply.body.code, 'UNAUTHENTICATED');
      });
    });

    describe('refresh', () => {
      const refreshOk = async (refreshToken: string): Promise<TokenPair> => {
        const reply = await dema.client().refresh(refreshToken);
        assert.equal(reply.status, 200, reply.text);
        return reply.body as TokenPair;
      };

      test('returns a new token pair that works, in the same session', async () => {
        const { session } = await dema.signedIn();
        const pair = await refreshOk(session.tokens.refreshToken);
        assert.notEqual(pair.refreshToken, session.tokens.refreshToken);
        assert.equal(pair.tokenType, 'Bearer');
        assert.equal(decodeJwt(pair.accessToken).sid, decodeJwt(session.tokens.accessToken).sid);
        assert.equal((await dema.client().me(pair.accessToken)).status, 200);
      });

      test('refresh tokens are stored only as hashes: no row holds the raw token', async () => {
        const { session } = await dema.signedIn();
        const pair = await refreshOk(session.tokens.refreshToken);
        const sid = decodeJwt(session.tokens.accessToken).sid as string;
        const db = await dema.userDb();
        const { rows } = await db.query('SELECT * FROM refresh_tokens WHERE family_id = $1', [sid]);
        assert.equal(rows.length, 2, 'the used token and its successor');
        const stored = JSON.stringify(rows);
        for (const raw of [session.tokens.refreshToken, pair.refreshToken]) {
          assert.ok(!stored.includes(raw), 'a raw refresh token is in the database');
          assert.ok(stored.includes(sha256Hex(raw)), 'its hash is');
        }
      });

      test('a refresh token carries at least 256 bits (base64url, 43+ characters)', async () => {
        const { session } = await dema.signedIn();
        for (const token of [session.tokens.refreshToken, (await refreshOk(session.tokens.refreshToken)).refreshToken]) {
          assert.match(token, /^[A-Za-z0-9_-]+$/);
          assert.ok(token.length >= 43, `${token.length} characters`);
        }
      });

      test('an unknown refresh token → 401 INVALID_REFRESH_TOKEN', async () => {
        const reply = await dema.client().refresh('A'.repeat(43));
        assert.equal(reply.status, 401, reply.text);
        assert.equal(reply.body.code, 'INVALID_REFRESH_TOKEN');
      });

      test('a refresh token works once: using it again → 401', async () => {
        const { session } = await dema.signedIn();
        await refreshOk(session.tokens.refreshToken);
        const again = await dema.client().refresh(session.tokens.refreshToken);
        assert.equal(again.status, 401, again.text);
        assert.equal(again.body.code, 'INVALID_REFRESH_TOKEN');
      });

      test('reusing a refresh token ends its session: the newest refresh token of the family stops working', async () => {
        const { session } = await dema.signedIn();
        const second = await refreshOk(session.tokens.refreshToken);
        const third = await refreshOk(second.refreshToken);
        assert.equal((await dema.client().refresh(session.tokens.refreshToken)).status, 401);
        const newest = await dema.client().refresh(third.refreshToken);
        assert.equal(newest.status, 401, newest.text);
      });

      test('reusing a refresh token ends its session: every access token issued in it → 401 at once', async () => {
        const { session } = await dema.signedIn();
        const second = await refreshOk(session.tokens.refreshToken);
        assert.equal((await dema.client().me(second.accessToken)).status, 200);
        assert.equal((await dema.client().refresh(session.tokens.refreshToken)).status, 401);
        for (const token of [session.tokens.accessToken, second.accessToken]) {
          const reply = await dema.client().me(token);
          assert.equal(reply.status, 401, reply.text);
        }
      });

      test("reusing a refresh token leaves the user's other sessions alone", async () => {
        const { email, password, session } = await dema.signedIn();
        const other = await dema.login(email, password);
        await refreshOk(session.tokens.refreshToken);
        assert.equal((await dema.client().refresh(session.tokens.refreshToken)).status, 401);
        assert.equal((await dema.client().me(other.tokens.accessToken)).status, 200);
        assert.equal((await dema.client().refresh(other.tokens.refreshToken)).status, 200);
      });

      test('two concurrent refreshes with one token: exactly one succeeds', async () => {
        const { session } = await dema.signedIn();
        const replies = await Promise.all([dema.client().refresh(session.tokens.refreshToken), dema.client().refresh(session.tokens.refreshToken)]);
        assert.deepEqual(replies.map((r) => r.status).sort(), [200, 401], replies.map((r) => r.text).join('\n'));
      });
    });

    describe('logout', () => {
      test('answers 204', async () => {
        const { session } = await dema.signedIn();
        const reply = await dema.client().send('POST', '/api/auth/logout', { token: session.tokens.accessToken });
        assert.equal(reply.status, 204, reply.text);
        assert.equal(reply.text, '');
      });

      test('the same access token → 401 immediately after', async () => {
        const { session } = await dema.signedIn();
        assert.equal((await dema.client().send('POST', '/api/auth/logout', { token: session.tokens.accessToken })).status, 204);
        const reply = await dema.client().me(session.tokens.accessToken);
        assert.equal(reply.status, 401, reply.text);
        assert.equal(reply.body.code, 'UNAUTHENTICATED');
      });

      test("the session's refresh token → 401 after", async () => {
        const { session } = await dema.signedIn();
        assert.equal((await dema.client().send('POST', '/api/auth/logout', { token: session.tokens.accessToken })).status, 204);
        const reply = await dema.client().refresh(session.tokens.refreshToken);
        assert.equal(reply.status, 401, reply.text);
      });

      test("ends only this session, not the user's others", async () => {
        const { email, password, session } = await dema.signedIn();
        const other = await dema.login(email, password);
        assert.equal((await dema.client().send('POST', '/api/auth/logout', { token: session.tokens.accessToken })).status, 204);
        assert.equal((await dema.client().me(other.tokens.accessToken)).status, 200);
      });

      test('a body with a field → 400 naming it, and the session goes on; an empty object logs out', async () => {
        const { session } = await dema.signedIn();
        const logout = (body: unknown) => dema.client().send('POST', '/api/auth/logout', { token: session.tokens.accessToken, body });
        const refused = await logout({ everywhere: true });
        assert.equal(refused.status, 400, refused.text);
        assert.match(String(refused.headers['content-type']), /problem\+json/);
        assert.equal(refused.body.code, 'VALIDATION_FAILED');
        assert.deepEqual(refused.body.invalidParams, [{ name: 'body.everywhere', reason: 'is not a known field' }]);
        assert.equal((await dema.client().me(session.tokens.accessToken)).status, 200);
        assert.equal((await logout({})).status, 204);
        assert.equal((await dema.client().me(session.tokens.accessToken)).status, 401);
      });

      test('without a token → 401', async () => {
        const reply = await dema.client().send('POST', '/api/auth/logout');
        assert.equal(reply.status, 401, reply.text);
      });
    });

    describe('changing your account (PUT /api/users/me)', () => {
      const newPassword = 'velvet-harbour-compass-77';
      const put = (token: string, body: Record<string, unknown>) => dema.client().send('PUT', '/api/users/me', { token, body });

      test('a new password without currentPassword → 422 naming body.currentPassword', async () => {
        const { session } = await dema.signedIn();
        const reply = await put(session.tokens.accessToken, { newPassword });
        assert.equal(reply.status, 422, reply.text);
        assert.deepEqual(
          reply.body.invalidParams.map((p: { name: string }) => p.name),
          ['body.currentPassword'],
        );
      });

      test('a new password with a wrong currentPassword → 422 naming body.currentPassword', async () => {
        const { session } = await dema.signedIn();
        const reply = await put(session.tokens.accessToken, { newPassword, currentPassword: 'not-my-password-at-all' });
        assert.equal(reply.status, 422, reply.text);
        assert.deepEqual(
          reply.body.invalidParams.map((p: { name: string }) => p.name),
          ['body.currentPassword'],
        );
      });

      test('a refused change leaves the old password working', async () => {
        const { email, password, session } = await dema.signedIn();
        await put(session.tokens.accessToken, { newPassword, currentPassword: 'not-my-password-at-all' });
        assert.equal((await dema.client().login(email, password)).status, 200);
      });

      test('with the right currentPassword the new password is set and logs in', async () => {
        const { user, email, password, session } = await dema.signedIn();
        const reply = await put(session.tokens.accessToken, { newPassword, currentPassword: password });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.id, user.id);
        assert.ok(!reply.text.includes('$argon2'));
        assert.equal((await dema.client().login(email, newPassword)).status, 200);
      });

      test('a common new password → 400 WEAK_PASSWORD naming body.newPassword', async () => {
        const { password, session } = await dema.signedIn();
        const reply = await put(session.tokens.accessToken, { newPassword: 'Password1234', currentPassword: password });
        assert.equal(reply.status, 400, reply.text);
        assert.equal(reply.body.code, 'WEAK_PASSWORD');
        assert.equal(reply.body.invalidParams[0].name, 'body.newPassword');
      });

      test("a password change ends the user's other sessions at once: their access tokens → 401", async () => {
        const { email, password, session } = await dema.signedIn();
        const other = await dema.login(email, password);
        assert.equal((await dema.client().me(other.tokens.accessToken)).status, 200);
        assert.equal((await put(session.tokens.accessToken, { newPassword, currentPassword: password })).status, 200);
        const reply = await dema.client().me(other.tokens.accessToken);
        assert.equal(reply.status, 401, reply.text);
      });

      test("a password change ends the other sessions' refresh tokens", async () => {
        const { email, password, session } = await dema.signedIn();
        const other = await dema.login(email, password);
        assert.equal((await put(session.tokens.accessToken, { newPassword, currentPassword: password })).status, 200);
        const reply = await dema.client().refresh(other.tokens.refreshToken);
        assert.equal(reply.status, 401, reply.text);
      });

      test('a password change keeps the session that made it working', async () => {
        const { password, session } = await dema.signedIn();
        assert.equal((await put(session.tokens.accessToken, { newPassword, currentPassword: password })).status, 200);
        assert.equal((await dema.client().me(session.tokens.accessToken)).status, 200);
        assert.equal((await dema.client().refresh(session.tokens.refreshToken)).status, 200);
      });

      test('after a password change the old password no longer logs in', async () => {
        const { email, password, session } = await dema.signedIn();
        assert.equal((await put(session.tokens.accessToken, { newPassword, currentPassword: password })).status, 200);
        const reply = await dema.client().login(email, password);
        assert.equal(reply.status, 401, reply.text);
        assert.equal(reply.body.code, 'INVALID_CREDENTIALS');
      });

      test('a new name is saved', async () => {
        const { session } = await dema.signedIn();
        const reply = await put(session.tokens.accessToken, { name: 'Renamed Person' });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.name, 'Renamed Person');
        assert.equal((await dema.client().me(session.tokens.accessToken)).body.name, 'Renamed Person');
      });

      test('a name of only spaces is refused, naming body.name', async () => {
        const { session } = await dema.signedIn();
        const reply = await put(session.tokens.accessToken, { name: '   ' });
        assert.equal(reply.status, 400, reply.text);
        assert.ok(
          reply.body.invalidParams.some((p: { name: string }) => p.name === 'body.name'),
          reply.text,
        );
      });

      test('a name change alone keeps every session', async () => {
        const { email, password, session } = await dema.signedIn();
        const other = await dema.login(email, password);
        assert.equal((await put(session.tokens.accessToken, { name: 'Still Signed In' })).status, 200);
        assert.equal((await dema.client().me(other.tokens.accessToken)).status, 200);
      });

      test('a role field is refused as unknown: nobody makes themselves an admin', async () => {
        const { session } = await dema.signedIn();
        const reply = await put(session.tokens.accessToken, { role: 'admin' });
        assert.equal(reply.status, 400, reply.text);
        assert.equal((await dema.client().me(session.tokens.accessToken)).body.role, 'customer');
      });
    });

    describe('signing key', () => {
      test('is generated once and stored: signing_keys has one row', async () => {
        const db = await dema.userDb();
        const { rows } = await db.query<{ kid: string }>('SELECT kid FROM signing_keys');
        assert.equal(rows.length, 1);
        assert.deepEqual(
          dema.users.keys.jwks().keys.map((k) => k.kid),
          [rows[0]!.kid],
        );
      });

      test('loading the key ring again on the same database signs with the same kid, adding no key', async () => {
        const db = await dema.userDb();
        const again = await KeyRing.load(db);
        const claims = {
          sub: '00000000-0000-4000-8000-000000000000',
          role: 'customer' as const,
          sid: '00000000-0000-4000-8000-000000000001',
          email_verified: false,
        };
        const kid = (token: string) => decodeProtectedHeader(token).kid;
        assert.equal(kid(await again.sign(claims)), kid(await dema.users.keys.sign(claims)));
        assert.deepEqual(again.jwks(), dema.users.keys.jwks());
        const { rows } = await db.query('SELECT kid FROM signing_keys');
        assert.equal(rows.length, 1);
      });
    });
  });
}
