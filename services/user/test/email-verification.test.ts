import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import type { User } from '@dema/contracts';
import { testTargets, waitFor } from '@dema/platform/testing';
import { goodPassword, sha256Hex, uniqueEmail, type UserTestProcess } from './helpers.ts';
import { userServiceWithSmtp, type TestSmtpServer } from './smtp.ts';

for (const target of testTargets()) {
  describe(`email verification (${target.name})`, () => {
    const running = userServiceWithSmtp(target);
    let dema: UserTestProcess;
    let smtp: TestSmtpServer;
    beforeEach(() => ({ dema, smtp } = running));

    const verify = (token: string) => dema.client().send('POST', '/api/auth/verify-email', { body: { token } });
    const verificationToken = async (email: string) => {
      await waitFor(`the verification email to ${email}`, () => smtp.to(email).length > 0);
      const link = /https:\/\/shop\.test\/account\/verify-email\?token=([\w-]+)/.exec(smtp.to(email)[0]!.text);
      assert.ok(link, smtp.to(email)[0]!.text);
      return link[1]!;
    };

    test('signup emails a verification link; the account is unverified until the link is opened, once', async () => {
      const email = uniqueEmail();
      const signup = await dema.client().signup({ email, password: goodPassword, name: 'Ada' });
      assert.equal(signup.status, 202, signup.text);
      const session = await dema.login(email, goodPassword);
      assert.equal(session.user.emailVerified, false);
      const token = await verificationToken(email);
      assert.equal(smtp.to(email)[0]!.subject, 'Confirm your email for Test Shop');
      assert.match(smtp.to(email)[0]!.text, /Hello Ada,/);

      const verified = await verify(token);
      assert.equal(verified.status, 200, verified.text);
      assert.equal((verified.body as User).emailVerified, true);
      assert.equal(((await dema.client().me(session.tokens.accessToken)).body as User).emailVerified, true);
      assert.equal(decodeJwt(session.tokens.accessToken).email_verified, false, 'the token from before the link says not verified');
      const refreshed = await dema.client().refresh(session.tokens.refreshToken);
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal(decodeJwt(refreshed.body.accessToken).email_verified, true, 'a refresh after the link issues a token that says verified');
      const again = await verify(token);
      assert.equal(again.status, 400);
      assert.equal(again.body.code, 'INVALID_LINK_TOKEN');
      assert.deepEqual(again.body.invalidParams, [{ name: 'body.token', reason: 'was already used; ask for a new link' }]);
    });

    test('an expired verification link is refused naming the token, and the account stays unverified', async () => {
      const email = uniqueEmail();
      assert.equal((await dema.client().signup({ email, password: goodPassword, name: 'Ada' })).status, 202);
      const session = await dema.login(email, goodPassword);
      const token = await verificationToken(email);
      await (await dema.userDb()).query("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha256Hex(token)]);
      const reply = await verify(token);
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.body.invalidParams, [{ name: 'body.token', reason: 'has expired; ask for a new link' }]);
      assert.equal(((await dema.client().me(session.tokens.accessToken)).body as User).emailVerified, false);
    });

    test('a signup with a registered email sends its owner "you already have an account", at most once an hour, and no link', async () => {
      const { email } = await dema.createUser();
      for (let i = 0; i < 2; i++) assert.equal((await dema.client().signup({ email, password: goodPassword, name: 'Someone' })).status, 202);
      await waitFor('the notice', () => smtp.to(email).length > 0);
      await dema.users.mail.drain();
      assert.equal(smtp.to(email).length, 1);
      const [notice] = smtp.to(email);
      assert.equal(notice!.subject, 'You already have an account at Test Shop');
      assert.match(notice!.text, /https:\/\/shop\.test\/account\/reset-password/);
      assert.doesNotMatch(notice!.text, /token=/);
    });

    test('opening a password reset link verifies the email too', async () => {
      const { email } = await dema.createUser();
      await dema.client().send('POST', '/api/auth/password-reset', { body: { email } });
      await waitFor('the reset email', () => smtp.to(email).length > 0);
      const token = /reset-password\?token=([\w-]+)/.exec(smtp.to(email)[0]!.text)![1]!;
      assert.equal(
        (await dema.client().send('POST', '/api/auth/password-reset/confirm', { body: { token, newPassword: 'quiet-harbour-violin-77' } })).status,
        204,
      );
      assert.equal((await dema.login(email, 'quiet-harbour-violin-77')).user.emailVerified, true);
    });

    test('a signed-in customer asks for a new link (the first expired): it arrives and verifies; then asking again is 409; a few an hour', async () => {
      const email = uniqueEmail();
      assert.equal((await dema.client().signup({ email, password: goodPassword, name: 'Ada' })).status, 202);
      const session = await dema.login(email, goodPassword);
      const first = await verificationToken(email);
      await (await dema.userDb()).query("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha256Hex(first)]);
      const resend = () => dema.client().send('POST', '/api/users/me/verification-email', { token: session.tokens.accessToken });
      assert.equal((await dema.client().send('POST', '/api/users/me/verification-email')).status, 401, 'signed-in callers only');
      const asked = await resend();
      assert.equal(asked.status, 202, asked.text);
      await waitFor('the second verification email', () => smtp.to(email).length === 2);
      const second = /verify-email\?token=([\w-]+)/.exec(smtp.to(email)[1]!.text)![1]!;
      assert.notEqual(second, first);
      assert.equal((await verify(second)).status, 200);
      const verified = await resend();
      assert.equal(verified.status, 409);
      assert.equal(verified.body.code, 'EMAIL_ALREADY_VERIFIED');
      assert.equal(smtp.to(email).length, 2, 'no link for a verified email');
    });

    test('asking for new links is throttled per account: the fourth in an hour is 429 and sends nothing', async () => {
      const email = uniqueEmail();
      assert.equal((await dema.client().signup({ email, password: goodPassword, name: 'Ada' })).status, 202);
      const session = await dema.login(email, goodPassword);
      await verificationToken(email);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await dema.client().send('POST', '/api/users/me/verification-email', { token: session.tokens.accessToken })).status);
      }
      assert.deepEqual(statuses, [202, 202, 202, 429]);
      await waitFor('the three new links', () => smtp.to(email).length === 4);
    });

    test('asking for a new link with a body field → 400 naming it, and nothing is sent; an empty object asks', async () => {
      const email = uniqueEmail();
      assert.equal((await dema.client().signup({ email, password: goodPassword, name: 'Ada' })).status, 202);
      const session = await dema.login(email, goodPassword);
      await verificationToken(email);
      const resend = (body: unknown) => dema.client().send('POST', '/api/users/me/verification-email', { token: session.tokens.accessToken, body });
      const refused = await resend({ email: 'someone-else@test.dema.dev' });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.code, 'VALIDATION_FAILED');
      assert.deepEqual(refused.body.invalidParams, [{ name: 'body.email', reason: 'is not a known field' }]);
      assert.equal((await resend({})).status, 202);
      await waitFor('the second verification email', () => smtp.to(email).length === 2);
      await dema.users.mail.drain();
      assert.equal(smtp.to(email).length, 2, 'the refused request sent nothing');
    });

    test('a missing token is refused naming the field', async () => {
      const reply = await dema.client().send('POST', '/api/auth/verify-email', { body: {} });
      assert.equal(reply.status, 400);
      assert.match(reply.text, /token/);
    });
  });
}
