import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Address, Problem, Session, User } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { goodPassword, startUserService, uniqueEmail, type UserTestProcess } from './helpers.ts';

const home: Address = { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '73301', country: 'US' };

for (const target of testTargets()) {
  describe(`deleting one's own account (${target.name})`, () => {
    let dema: UserTestProcess;

    before(async () => {
      dema = await startUserService(target);
    });
    after(() => dema.dispose());

    const deleteMe = (session: Session, body?: unknown) => dema.client().send('DELETE', '/api/users/me', { token: session.tokens.accessToken, body });
    const stored = async (id: string) => {
      const db = await dema.userDb();
      const { rows } = await db.query<{ email: string; name: string; password_hash: string; deleted_at: string | null; disabled_at: string | null }>(
        'SELECT email, name, password_hash, deleted_at, disabled_at FROM users WHERE id = $1',
        [id],
      );
      return rows[0]!;
    };
    const count = async (sql: string, id: string) => {
      const db = await dema.userDb();
      const { rows } = await db.query<{ n: number }>(sql, [id]);
      return rows[0]!.n;
    };

    test('with the password: personal data erased, every session ended, the email free to sign up again', async () => {
      const { user, email, session } = await dema.signedIn();
      const other = await dema.login(email, goodPassword);
      const saved = await dema.client().send('POST', '/api/users/me/addresses', { token: session.tokens.accessToken, body: { address: home } });
      assert.equal(saved.status, 201, saved.text);
      assert.equal((await dema.client().send('POST', '/api/auth/password-reset', { body: { email } })).status, 202);

      const reply = await deleteMe(session, { password: goodPassword });
      assert.equal(reply.status, 204, reply.text);

      const row = await stored(user.id);
      assert.equal(row.email, `deleted-${user.id}@invalid`);
      assert.equal(row.name, 'Deleted account');
      assert.notEqual(row.deleted_at, null);
      assert.notEqual(row.disabled_at, null);
      assert.equal(await count('SELECT count(*)::int AS n FROM saved_addresses WHERE user_id = $1', user.id), 0);
      assert.equal(await count('SELECT count(*)::int AS n FROM account_tokens WHERE user_id = $1', user.id), 0);
      assert.equal(await count('SELECT count(*)::int AS n FROM session_families WHERE user_id = $1 AND revoked_at IS NULL', user.id), 0);
      const db = await dema.userDb();
      const { rows: mentions } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM email_outbox WHERE recipient = $1 OR cause LIKE $2', [
        email,
        `%${email}%`,
      ]);
      assert.equal(mentions[0]!.n, 0, 'no email row names the address any more');

      for (const gone of [session, other]) {
        assert.equal((await dema.client().me(gone.tokens.accessToken)).status, 401, 'access tokens stop working at once');
        assert.equal((await dema.client().refresh(gone.tokens.refreshToken)).status, 401, 'refresh tokens too');
      }
      assert.equal((await dema.client().login(email, goodPassword)).status, 401);

      const again = await dema.client().signup({ email, password: goodPassword, name: 'Ada Again' });
      assert.equal(again.status, 202, again.text);
      const fresh = await dema.login(email, goodPassword);
      assert.notEqual(fresh.user.id, user.id);
      assert.deepEqual(((await dema.client().send('GET', '/api/users/me/addresses', { token: fresh.tokens.accessToken })).body as { items: [] }).items, []);
    });

    test('an admin cannot bring back a deleted account: a change is 409 ACCOUNT_DELETED and the tombstone stays', async () => {
      const { user, session } = await dema.signedIn();
      assert.equal((await deleteMe(session, { password: goodPassword })).status, 204);
      const admin = await dema.signedIn('admin');
      const before = await stored(user.id);
      for (const body of [{ disabled: false }, { name: 'Back again' }, { role: 'admin' }]) {
        const reply = await dema.client().send('PUT', `/api/users/${user.id}`, { token: admin.session.tokens.accessToken, body });
        assert.equal(reply.status, 409, `${JSON.stringify(body)}: ${reply.text}`);
        assert.equal((reply.body as Problem).code, 'ACCOUNT_DELETED');
      }
      assert.deepEqual(await stored(user.id), before);
    });

    test('a wrong password is refused naming body.password, and nothing changes', async () => {
      const { user, email, session } = await dema.signedIn();
      const reply = await deleteMe(session, { password: 'not-the-password-at-all' });
      assert.equal(reply.status, 422, reply.text);
      assert.match(String(reply.headers['content-type']), /application\/problem\+json/);
      const problem = reply.body as Problem;
      assert.equal(problem.code, 'INVALID_CREDENTIALS');
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.password'],
      );
      assert.equal((await stored(user.id)).email, email);
      assert.equal(((await dema.client().me(session.tokens.accessToken)).body as User).email, email);
    });

    test('without a password the request is refused (400 naming body.password); without a token, 401', async () => {
      const { user, email, session } = await dema.signedIn();
      const missing = await deleteMe(session, {});
      assert.equal(missing.status, 400, missing.text);
      assert.match(missing.text, /password/);
      const anonymous = await dema.client().send('DELETE', '/api/users/me', { body: { password: goodPassword } });
      assert.equal(anonymous.status, 401, anonymous.text);
      assert.equal((await stored(user.id)).email, email);
    });

    test('password guesses through deletion meet the login throttle', async () => {
      const { session } = await dema.signedIn();
      const client = dema.client();
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        statuses.push((await client.send('DELETE', '/api/users/me', { token: session.tokens.accessToken, body: { password: `wrong-guess-${i}-xyz` } })).status);
      }
      assert.deepEqual(statuses.slice(0, 5), [422, 422, 422, 422, 422]);
      assert.equal(statuses.at(-1), 429);
    });

    test('two deletions at once: one erases the account, the other is refused', async () => {
      const { user, session } = await dema.signedIn();
      const replies = await Promise.all([deleteMe(session, { password: goodPassword }), deleteMe(session, { password: goodPassword })]);
      assert.deepEqual(replies.map((r) => r.status).sort(), [204, 401]);
      assert.equal((await stored(user.id)).email, `deleted-${user.id}@invalid`);
    });

    test('the last active admin cannot delete itself (409 LAST_ADMIN); with another admin it can', async () => {
      const db = await dema.userDb();
      await db.query("UPDATE users SET disabled_at = now() WHERE role = 'admin'");
      const admin = await dema.signedIn('admin');
      const refused = await deleteMe(admin.session, { password: goodPassword });
      assert.equal(refused.status, 409, refused.text);
      assert.equal((refused.body as Problem).code, 'LAST_ADMIN');
      assert.equal((await stored(admin.user.id)).deleted_at, null);

      await dema.createUser({ role: 'admin', email: uniqueEmail('admin') });
      assert.equal((await deleteMe(admin.session, { password: goodPassword })).status, 204);
    });
  });
}
