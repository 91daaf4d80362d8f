import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, User, UserPage } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startUserService, type Reply, type UserTestProcess } from './helpers.ts';

const unknownId = '7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a';

for (const target of testTargets()) {
  describe(`user management (${target.name})`, () => {
    let dema: UserTestProcess;
    let admin: Session;
    let customer: Session;
    /** A part of the email every account made by `account` has, unique to this run. */
    let tag: string;
    let accounts = 0;

    const as =
      (session: Session) =>
      (method: string, path: string, body?: unknown): Promise<Reply> =>
        dema.client().send(method, path, { token: session.tokens.accessToken, body });
    const asAdmin = (method: string, path: string, body?: unknown) => as(admin)(method, path, body);
    const asCustomer = (method: string, path: string, body?: unknown) => as(customer)(method, path, body);
    /** A signed-in customer whose email starts with `name` and contains the run's tag. */
    const account = async (name = 'member') => {
      const created = await dema.createUser({ email: `${name}.${++accounts}.${tag}@shop.example`, name: `${name} ${accounts}` });
      return { ...created, session: await dema.login(created.email, created.password) };
    };
    const fetchUser = async (id: string): Promise<User> => {
      const reply = await asAdmin('GET', `/api/users/${id}`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body as User;
    };

    before(async () => {
      dema = await startUserService(target);
      tag = `t${randomBytes(3).toString('hex')}`; // hex: never contains "ann"
      ({ session: admin } = await dema.signedIn('admin'));
      ({ session: customer } = await dema.signedIn('customer'));
    });
    after(() => dema.dispose());

    describe('as admin', () => {
      test('GET /api/users lists users newest first with limit, offset and the total', async () => {
        const made = [await account('page'), await account('page'), await account('page')];
        const first = await asAdmin('GET', `/api/users?email=page.&limit=2&offset=0`);
        assert.equal(first.status, 200, first.text);
        const page = first.body as UserPage;
        assert.equal(page.total, 3);
        assert.equal(page.limit, 2);
        assert.equal(page.offset, 0);
        assert.deepEqual(
          page.items.map((u) => u.id),
          [made[2]!.user.id, made[1]!.user.id],
        );
        const rest = (await asAdmin('GET', `/api/users?email=page.&limit=2&offset=2`)).body as UserPage;
        assert.deepEqual(
          rest.items.map((u) => u.id),
          [made[0]!.user.id],
        );
        assert.equal(rest.total, 3);
      });

      test('GET /api/users past the last page answers no items and the right total', async () => {
        const all = (await asAdmin('GET', '/api/users?limit=100')).body as UserPage;
        const past = await asAdmin('GET', '/api/users?offset=1000');
        assert.equal(past.status, 200, past.text);
        assert.deepEqual(past.body.items, []);
        assert.equal(past.body.total, all.total);
      });

      test('a search past its last page answers no items and the total of the search', async () => {
        await account('beyond');
        await account('beyond');
        const reply = await asAdmin('GET', '/api/users?email=beyond.&offset=5');
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.body.items, []);
        assert.equal(reply.body.total, 2);
      });

      test('GET /api/users defaults to 20 a page', async () => {
        const page = (await asAdmin('GET', '/api/users')).body as UserPage;
        assert.equal(page.limit, 20);
        assert.equal(page.offset, 0);
      });

      test('GET /api/users?email=ann finds users by part of their email, in any case', async () => {
        const ann = await account('ann');
        const joanna = await account('joanna');
        await account('bob');
        const found = await asAdmin('GET', '/api/users?email=ann');
        assert.equal(found.status, 200, found.text);
        const ids = (found.body as UserPage).items.map((u) => u.id).sort();
        assert.deepEqual(ids, [ann.user.id, joanna.user.id].sort());
        const upper = (await asAdmin('GET', '/api/users?email=ANN')).body as UserPage;
        assert.deepEqual(upper.items.map((u) => u.id).sort(), ids);
        const narrow = (await asAdmin('GET', `/api/users?email=${encodeURIComponent(`ann.${accounts - 2}.${tag}`)}`)).body as UserPage;
        assert.deepEqual(
          narrow.items.map((u) => u.id),
          [ann.user.id],
        );
      });

      test('GET /api/users?ids=…&ids=… lists only those users, also with a search and past its last page', async () => {
        const ann = await account('idsann');
        const bob = await account('idsbob');
        await account('idscarl');
        const listed = await asAdmin('GET', `/api/users?ids=${ann.user.id}&ids=${bob.user.id}&ids=00000000-0000-4000-8000-000000000000`);
        assert.equal(listed.status, 200, listed.text);
        assert.deepEqual((listed.body as UserPage).items.map((u) => u.id).sort(), [ann.user.id, bob.user.id].sort());
        assert.equal((listed.body as UserPage).total, 2);
        const searched = (await asAdmin('GET', `/api/users?ids=${ann.user.id}&ids=${bob.user.id}&email=idsbob`)).body as UserPage;
        assert.deepEqual(
          searched.items.map((u) => u.id),
          [bob.user.id],
        );
        const past = (await asAdmin('GET', `/api/users?ids=${ann.user.id}&ids=${bob.user.id}&email=ids&offset=5`)).body as UserPage;
        assert.deepEqual(past.items, []);
        assert.equal(past.total, 2);
        const bad = await asAdmin('GET', '/api/users?ids=ann');
        assert.equal(bad.status, 400);
        assert.equal(bad.body.invalidParams[0].name, 'query.ids.0');
      });

      test('the email search takes _ and % literally, not as wildcards', async () => {
        await account('literal');
        const underscore = (await asAdmin('GET', `/api/users?email=${encodeURIComponent(`l_teral.`)}`)).body as UserPage;
        const percent = (await asAdmin('GET', `/api/users?email=${encodeURIComponent(`lit%al.`)}`)).body as UserPage;
        assert.equal(underscore.total, 0);
        assert.equal(percent.total, 0);
      });

      test('GET /api/users/:id returns the user', async () => {
        const { user } = await account();
        const reply = await asAdmin('GET', `/api/users/${user.id}`);
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.body, JSON.parse(JSON.stringify(user)));
      });

      test('an account made in-process (Identity.createUser) has ISO-8601 string timestamps, as the User contract says', async () => {
        const { user } = await account();
        assert.equal(typeof user.createdAt, 'string', `createdAt is ${Object.prototype.toString.call(user.createdAt)}`);
        assert.equal(typeof user.updatedAt, 'string');
        assert.equal(user.createdAt, (await fetchUser(user.id)).createdAt);
      });

      test('GET /api/users/:id of an unknown id → 404 USER_NOT_FOUND', async () => {
        const reply = await asAdmin('GET', `/api/users/${unknownId}`);
        assert.equal(reply.status, 404, reply.text);
        assert.equal(reply.body.code, 'USER_NOT_FOUND');
      });

      test('PUT /api/users/:id of an unknown id → 404 USER_NOT_FOUND', async () => {
        const reply = await asAdmin('PUT', `/api/users/${unknownId}`, { role: 'admin' });
        assert.equal(reply.status, 404, reply.text);
        assert.equal(reply.body.code, 'USER_NOT_FOUND');
      });

      test('DELETE /api/users/:id of an unknown id → 404 USER_NOT_FOUND', async () => {
        const reply = await asAdmin('DELETE', `/api/users/${unknownId}`);
        assert.equal(reply.status, 404, reply.text);
        assert.equal(reply.body.code, 'USER_NOT_FOUND');
      });

      test('PUT {role: "admin"} makes the user an admin', async () => {
        const { user } = await account();
        const reply = await asAdmin('PUT', `/api/users/${user.id}`, { role: 'admin' });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.role, 'admin');
        assert.equal((await fetchUser(user.id)).role, 'admin');
      });

      test('a promoted user, signed in again, may manage users', async () => {
        const { user, email, password } = await account();
        assert.equal((await asAdmin('PUT', `/api/users/${user.id}`, { role: 'admin' })).status, 200);
        const promoted = await dema.login(email, password);
        assert.equal(promoted.user.role, 'admin');
        assert.equal((await as(promoted)('GET', '/api/users')).status, 200);
      });

      test('demoting an admin ends their sessions at once: their admin token → 401', async () => {
        const { user, session } = await dema.signedIn('admin');
        assert.equal((await as(session)('GET', '/api/users')).status, 200);
        assert.equal((await asAdmin('PUT', `/api/users/${user.id}`, { role: 'customer' })).status, 200);
        const reply = await as(session)('GET', '/api/users');
        assert.equal(reply.status, 401, reply.text);
      });

      test('PUT {name} renames the user', async () => {
        const { user } = await account();
        const reply = await asAdmin('PUT', `/api/users/${user.id}`, { name: 'Renamed By Admin' });
        assert.equal(reply.status, 200, reply.text);
        assert.equal((await fetchUser(user.id)).name, 'Renamed By Admin');
      });

      test('PUT {name} of only spaces is refused, naming body.name', async () => {
        const { user } = await account();
        const reply = await asAdmin('PUT', `/api/users/${user.id}`, { name: '   ' });
        assert.equal(reply.status, 400, reply.text);
        assert.equal((await fetchUser(user.id)).name, user.name);
      });

      test('PUT {disabled: true} disables the user', async () => {
        const { user } = await account();
        const reply = await asAdmin('PUT', `/api/users/${user.id}`, { disabled: true });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.disabled, true);
        assert.equal((await fetchUser(user.id)).disabled, true);
      });

      test("disabling ends the user's sessions at once: their access token → 401", async () => {
        const { user, session } = await account();
        assert.equal((await dema.client().me(session.tokens.accessToken)).status, 200);
        assert.equal((await asAdmin('PUT', `/api/users/${user.id}`, { disabled: true })).status, 200);
        const reply = await dema.client().me(session.tokens.accessToken);
        assert.equal(reply.status, 401, reply.text);
      });

      test("disabling ends the user's sessions: their refresh token → 401", async () => {
        const { user, session } = await account();
        assert.equal((await asAdmin('PUT', `/api/users/${user.id}`, { disabled: true })).status, 200);
        const reply = await dema.client().refresh(session.tokens.refreshToken);
        assert.equal(reply.status, 401, reply.text);
      });

      test('a user disabled by an admin cannot log in', async () => {
        const { user, email, password } = await account();
        assert.equal((await asAdmin('PUT', `/api/users/${user.id}`, { disabled: true })).status, 200);
        assert.equal((await dema.client().login(email, password)).status, 401);
      });

      test('PUT {disabled: false} lets the user log in again', async () => {
        const { user, email, password } = await account();
        assert.equal((await asAdmin('PUT', `/api/users/${user.id}`, { disabled: true })).status, 200);
        const reply = await asAdmin('PUT', `/api/users/${user.id}`, { disabled: false });
        assert.equal(reply.body.disabled, false);
        assert.equal((await dema.client().login(email, password)).status, 200);
      });

      test('DELETE /api/users/:id → 204 and the user is disabled, not erased', async () => {
        const { user } = await account();
        const reply = await asAdmin('DELETE', `/api/users/${user.id}`);
        assert.equal(reply.status, 204, reply.text);
        const after = await fetchUser(user.id);
        assert.equal(after.disabled, true);
        assert.equal(after.email, user.email);
      });

      test("DELETE ends the user's sessions at once", async () => {
        const { user, session } = await account();
        assert.equal((await asAdmin('DELETE', `/api/users/${user.id}`)).status, 204);
        assert.equal((await dema.client().me(session.tokens.accessToken)).status, 401);
        assert.equal((await dema.client().refresh(session.tokens.refreshToken)).status, 401);
      });
    });

    describe('as customer', () => {
      const assertForbidden = (reply: Reply) => {
        assert.equal(reply.status, 403, reply.text);
        assert.equal(reply.body.code, 'FORBIDDEN');
      };

      test('GET /api/users → 403', async () => {
        assertForbidden(await asCustomer('GET', '/api/users'));
      });

      test('GET /api/users?email=… → 403', async () => {
        assertForbidden(await asCustomer('GET', '/api/users?email=ann'));
      });

      test('GET /api/users/:id → 403, even for their own id', async () => {
        assertForbidden(await asCustomer('GET', `/api/users/${customer.user.id}`));
      });

      test('PUT /api/users/:id {role: "admin"} → 403 and their role stays customer', async () => {
        assertForbidden(await asCustomer('PUT', `/api/users/${customer.user.id}`, { role: 'admin' }));
        assert.equal((await fetchUser(customer.user.id)).role, 'customer');
      });

      test('PUT /api/users/:id {disabled: true} → 403 and the user stays enabled', async () => {
        const { user } = await account();
        assertForbidden(await asCustomer('PUT', `/api/users/${user.id}`, { disabled: true }));
        assert.equal((await fetchUser(user.id)).disabled, false);
      });

      test('DELETE /api/users/:id → 403 and the user stays enabled', async () => {
        const { user } = await account();
        assertForbidden(await asCustomer('DELETE', `/api/users/${user.id}`));
        assert.equal((await fetchUser(user.id)).disabled, false);
      });

      test('a 404 is not revealed to a customer: an unknown id → 403', async () => {
        assertForbidden(await asCustomer('GET', `/api/users/${unknownId}`));
      });
    });

    describe('anonymous', () => {
      test('GET /api/users → 401', async () => {
        const reply = await dema.client().send('GET', '/api/users');
        assert.equal(reply.status, 401, reply.text);
        assert.equal(reply.body.code, 'UNAUTHENTICATED');
      });

      test('DELETE /api/users/:id → 401', async () => {
        const reply = await dema.client().send('DELETE', `/api/users/${customer.user.id}`);
        assert.equal(reply.status, 401, reply.text);
      });
    });

    test('no response ever contained password_hash, passwordHash, $argon2 or token_hash', async () => {
      await asAdmin('GET', '/api/users?limit=100');
      await asAdmin('GET', `/api/users/${customer.user.id}`);
      assert.ok(dema.responses.length > 20, `${dema.responses.length} responses seen`);
      for (const text of dema.responses) {
        for (const secret of ['password_hash', 'passwordHash', '$argon2', 'token_hash']) {
          assert.ok(!text.includes(secret), `a response contains ${secret}: ${text.slice(0, 300)}`);
        }
      }
    });
  });
}
