import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { eventPayloadSchemas, systemActor, type AuditRecordedEvent } from '@dema/contracts';
import { createAjv } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { ensureFirstAdmin } from '../src/app.ts';
import { PromotionRequired } from '../src/identity.ts';
import { startUserService, type UserTestProcess } from './helpers.ts';

const adminPassword = 'quartz-meadow-harbor-91';
// As the Analytics service checks an AUDIT_RECORDED before it keeps it.
const validAuditPayload = createAjv({ coerceTypes: false }).compile(eventPayloadSchemas.AUDIT_RECORDED);

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

    /** The audit entries the User service's outbox holds for the user `id`, oldest first. */
    const auditOf = async (id: string): Promise<Array<AuditRecordedEvent['payload']>> => {
      const { rows } = await (await dema.userDb()).query<{ payload: AuditRecordedEvent['payload'] }>(
        "SELECT payload FROM outbox WHERE type = 'AUDIT_RECORDED' AND payload->>'resourceId' = $1 ORDER BY seq",
        [id],
      );
      return rows.map((row) => row.payload);
    };

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

    test('create-admin records the new admin in the audit log as the system: user.created, its request id naming the command', async () => {
      const email = `audited-admin.${Date.now()}@shop.example`;
      const admin = await dema.users.identity.createAdmin(email, adminPassword, { name: 'Ops' });
      const [entry, ...more] = await auditOf(admin.id);
      assert.ok(entry, 'an entry');
      assert.equal(more.length, 0);
      assert.ok(validAuditPayload(entry), JSON.stringify(validAuditPayload.errors));
      assert.deepEqual(
        [entry.actorId, entry.actorRole, entry.action, entry.resourceType, entry.before],
        [systemActor.id, 'system', 'user.created', 'user', null],
      );
      assert.deepEqual(entry.after, JSON.parse(JSON.stringify(admin)));
      assert.match(entry.requestId, /^create-admin:[0-9a-f-]{36}$/);
      assert.equal(JSON.stringify(entry).includes('argon2'), false, 'never the password hash');
    });

    test('create-admin --promote records the role before and after; a refused promotion records nothing', async () => {
      const { user, email } = await dema.createUser();
      await assert.rejects(dema.users.identity.createAdmin(email, adminPassword), PromotionRequired);
      assert.deepEqual(await auditOf(user.id), []);
      await dema.users.identity.createAdmin(email, adminPassword, { promote: true });
      const [entry, ...more] = await auditOf(user.id);
      assert.ok(entry, 'an entry');
      assert.equal(more.length, 0);
      assert.deepEqual(
        [entry.actorId, entry.action, (entry.before as { role: string }).role, (entry.after as { role: string }).role],
        [systemActor.id, 'user.updated', 'customer', 'admin'],
      );
      assert.match(entry.requestId, /^create-admin:/);
    });

    test('the first admin from DEMA_ADMIN_EMAIL is recorded once, as the system, with the setting as its origin', async () => {
      const email = `env-audited.${Date.now()}@shop.example`;
      const { log } = capturingLogger();
      await ensureFirstAdmin(dema.users.identity, { email, password: adminPassword }, log);
      await ensureFirstAdmin(dema.users.identity, { email, password: adminPassword }, log);
      const admin = await dema.login(email, adminPassword);
      const entries = await auditOf(admin.user.id);
      assert.equal(entries.length, 1, 'a start that finds the admin records nothing');
      assert.deepEqual([entries[0]!.actorId, entries[0]!.actorRole, entries[0]!.action], [systemActor.id, 'system', 'user.created']);
      assert.match(entries[0]!.requestId, /^DEMA_ADMIN_EMAIL:[0-9a-f-]{36}$/);
    });
  });
}
