import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startUserService, type Reply, type UserTestProcess } from './helpers.ts';

function assertLastAdmin(reply: Reply): void {
  assert.equal(reply.status, 409, reply.text);
  assert.match(reply.headers['content-type']!, /^application\/problem\+json/);
  assert.equal(reply.body.code, 'LAST_ADMIN');
}

for (const target of testTargets()) {
  describe(`the last admin (${target.name})`, () => {
    let dema: UserTestProcess;
    const as = (session: Session) => (method: string, path: string, body?: unknown) =>
      dema.client().send(method, path, { token: session.tokens.accessToken, body });
    const activeAdmins = async () => {
      const { rows } = await (await dema.userDb()).query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL");
      return rows[0]!.n;
    };

    before(async () => {
      dema = await startUserService(target);
    });
    after(() => dema.dispose());

    test('the only admin cannot demote, disable or delete itself: 409 LAST_ADMIN, and it stays an admin with its session', async () => {
      const only = await dema.signedIn('admin');
      assert.equal(await activeAdmins(), 1);
      assertLastAdmin(await as(only.session)('PUT', `/api/users/${only.user.id}`, { role: 'customer' }));
      assertLastAdmin(await as(only.session)('PUT', `/api/users/${only.user.id}`, { disabled: true }));
      assertLastAdmin(await as(only.session)('DELETE', `/api/users/${only.user.id}`));
      const me = await as(only.session)('GET', `/api/users/${only.user.id}`);
      assert.equal(me.status, 200, 'its session still works');
      assert.equal(me.body.role, 'admin');
      assert.equal(me.body.disabled, false);
      assert.equal((await as(only.session)('PUT', `/api/users/${only.user.id}`, { name: 'Still Renamable' })).status, 200);
    });

    test('with a second admin, one may be demoted; then the one left is the last', async () => {
      const first = await dema.signedIn('admin');
      const second = await dema.signedIn('admin');
      const others = (await activeAdmins()) - 2;
      // Demote everyone else so these two are the only admins.
      const { rows } = await (await dema.userDb()).query<{ id: string }>(
        "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id NOT IN ($1, $2)",
        [first.user.id, second.user.id],
      );
      for (const row of rows) assert.equal((await as(first.session)('PUT', `/api/users/${row.id}`, { role: 'customer' })).status, 200);
      assert.equal(rows.length, others);
      assert.equal((await as(first.session)('PUT', `/api/users/${second.user.id}`, { disabled: true })).status, 200);
      assertLastAdmin(await as(first.session)('PUT', `/api/users/${first.user.id}`, { role: 'customer' }));
      assert.equal(await activeAdmins(), 1);
    });

    test('two admins demoting each other at once: one succeeds, one gets 409, one admin remains', async () => {
      const a = await dema.signedIn('admin');
      const b = await dema.signedIn('admin');
      const { rows } = await (await dema.userDb()).query<{ id: string }>(
        "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id NOT IN ($1, $2)",
        [a.user.id, b.user.id],
      );
      for (const row of rows) assert.equal((await as(a.session)('PUT', `/api/users/${row.id}`, { role: 'customer' })).status, 200);
      const replies = await Promise.all([
        as(a.session)('PUT', `/api/users/${b.user.id}`, { role: 'customer' }),
        as(b.session)('PUT', `/api/users/${a.user.id}`, { role: 'customer' }),
      ]);
      const statuses = replies.map((r) => r.status);
      // The loser may also be refused as 401: the winner's change ended the loser's session first.
      assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
      assert.ok(
        statuses.every((s) => s === 200 || s === 409 || s === 401),
        statuses.join(','),
      );
      assert.equal(await activeAdmins(), 1);
    });
  });
}
