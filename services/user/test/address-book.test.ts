import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Address, Problem, SavedAddress, SavedAddressList, Session } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startUserService, type Reply, type UserTestProcess } from './helpers.ts';

const home: Address = { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '73301', country: 'US' };
const london: Address = { firstName: 'Ada', lastName: 'Lovelace', line1: '10 Downing St', city: 'London', postalCode: 'sw1a2aa', country: 'gb' };

for (const target of testTargets()) {
  describe(`address book (${target.name})`, () => {
    let dema: UserTestProcess;

    before(async () => {
      dema = await startUserService(target);
    });
    after(() => dema.dispose());

    const customer = async () => (await dema.signedIn('customer')).session;
    const as =
      (session: Session) =>
      (method: string, path: string, body?: unknown): Promise<Reply> =>
        dema.client().send(method, path, { token: session.tokens.accessToken, body });
    const book = async (session: Session) => {
      const reply = await as(session)('GET', '/api/users/me/addresses');
      assert.equal(reply.status, 200, reply.text);
      return (reply.body as SavedAddressList).items;
    };
    const saved = (reply: Reply, status = 201) => {
      assert.equal(reply.status, status, reply.text);
      return reply.body as SavedAddress;
    };

    test('a saved address is kept normalised, listed oldest first, and read back exactly', async () => {
      const session = await customer();
      const first = saved(await as(session)('POST', '/api/users/me/addresses', { address: home, label: 'Home', defaultShipping: true }));
      const second = saved(await as(session)('POST', '/api/users/me/addresses', { address: london }));
      assert.deepEqual(first.address, home);
      assert.deepEqual(second.address, { ...london, postalCode: 'SW1A 2AA', country: 'GB' }, 'country upper case, UK postcode in its written form');
      assert.deepEqual([first.label, first.defaultShipping, first.defaultBilling, second.label, second.defaultShipping], ['Home', true, false, null, false]);
      assert.deepEqual(await book(session), [first, second]);
    });

    test('a new default takes the place of the one before; defaults for shipping and billing are separate', async () => {
      const session = await customer();
      const a = saved(await as(session)('POST', '/api/users/me/addresses', { address: home, defaultShipping: true, defaultBilling: true }));
      const b = saved(await as(session)('POST', '/api/users/me/addresses', { address: london, defaultShipping: true }));
      const flags = async () => (await book(session)).map((s) => [s.id, s.defaultShipping, s.defaultBilling]);
      assert.deepEqual(await flags(), [
        [a.id, false, true],
        [b.id, true, false],
      ]);
      saved(await as(session)('PATCH', `/api/users/me/addresses/${a.id}`, { defaultShipping: true }), 200);
      assert.deepEqual(await flags(), [
        [a.id, true, true],
        [b.id, false, false],
      ]);
    });

    test('an address that breaks its country’s rules is a 422 naming the field, and nothing is saved', async () => {
      const session = await customer();
      const cases: Array<[Address, string]> = [
        [{ ...home, postalCode: '7330' }, 'body.address.postalCode'],
        [{ ...home, region: 'XX' }, 'body.address.region'],
        [{ ...london, postalCode: '12345' }, 'body.address.postalCode'],
        [{ ...home, country: 'ZZ' }, 'body.address.country'],
      ];
      for (const [address, field] of cases) {
        const reply = await as(session)('POST', '/api/users/me/addresses', { address });
        assert.equal(reply.status, 422, `${field}: ${reply.text}`);
        assert.ok(
          (reply.body as Problem).invalidParams?.some((p) => p.name === field),
          `${field} in ${reply.text}`,
        );
      }
      const shape = await as(session)('POST', '/api/users/me/addresses', { address: { ...home, firstName: '' } });
      assert.equal(shape.status, 400);
      assert.deepEqual(
        (shape.body as Problem).invalidParams?.map((p) => p.name),
        ['body.address.firstName'],
      );
      assert.deepEqual(await book(session), []);
    });

    test('the Location of a new address reads it back; another customer’s is absent there (404)', async () => {
      const owner = await customer();
      const stranger = await customer();
      const reply = await as(owner)('POST', '/api/users/me/addresses', { address: home, label: 'Home' });
      const mine = saved(reply);
      assert.equal(reply.headers.location, `/api/users/me/addresses/${mine.id}`);
      assert.deepEqual(saved(await as(owner)('GET', reply.headers.location), 200), mine);
      const theirs = await as(stranger)('GET', reply.headers.location);
      assert.equal(theirs.status, 404, theirs.text);
      assert.equal((theirs.body as Problem).code, 'ADDRESS_NOT_FOUND');
      assert.ok(!theirs.text.includes('Lovelace'), 'nothing of the address leaks');
      assert.equal((await dema.client().send('GET', reply.headers.location)).status, 401);
      assert.equal((await as(owner)('GET', '/api/users/me/addresses/not-a-uuid')).status, 400);
    });

    test('another customer’s address is absent (404) to read, change or delete; deleting one’s own removes it', async () => {
      const owner = await customer();
      const stranger = await customer();
      const mine = saved(await as(owner)('POST', '/api/users/me/addresses', { address: home }));
      assert.equal((await as(stranger)('PATCH', `/api/users/me/addresses/${mine.id}`, { label: 'Stolen' })).status, 404);
      assert.equal((await as(stranger)('DELETE', `/api/users/me/addresses/${mine.id}`)).status, 404);
      assert.deepEqual(await book(stranger), []);
      assert.deepEqual(await book(owner), [mine]);
      assert.equal((await as(owner)('DELETE', `/api/users/me/addresses/${mine.id}`)).status, 204);
      assert.equal((await as(owner)('DELETE', `/api/users/me/addresses/${mine.id}`)).status, 404);
      assert.deepEqual(await book(owner), []);
      assert.equal((await dema.client().send('GET', '/api/users/me/addresses')).status, 401);
    });

    test('a book holds at most 20 addresses, also when 25 are added at once', async () => {
      const session = await customer();
      const replies = await Promise.all(Array.from({ length: 25 }, () => as(session)('POST', '/api/users/me/addresses', { address: home })));
      assert.equal(replies.filter((r) => r.status === 201).length, 20);
      assert.equal(replies.filter((r) => r.status === 422).length, 5);
      assert.equal((await book(session)).length, 20);
    });

    test('an unknown id is a 404 ADDRESS_NOT_FOUND', async () => {
      const session = await customer();
      const reply = await as(session)('PATCH', `/api/users/me/addresses/${randomUUID()}`, { label: 'Nowhere' });
      assert.equal(reply.status, 404);
      assert.equal((reply.body as Problem).code, 'ADDRESS_NOT_FOUND');
    });
  });
}
