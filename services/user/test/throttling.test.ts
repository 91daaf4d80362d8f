import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startProcess, type RunningProcess } from '@dema/platform';
import { realTarget, testTargets } from '@dema/platform/testing';
import { createUserService } from '../src/app.ts';
import { loginDelay, loginDelayMs, throttles } from '../src/identity.ts';
import { goodPassword, makeClient, startUserService, uniqueEmail, type Client, type Reply, type UserTestProcess } from './helpers.ts';

const wrong = 'not-the-password-at-all';

function assertRateLimited(reply: Reply): void {
  assert.equal(reply.status, 429, reply.text);
  assert.match(reply.headers['content-type']!, /^application\/problem\+json/);
  assert.equal(reply.body.code, 'RATE_LIMITED');
}

async function fail(client: Client, email: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const reply = await client.login(email, wrong);
    assert.equal(reply.status, 401, `failure ${i + 1}: ${reply.text}`);
  }
}

const signupBody = () => ({ email: uniqueEmail('signup'), password: goodPassword, name: 'Signup Throttle' });

/** Signs up `times` accounts from `client`, each expected to be accepted. */
async function signUp(client: Client, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const reply = await client.signup(signupBody());
    assert.equal(reply.status, 202, `signup ${i + 1}: ${reply.text}`);
  }
}

for (const target of testTargets()) {
  describe(`login and signup throttling (${target.name})`, () => {
    let dema: UserTestProcess;

    before(async () => {
      dema = await startUserService(target);
    });
    after(() => dema.dispose());

    test('the limits are 5 failed logins per account and address, 50 per account, and 10 signups per address', () => {
      assert.equal(throttles.loginPerAccountAndAddress.limit, 5);
      assert.equal(throttles.loginPerAccount.limit, 50);
      assert.equal(throttles.signupPerAddress.limit, 10);
    });

    test('after 5 failed logins for an account from one address the 6th attempt from it, even with the right password, → 429', async () => {
      const { email, password } = await dema.createUser();
      const api = dema.client();
      await fail(api, email, 5);
      assertRateLimited(await api.login(email, password));
    });

    test('the 429 carries a Retry-After header of whole seconds within the 15-minute window', async () => {
      const { email, password } = await dema.createUser();
      const api = dema.client();
      await fail(api, email, 5);
      const reply = await api.login(email, password);
      assertRateLimited(reply);
      const retryAfter = reply.headers['retry-after'];
      assert.match(String(retryAfter), /^\d+$/);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 15 * 60, `Retry-After: ${retryAfter}`);
    });

    test('failures count for the account whatever case the email is typed in', async () => {
      const { email, password } = await dema.createUser();
      const api = dema.client();
      for (const typed of [email, email.toUpperCase(), ` ${email} `, email.toUpperCase(), email]) await fail(api, typed, 1);
      assertRateLimited(await api.login(email, password));
    });

    test('an attacker hammering the account from other addresses never locks its owner out', async () => {
      const { email, password } = await dema.createUser();
      const attackers = Array.from({ length: 4 }, () => dema.client());
      // Each attacking address until it is refused: 5 guesses checked, the 6th → 429.
      const replies = await Promise.all(attackers.map(async (attacker) => Promise.all(Array.from({ length: 6 }, () => attacker.login(email, wrong)))));
      for (const fromOne of replies) {
        const statuses = fromOne.map((r) => r.status).sort();
        assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429], statuses.join(','));
      }
      const owner = await dema.client().login(email, password);
      assert.equal(owner.status, 200, owner.text);
      assertRateLimited(await attackers[0]!.login(email, password));
    });

    test('20 concurrent wrong passwords for one account from one address get at most 5 password checks; the rest → 429', async () => {
      const { email } = await dema.createUser();
      const api = dema.client();
      const replies = await Promise.all(Array.from({ length: 20 }, () => api.login(email, wrong)));
      const statuses = replies.map((r) => r.status);
      assert.ok(
        statuses.every((s) => s === 401 || s === 429),
        statuses.join(','),
      );
      const checked = statuses.filter((s) => s === 401).length;
      const limit = throttles.loginPerAccountAndAddress.limit;
      assert.ok(checked <= limit, `${checked} of 20 concurrent guesses were checked (limit ${limit})`);
    });

    test('beyond 10 failures on an account, every attempt on it waits longer: 100 ms, doubling, at most 2 s', async () => {
      assert.deepEqual([10, 11, 12, 13, 14, 15, 20, 50].map(loginDelayMs), [0, 100, 200, 400, 800, 1600, 2000, 2000]);
      const { email, password } = await dema.createUser();
      await Promise.all([fail(dema.client(), email, 4), fail(dema.client(), email, 4), fail(dema.client(), email, 4)]);
      const owner = dema.client();
      const started = performance.now();
      const reply = await owner.login(email, password);
      const took = performance.now() - started;
      assert.equal(reply.status, 200, reply.text);
      assert.ok(took >= loginDelayMs(13) - 5, `the 13th attempt answered after ${Math.round(took)} ms, before its ${loginDelayMs(13)} ms wait`);
      assert.equal(loginDelay.afterFailures, 10);
    });

    test('50 failures on an account from many addresses lock it, even for the right password from a new address', async () => {
      const { email, password } = await dema.createUser();
      const attackers = Array.from({ length: throttles.loginPerAccount.limit / 5 }, () => dema.client());
      await Promise.all(attackers.map((attacker) => fail(attacker, email, 5)));
      assertRateLimited(await dema.client().login(email, password));
    });

    test('4 failed logins still let the right password in', async () => {
      const { email, password } = await dema.createUser();
      const api = dema.client();
      await fail(api, email, 4);
      assert.equal((await api.login(email, password)).status, 200);
    });

    test('a successful login resets the count: 4 failures, 1 success, 4 failures → still allowed', async () => {
      const { email, password } = await dema.createUser();
      const api = dema.client();
      await fail(api, email, 4);
      assert.equal((await api.login(email, password)).status, 200);
      await fail(api, email, 4);
      const reply = await api.login(email, password);
      assert.equal(reply.status, 200, reply.text);
    });

    test("one account's lock does not lock another account", async () => {
      const locked = await dema.createUser();
      const other = await dema.createUser();
      const api = dema.client();
      await fail(api, locked.email, 5);
      assertRateLimited(await api.login(locked.email, locked.password));
      assert.equal((await api.login(other.email, other.password)).status, 200);
    });

    test('20 failed logins from one address, across accounts, lock that address; another address still logs in', async () => {
      const api = dema.client();
      for (let i = 0; i < throttles.loginPerAddress.limit / 4; i++) await fail(api, uniqueEmail('nobody'), 4);
      const { email, password } = await dema.createUser();
      assertRateLimited(await api.login(email, password));
      assert.equal((await dema.client().login(email, password)).status, 200);
    });

    test('wrong current passwords on PUT /api/users/me are throttled like logins: the 6th try, even right, → 429', async () => {
      const { email, password } = await dema.createUser();
      const session = await dema.login(email, password);
      const api = dema.client();
      const change = (currentPassword: string) =>
        api.send('PUT', '/api/users/me', { token: session.tokens.accessToken, body: { currentPassword, newPassword: 'granite-saffron-ember-64' } });
      for (let i = 0; i < 5; i++) assert.equal((await change(wrong)).status, 422, `failure ${i + 1}`);
      assertRateLimited(await change(password));
      assertRateLimited(await api.login(email, password));
      assert.equal((await dema.client().login(email, password)).status, 200, 'the password did not change, and another address still logs in');
    });

    test('signups from one address are limited: the 11th → 429', async () => {
      const api = dema.client();
      await signUp(api, 10);
      const reply = await api.signup(signupBody());
      assertRateLimited(reply);
      assert.match(String(reply.headers['retry-after']), /^\d+$/);
    });

    test('the signup limit is per address: another address still signs up', async () => {
      const api = dema.client();
      await signUp(api, 10);
      assertRateLimited(await api.signup(signupBody()));
      assert.equal((await dema.client().signup(signupBody())).status, 202);
    });
  });
}

