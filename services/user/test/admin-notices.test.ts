import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { WebhookEndpointDisabledEvent } from '@dema/contracts';
import { createEvent } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import type { UserTestProcess } from './helpers.ts';
import { publishTwiceUntilEmailed, userServiceWithSmtp, type TestSmtpServer } from './smtp.ts';

const url = 'https://erp.example.com/dema/hooks';
const reason = 'Disabled on 2026-12-03T10:00:00.000Z after 50 consecutive failed attempts (last: HTTP 503); enable it again once the receiver works';

for (const target of testTargets()) {
  describe(`admin notices (${target.name})`, () => {
    const running = userServiceWithSmtp(target);
    let dema: UserTestProcess;
    let smtp: TestSmtpServer;
    beforeEach(() => ({ dema, smtp } = running));

    test('a webhook endpoint disabled for failing emails every active admin once, even when the event comes twice', async () => {
      const admins = [await dema.createUser({ role: 'admin', name: 'Grace' }), await dema.createUser({ role: 'admin', name: 'Linus' })];
      const disabledAdmin = await dema.createUser({ role: 'admin' });
      const customer = await dema.createUser();
      await (await dema.userDb()).query('UPDATE users SET disabled_at = now() WHERE id = $1', [disabledAdmin.user.id]);
      const disabled = createEvent<WebhookEndpointDisabledEvent>('WEBHOOK_ENDPOINT_DISABLED', {
        endpointId: 'c4c4c4c4-3333-4000-8000-000000000001',
        url,
        reason,
        failedAttempts: 50,
        timestamp: '2026-12-03T10:00:00.000Z',
      });
      await publishTwiceUntilEmailed(
        dema,
        smtp,
        disabled,
        admins.map(({ email }) => email),
      );
      await dema.users.mail.drain();

      for (const { email, user } of admins) {
        assert.equal(smtp.to(email).length, 1, `${email}: ${smtp.to(email).length} emails`);
        const [notice] = smtp.to(email);
        assert.equal(notice!.subject, `Your webhook endpoint ${url} was disabled`);
        for (const line of [
          `Hello ${user.name},`,
          `Test Shop stopped sending events to your webhook endpoint ${url}`,
          reason,
          'Your webhooks: https://shop.test/admin/webhooks',
        ]) {
          assert.ok(notice!.text.includes(line), `${line} in\n${notice!.text}`);
        }
        assert.match(notice!.html, /<a href="https:\/\/shop\.test\/admin\/webhooks">/);
      }
      assert.deepEqual([smtp.to(disabledAdmin.email).length, smtp.to(customer.email).length], [0, 0], 'neither a disabled admin nor a customer is told');
      const db = await dema.userDb();
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM email_outbox WHERE cause LIKE 'event:' || $1 || ':%'", [disabled.id]);
      const active = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND deleted_at IS NULL");
      assert.equal(rows[0]!.n, active.rows[0]!.n, 'one email per active admin');
    });
  });
}
