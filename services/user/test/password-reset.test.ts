import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { testTargets, waitFor } from '@dema/platform/testing';
import { resetThrottles } from '../src/account-recovery.ts';
import { goodPassword, median, sha256Hex, uniqueEmail, type UserTestProcess } from './helpers.ts';
import { userServiceWithSmtp, type TestSmtpServer } from './smtp.ts';

const newPassword = 'quiet-harbour-violin-77';

for (const target of testTargets()) {
  describe(`password reset (${target.name})`, () => {
    const running = userServiceWithSmtp(target);
    let dema: UserTestProcess;
    let smtp: TestSmtpServer;
    beforeEach(() => ({ dema, smtp } = running));

    const requestReset = (email: string, client = dema.client()) => client.send('POST', '/api/auth/password-reset', { body: { email } });
    const confirm = (token: string, password = newPassword) =>
      dema.client().send('POST', '/api/auth/password-reset/confirm', { body: { token, newPassword: password } });
    /** The tokens of the reset links `email` received, oldest first, once `count` arrived. */
    const resetTokens = async (email: string, count = 1) => {
      await waitFor(`${count} reset email(s) to ${email}`, () => smtp.to(email).length >= count);
      return smtp.to(email).map((received) => {
        const link = /https:\/\/shop\.test\/account\/reset-password\?token=([\w-]+)/.exec(received.text);
        assert.ok(link, received.text);
        return link[1]!;
      });
    };

    test('the answer is the same 202 whether or not an account has the email, and only an account gets an email', async () => {
      const { email } = await dema.createUser();
      const unknown = uniqueEmail('nobody');
      const [known, stranger] = [await requestReset(email), await requestReset(unknown)];
      assert.equal(known.status, 202);
      assert.deepEqual([stranger.status, stranger.body], [known.status, known.body]);
      const [received] = await resetTokens(email);
      assert.ok(received);
      await dema.users.mail.drain();
      assert.equal(smtp.to(unknown).length, 0);
      assert.equal(smtp.to(email)[0]!.subject, 'Reset your Test Shop password');
      assert.match(smtp.to(email)[0]!.html, /<a href="https:\/\/shop\.test\/account\/reset-password\?token=/);
    });

    test('a request for an email no account has writes two decoy rows instead, in a table of at most 64, and nothing naming the email', async () => {
      const db = await dema.userDb();
      const unknown = uniqueEmail('nobody');
      const since = (await db.query<{ now: string }>('SELECT now()::text AS now')).rows[0]!.now;
      for (let i = 0; i < 3; i++) assert.equal((await requestReset(unknown)).status, 202);
      const { rows } = await db.query<{ written: number; total: number }>(
        'SELECT count(*) FILTER (WHERE written_at >= $1)::int AS written, count(*)::int AS total FROM password_reset_decoys',
        [since],
      );
      assert.ok(rows[0]!.written >= 1, 'the requests wrote decoy rows');
      assert.ok(rows[0]!.total <= 64, `${rows[0]!.total} decoy rows`);
      const outbox = await db.query('SELECT 1 FROM email_outbox WHERE recipient = $1', [unknown]);
      assert.equal(outbox.rows.length, 0);
    });

    test('an unknown email takes about as long as a registered one (median of paired ratios within 0.5–2)', async () => {
      // Timed at the service, not over HTTP: a new connection and Fastify cost more than the whole
      // difference and hid it (a ratio of ~0.75 over HTTP when an unknown email returned at once,
      // ~0.35 here on PGlite). Forty-five pairs, each a registered and an unknown email one after the
      // other, so that both see the same load from whatever else runs on the machine; three requests
      // per account and an address per request, so no throttle is reached. The sender is drained
      // before each, so that sending the previous reset email does not slow the next request down.
      const accounts: string[] = [];
      for (let i = 0; i < 16; i++) accounts.push((await dema.createUser()).email);
      let requests = 0;
      const time = async (email: string) => {
        await dema.users.mail.drain();
        const began = performance.now();
        await dema.users.recovery.requestPasswordReset(email, `192.0.2.${++requests}`);
        return performance.now() - began;
      };
      await time(accounts.pop()!);
      await time(uniqueEmail('warm-up'));
      const ratios: number[] = [];
      for (let i = 0; i < 45; i++) {
        const registered = await time(accounts[i % accounts.length]!);
        ratios.push((await time(uniqueEmail('nobody'))) / registered);
      }
      const ratio = median(ratios);
      assert.ok(ratio >= 0.5 && ratio <= 2, `an unknown email took ${ratio.toFixed(2)} times as long as a registered one (median of 45 pairs)`);
    });

    test('the link sets the new password and ends every session of the account; only its hash is stored', async () => {
      const { email, session } = await dema.signedIn();
      const other = await dema.login(email, goodPassword);
      assert.equal((await requestReset(email)).status, 202);
      const [token] = await resetTokens(email);
      const stored = await (await dema.userDb()).query<{ token_hash: string }>(
        'SELECT token_hash FROM account_tokens WHERE token_hash = $1 OR token_hash = $2',
        [sha256Hex(token!), token!],
      );
      assert.deepEqual(
        stored.rows.map((row) => row.token_hash),
        [sha256Hex(token!)],
      );

      const confirmed = await confirm(token!);
      assert.equal(confirmed.status, 204, confirmed.text);
      for (const ended of [session, other]) {
        assert.equal((await dema.client().me(ended.tokens.accessToken)).status, 401);
        assert.equal((await dema.client().refresh(ended.tokens.refreshToken)).status, 401);
      }
      assert.equal((await dema.client().login(email, goodPassword)).status, 401);
      assert.equal((await dema.client().login(email, newPassword)).status, 200);
    });

    test('a used token is refused naming the token, and so is a link sent before it', async () => {
      const { email } = await dema.createUser();
      await requestReset(email);
      await resetTokens(email, 1);
      await requestReset(email);
      const [first, second] = await resetTokens(email, 2);
      assert.equal((await confirm(second!)).status, 204);
      for (const used of [second!, first!]) {
        const again = await confirm(used, 'another-fine-password-9');
        assert.equal(again.status, 400);
        assert.match(String(again.headers['content-type']), /problem\+json/);
        assert.equal(again.body.code, 'INVALID_LINK_TOKEN');
        assert.deepEqual(again.body.invalidParams, [{ name: 'body.token', reason: 'was already used; ask for a new link' }]);
      }
      assert.equal((await dema.client().login(email, newPassword)).status, 200, 'the refused tries changed nothing');
    });

    test('a link sent before the password was changed on the account page is refused naming the token; one sent after works', async () => {
      const { email, password, session } = await dema.signedIn();
      await requestReset(email);
      const [before] = await resetTokens(email, 1);
      const changed = await dema
        .client()
        .send('PUT', '/api/users/me', { token: session.tokens.accessToken, body: { currentPassword: password, newPassword: 'amber-lichen-cascade-31' } });
      assert.equal(changed.status, 200, changed.text);

      const refused = await confirm(before!);
      assert.equal(refused.status, 400);
      assert.match(String(refused.headers['content-type']), /problem\+json/);
      assert.equal(refused.body.code, 'INVALID_LINK_TOKEN');
      assert.deepEqual(refused.body.invalidParams, [{ name: 'body.token', reason: 'was already used; ask for a new link' }]);
      assert.equal((await dema.client().login(email, 'amber-lichen-cascade-31')).status, 200, 'the refused link changed nothing');

      await requestReset(email);
      const [, after] = await resetTokens(email, 2);
      assert.equal((await confirm(after!)).status, 204);
    });

    test('a link sent before create-admin --promote set the password is refused naming the token', async () => {
      const { email } = await dema.createUser();
      await requestReset(email);
      const [before] = await resetTokens(email, 1);
      await dema.users.identity.createAdmin(email, 'granite-willow-beacon-58', { promote: true });

      const refused = await confirm(before!);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'INVALID_LINK_TOKEN');
      assert.deepEqual(refused.body.invalidParams, [{ name: 'body.token', reason: 'was already used; ask for a new link' }]);
      assert.equal((await dema.client().login(email, 'granite-willow-beacon-58')).status, 200, 'the admin password stays');
    });

    test('two links of one account submitted at once: one sets the password, the other is refused as used', async () => {
      const { email } = await dema.createUser();
      await requestReset(email);
      await resetTokens(email, 1);
      await requestReset(email);
      const [first, second] = await resetTokens(email, 2);
      for (let round = 0; round < 3; round++) {
        const replies = await Promise.all([confirm(first!, 'first-link-password-01'), confirm(second!, 'second-link-password-02')]);
        assert.deepEqual(replies.map((r) => r.status).sort(), round === 0 ? [204, 400] : [400, 400], JSON.stringify(replies.map((r) => r.body)));
        for (const reply of replies.filter((r) => r.status === 400)) assert.equal(reply.body.code, 'INVALID_LINK_TOKEN');
      }
      const logins = await Promise.all(['first-link-password-01', 'second-link-password-02'].map((password) => dema.client().login(email, password)));
      assert.deepEqual(logins.map((r) => r.status).sort(), [200, 401]);
    });

    test('an expired token is refused naming the token, and changes nothing', async () => {
      const { email } = await dema.createUser();
      await requestReset(email);
      const [token] = await resetTokens(email);
      await (await dema.userDb()).query("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha256Hex(token!)]);
      const reply = await confirm(token!);
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.body.invalidParams, [{ name: 'body.token', reason: 'has expired; ask for a new link' }]);
      assert.equal((await dema.client().login(email, goodPassword)).status, 200);
    });

    test('a weak new password is refused naming it, and the link still works', async () => {
      const { email } = await dema.createUser();
      await requestReset(email);
      const [token] = await resetTokens(email);
      const weak = await confirm(token!, 'password1234');
      assert.equal(weak.status, 400);
      assert.equal(weak.body.code, 'WEAK_PASSWORD');
      assert.equal(weak.body.invalidParams[0].name, 'body.newPassword');
      assert.equal((await confirm(token!)).status, 204);
    });

    test('an unknown token or a missing field is refused naming the field', async () => {
      const unknown = await confirm('not-a-token-we-sent');
      assert.equal(unknown.status, 400);
      assert.deepEqual(unknown.body.invalidParams, [{ name: 'body.token', reason: 'is not a valid link token' }]);
      const missing = await dema.client().send('POST', '/api/auth/password-reset/confirm', { body: { newPassword } });
      assert.equal(missing.status, 400);
      assert.match(missing.text, /token/);
      const badEmail = await dema.client().send('POST', '/api/auth/password-reset', { body: { email: 'not an email' } });
      assert.equal(badEmail.status, 400);
      assert.match(badEmail.text, /email/);
    });

    test('requests are throttled per email, from any address, and per requesting address (429 problem+json)', async () => {
      const { email } = await dema.createUser();
      for (let i = 0; i < resetThrottles.perAccount.limit; i++) assert.equal((await requestReset(email)).status, 202);
      const tooMany = await requestReset(email);
      assert.equal(tooMany.status, 429);
      assert.match(String(tooMany.headers['content-type']), /problem\+json/);
      assert.ok(Number(tooMany.headers['retry-after']) > 0);
      await resetTokens(email, resetThrottles.perAccount.limit);
      await dema.users.mail.drain();
      assert.equal(smtp.to(email).length, resetThrottles.perAccount.limit, 'the refused request sent nothing');

      const client = dema.client();
      for (let i = 0; i < resetThrottles.perAddress.limit; i++) assert.equal((await requestReset(uniqueEmail('nobody'), client)).status, 202);
      assert.equal((await requestReset(uniqueEmail('nobody'), client)).status, 429);
      assert.equal((await requestReset(uniqueEmail('nobody'))).status, 202, 'another address is not held back');
    });

    test('an email no account has is throttled after as many requests as a registered one, with the same answer', async () => {
      const { email } = await dema.createUser();
      const unknown = uniqueEmail('nobody');
      for (let i = 0; i < resetThrottles.perAccount.limit; i++) {
        assert.equal((await requestReset(email)).status, 202);
        assert.equal((await requestReset(unknown)).status, 202);
      }
      const [known, stranger] = [await requestReset(email), await requestReset(unknown)];
      assert.equal(known.status, 429);
      assert.equal(stranger.status, 429);
      assert.equal(stranger.body.code, known.body.code);
      assert.equal(stranger.body.detail, known.body.detail);
    });
  });
}