const real = realTarget();
if (real) {
  describe(`throttling shared by two processes on one Redis (${real.name})`, () => {
    let dema: UserTestProcess;
    let second: RunningProcess;
    /** A client of the first process and one of the second, both from the same new address. */
    const pair = (): [Client, Client] => {
      const first = dema.client();
      return [first, makeClient(second.url, first.address)];
    };

    before(async () => {
      dema = await startUserService(real);
      second = await startProcess(dema.environment.config, 'second', [createUserService]);
    });
    after(async () => {
      await second?.close();
      await dema?.dispose();
    });

    test('failed logins spread across both processes count together', async () => {
      const { email, password } = await dema.createUser();
      const [a, b] = pair();
      await fail(a, email, 3);
      await fail(b, email, 2);
      assertRateLimited(await a.login(email, password));
      assertRateLimited(await b.login(email, password));
    });

    test("the account's ceiling counts failures from every address on both processes", async () => {
      const { email, password } = await dema.createUser();
      const attackers = Array.from({ length: throttles.loginPerAccount.limit / 5 }, (_, i) =>
        i % 2 === 0 ? dema.client() : makeClient(second.url, dema.client().address),
      );
      await Promise.all(attackers.map((attacker) => fail(attacker, email, 5)));
      assertRateLimited(await makeClient(second.url, dema.client().address).login(email, password));
      assertRateLimited(await dema.client().login(email, password));
    });

    test('failures from other addresses on both processes do not lock the owner out', async () => {
      const { email, password } = await dema.createUser();
      await fail(dema.client(), email, 5);
      await fail(makeClient(second.url, dema.client().address), email, 5);
      assert.equal((await makeClient(second.url, dema.client().address).login(email, password)).status, 200);
    });

    test('a success on one process resets the count the other sees', async () => {
      const { email, password } = await dema.createUser();
      const [a, b] = pair();
      await fail(a, email, 4);
      assert.equal((await b.login(email, password)).status, 200);
      await fail(a, email, 4);
      assert.equal((await a.login(email, password)).status, 200);
    });

    test('signups from one address spread across both processes count together', async () => {
      const [a, b] = pair();
      await signUp(a, 5);
      await signUp(b, 5);
      assertRateLimited(await a.signup(signupBody()));
      assertRateLimited(await b.signup(signupBody()));
    });
  });
}
