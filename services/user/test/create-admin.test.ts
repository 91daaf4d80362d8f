import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { testTargets } from '@dema/platform/testing';
import { ensureFirstAdmin } from '../src/app.ts';
import { PromotionRequired } from '../src/identity.ts';
import { startUserService, type UserTestProcess } from './helpers.ts';

const adminPassword = 'quartz-meadow-harbor-91';

/** A logger whose lines the test can read. */
function capturingLogger(): { log: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

for (const target of testTargets()) {
  describe(`create-admin and DEMA_ADMIN_EMAIL on an existing account (${target.name})`, () => {
    let dema: UserTestProcess;

    before(async () => {
      dema = await startUserService(target);
    });
    after(() => dema.dispose());

    test('create-admin on an email no account has creates an admin', async () => {
      const email = `new-admin.${Date.now()}@shop.example`;
      const admin = await dema.users.identity.createAdmin(email, adminPassword);
      assert.equal(admin.role, 'admin');
      assert.equal((await dema.login(email, adminPassword)).user.role, 'admin');
    });

    test("create-admin on an existing customer's email without promote is refused and changes nothing", async () => {
      const { user, email, password } = await dema.createUser();
      const session = await dema.login(email, password);
      await assert.rejects(dema.users.identity.createAdmin(email, adminPassword), (error: unknown) => {
        assert.ok(error instanceof PromotionRequired);
        assert.match(error.message, /--promote/);
        return true;
      });
      assert.equal((await dema.users.identity.user(user.id)).role, 'customer');
      assert.equal((await dema.client().me(session.tokens.accessToken)).status, 200, 'its session goes on');
      const refreshed = await dema.client().refresh(session.tokens.refreshToken);
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal(JSON.parse(Buffer.from(refreshed.body.accessToken.split('.')[1], 'base64url').toString()).role, 'customer');
      assert.equal((await dema.client().login(email, adminPassword)).status, 401, 'the password did not change');
    });

    test('promoting ends every earlier session: its access token → 401 at once, its refresh token → 401, never an admin token', async () => {
      const { user, email, password } = await dema.createUser();
      const first = await dema.login(email, password);
      const second = await dema.login(email, password);
      const promoted = await dema.users.identity.createAdmin(email, adminPassword, { promote: true });
      assert.equal(promoted.role, 'admin');
      assert.equal(promoted.id, user.id);
      for (const session of [first, second]) {
        const me = await dema.client().me(session.tokens.accessToken);
        assert.equal(me.status, 401, me.text);
        const refreshed = await dema.client().refresh(session.tokens.refreshToken);
        assert.equal(refreshed.status, 401, refreshed.text);
      }
      const { rows } = await (await dema.userDb()).query<{ active: number }>(
        'SELECT count(*)::int AS active FROM session_families WHERE user_id = $1 AND revoked_at IS NULL',
        [user.id],
      );
      assert.equal(rows[0]!.active, 0, 'no refresh-token family of the account is left active');
      assert.equal((await dema.login(email, adminPassword)).user.role, 'admin', 'the new password opens an admin session');
    });

    test('DEMA_ADMIN_EMAIL naming an existing customer does not promote it, and logs an error saying what to do', async () => {
      const { user, email, password } = await dema.createUser();
      const session = await dema.login(email, password);
      const { log, lines } = capturingLogger();
      await ensureFirstAdmin(dema.users.identity, { email, password: adminPassword }, log);
      assert.equal((await dema.users.identity.user(user.id)).role, 'customer');
      assert.equal((await dema.client().me(session.tokens.accessToken)).status, 200);
      assert.equal((await dema.client().login(email, adminPassword)).status, 401, 'the password did not change');
      const error = lines.find((line) => line.level >= 50);
      assert.ok(error, JSON.stringify(lines));
      assert.match(error.msg, /DEMA_ADMIN_EMAIL/);
      assert.match(error.msg, /create-admin --email \S+ --promote/);
    });

    test('DEMA_ADMIN_EMAIL naming no account creates the admin; naming an admin leaves it alone', async () => {
      const email = `env-admin.${Date.now()}@shop.example`;
      const { log, lines } = capturingLogger();
      await ensureFirstAdmin(dema.users.identity, { email, password: adminPassword }, log);
      const admin = await dema.login(email, adminPassword);
      assert.equal(admin.user.role, 'admin');
      await ensureFirstAdmin(dema.users.identity, { email, password: 'some-other-password-77' }, log);
      assert.equal((await dema.client().me(admin.tokens.accessToken)).status, 200, 'the admin keeps its session');
      assert.equal((await dema.client().login(email, adminPassword)).status, 200, 'and its password');
      assert.ok(!lines.some((line) => line.level >= 50), JSON.stringify(lines));
    });
  });
}
