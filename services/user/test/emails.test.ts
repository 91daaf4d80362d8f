import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { MailboxPage } from '@dema/contracts';
import { loadConfig, type DemaConfig, type MailSettings } from '@dema/platform';
import { freePort, testTargets, waitFor } from '@dema/platform/testing';
import { enqueueEmail } from '../src/db/email-outbox.repository.ts';
import { startUserService, uniqueEmail, type UserTestProcess } from './helpers.ts';
import { TestSmtpServer } from './smtp.ts';

const mailSettings = (settings: Partial<MailSettings>): Partial<DemaConfig> => ({
  mail: { ...loadConfig({}).mail, publicUrl: 'https://shop.test', storeName: 'Test Shop', from: 'Test Shop <shop@shop.test>', ...settings },
});

/** Queues a verification email directly, as the signup's transaction does. */
async function queue(dema: UserTestProcess, to: string, cause = `test:${randomUUID()}`): Promise<boolean> {
  const queued = await enqueueEmail(await dema.userDb(), {
    cause,
    template: 'verify-email',
    to,
    data: { name: 'Ada', link: 'https://shop.test/verify?token=abc' },
  });
  dema.users.mail.notify();
  return queued;
}

async function outboxRow(dema: UserTestProcess, to: string) {
  const { rows } = await (await dema.userDb()).query<{ attempts: number; sent_at: Date | null; data: unknown; last_error: string | null }>(
    'SELECT attempts, sent_at, data, last_error FROM email_outbox WHERE recipient = $1',
    [to],
  );
  return rows;
}

for (const target of testTargets()) {
  describe(`emails over SMTP (${target.name})`, () => {
    let smtp: TestSmtpServer;
    let dema: UserTestProcess;

    before(async () => {
      smtp = await TestSmtpServer.start();
      dema = await startUserService(target, mailSettings({ smtpUrl: smtp.url }));
    });
    after(async () => {
      await dema.dispose();
      await smtp.close();
    });

    test('a queued email arrives once, with a plain-text and an HTML body from the templates', async () => {
      const to = uniqueEmail();
      await queue(dema, to);
      await waitFor('the email', () => smtp.to(to).length > 0);
      const [email] = smtp.to(to);
      assert.equal(email!.subject, 'Confirm your email for Test Shop');
      assert.equal(email!.from, '"Test Shop" <shop@shop.test>');
      assert.match(email!.text, /Hello Ada,[\s\S]*https:\/\/shop\.test\/verify\?token=abc/);
      assert.match(email!.html, /<a href="https:\/\/shop\.test\/verify\?token=abc">/);
      await waitFor('the outbox to record it', async () => (await outboxRow(dema, to))[0]?.sent_at != null);
      const [row] = await outboxRow(dema, to);
      assert.equal(row!.data, null, 'the values (a link with a token) are erased once sent');
      assert.equal(smtp.to(to).length, 1);
    });

    test('one cause queued twice is one email', async () => {
      const to = uniqueEmail();
      const cause = `test:${randomUUID()}`;
      assert.equal(await queue(dema, to, cause), true);
      assert.equal(await queue(dema, to, cause), false);
      await waitFor('the email', () => smtp.to(to).length > 0);
      await dema.users.mail.drain();
      assert.equal(smtp.to(to).length, 1);
      assert.equal((await outboxRow(dema, to)).length, 1);
    });
  });

  describe(`emails while the mail server is down (${target.name})`, () => {
    let port: number;
    let dema: UserTestProcess;
    let smtp: TestSmtpServer | undefined;

    before(async () => {
      port = await freePort();
      dema = await startUserService(target, mailSettings({ smtpUrl: `smtp://127.0.0.1:${port}`, retryBaseMs: 100 }));
    });
    after(async () => {
      await dema.dispose();
      await smtp?.close();
    });

    test('an email waits, is retried with growing pauses, and arrives exactly once when the server is back', async () => {
      const to = uniqueEmail();
      await queue(dema, to);
      await waitFor('three failed attempts', async () => ((await outboxRow(dema, to))[0]?.attempts ?? 0) >= 3);
      const [waiting] = await outboxRow(dema, to);
      assert.equal(waiting!.sent_at, null);
      assert.match(waiting!.last_error ?? '', /ECONNREFUSED/);
      smtp = await TestSmtpServer.start(port);
      await waitFor('the email once the server is back', () => smtp!.to(to).length > 0, 15_000);
      await waitFor('the outbox to record it', async () => (await outboxRow(dema, to))[0]?.sent_at != null);
      await dema.users.mail.drain();
      assert.equal(smtp.to(to).length, 1, 'sent once, not once per attempt');
    });
  });

  describe(`the local mailbox (${target.name})`, () => {
    let dataDir: string;
    let templatesDir: string;
    let dema: UserTestProcess;

    before(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'dema-mailbox-'));
      templatesDir = await mkdtemp(path.join(os.tmpdir(), 'dema-templates-'));
      await writeFile(path.join(templatesDir, 'verify-email.subject.txt'), 'Welcome to {{storeName}}, {{name}}!\n');
      dema = await startUserService(target, { dataDir, ...mailSettings({ smtpUrl: undefined, templatesDir }) });
    });
    after(async () => {
      await dema.dispose();
      await rm(dataDir, { recursive: true, force: true });
      await rm(templatesDir, { recursive: true, force: true });
    });

    test('without a mail server, emails land in the mailbox under the data dir, which an admin reads', async () => {
      const to = uniqueEmail();
      await queue(dema, to);
      const { session: admin } = await dema.signedIn('admin');
      const read = () => dema.client().send('GET', `/api/admin/mailbox?to=${encodeURIComponent(to)}`, { token: admin.tokens.accessToken });
      await waitFor('the email in the mailbox', async () => ((await read()).body as MailboxPage).items.length > 0);
      const page = (await read()).body as MailboxPage;
      assert.equal(page.transport, 'mailbox');
      assert.equal(page.items.length, 1);
      assert.equal(page.items[0]!.to, to);
      assert.match(page.items[0]!.text, /https:\/\/shop\.test\/verify\?token=abc/);
      assert.match(page.items[0]!.html, /<a href="https:\/\/shop\.test\/verify\?token=abc">/);
      assert.equal(page.items[0]!.subject, 'Welcome to Test Shop, Ada!', "the merchant's subject replaces the shipped one; the bodies stay shipped");
    });

    test('a customer may not read the mailbox', async () => {
      const { session } = await dema.signedIn('customer');
      const reply = await dema.client().send('GET', '/api/admin/mailbox', { token: session.tokens.accessToken });
      assert.equal(reply.status, 403);
      assert.match(String(reply.headers['content-type']), /problem\+json/);
    });

    test('a limit out of range is refused, naming it', async () => {
      const { session: admin } = await dema.signedIn('admin');
      const reply = await dema.client().send('GET', '/api/admin/mailbox?limit=0', { token: admin.tokens.accessToken });
      assert.equal(reply.status, 400);
      assert.match(reply.text, /limit/);
    });
  });
}
