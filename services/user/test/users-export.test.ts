import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startUserService, type UserTestProcess } from './helpers.ts';

for (const target of testTargets()) {
  describe(`users export (${target.name})`, () => {
    let dema: UserTestProcess;
    let admin: Session;
    let customer: Session;
    let tag: string;

    before(async () => {
      dema = await startUserService(target);
      tag = `x${randomBytes(3).toString('hex')}`;
      ({ session: admin } = await dema.signedIn('admin'));
      ({ session: customer } = await dema.signedIn('customer'));
      for (let i = 0; i < 3; i++) await dema.createUser({ email: `buyer${i}.${tag}@shop.example`, name: `Buyer ${i}` });
    });
    after(() => dema.dispose());

    // The test's values hold no comma or quote, so a line splits on commas.
    const rowsOf = (text: string) => {
      const [header, ...rows] = text
        .trim()
        .split('\n')
        .map((line) => line.split(','));
      return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]])) as Record<string, string>);
    };

    test('an admin exports the accounts whose email matches, as the list filters them', async () => {
      const reply = await dema.client().send('GET', `/api/users/export?email=${tag.toUpperCase()}`, { token: admin.tokens.accessToken });
      assert.equal(reply.status, 200, reply.text);
      assert.match(String(reply.headers['content-type']), /^text\/csv/);
      const rows = rowsOf(reply.text);
      assert.deepEqual(
        rows.map((row) => row.email).sort(),
        [0, 1, 2].map((i) => `buyer${i}.${tag}@shop.example`),
      );
      assert.deepEqual(
        rows.map((row) => [row.role, row.disabled]),
        [
          ['customer', 'false'],
          ['customer', 'false'],
          ['customer', 'false'],
        ],
      );
      const all = rowsOf((await dema.client().send('GET', '/api/users/export', { token: admin.tokens.accessToken })).text);
      assert.ok(all.length >= 5, 'every account without a filter');
    });

    test('a filter the export does not take is a 400 naming it, not every account', async () => {
      for (const query of ['?emial=buyer', '?limit=1']) {
        const reply = await dema.client().send('GET', `/api/users/export${query}`, { token: admin.tokens.accessToken });
        assert.equal(reply.status, 400, reply.text);
        const problem = JSON.parse(reply.text) as { code: string; invalidParams: Array<{ name: string }> };
        assert.equal(problem.code, 'VALIDATION_FAILED');
        assert.deepEqual(
          problem.invalidParams.map((p) => p.name),
          [`query.${query.slice(1).split('=')[0]}`],
        );
      }
    });

    test('a customer may not export users', async () => {
      assert.equal((await dema.client().send('GET', '/api/users/export', { token: customer.tokens.accessToken })).status, 403);
      assert.equal((await dema.client().send('GET', '/api/users/export')).status, 401);
    });
  });
}
