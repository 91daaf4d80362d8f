import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiToken, launchBrowser, newAdmin, newShopper, shot, signUpThroughApi } from './support.ts';

/**
 * The admin's page for the local mailbox (no mail server is configured here): an email a shopper
 * caused shows in the list with its recipient, subject and time; its text has the link as a link,
 * which opens the store's page for it; its HTML is in a sandboxed frame, not in the page. With a
 * mail server configured the page says the mailbox is off.
 */

let browser: Browser;
let adminContext: BrowserContext;
let admin: Page;
let adminErrors: string[];
const suffix = randomBytes(3).toString('hex');
const account = { name: 'Ada Mailbox', email: `ada-mailbox-${suffix}@example.com`, password: `quiet-orchard-${suffix}-m` };

before(async () => {
  browser = await launchBrowser();
  await signUpThroughApi(account);
  ({ context: adminContext, page: admin, errors: adminErrors } = await newAdmin(browser));
});

after(async () => {
  await browser?.close();
});

test('a password reset asked for on the store shows in the mailbox, and its link opens the reset page', async () => {
  const { context: visitorContext, page: visitor, errors: visitorErrors } = await newShopper(browser);
  await visitor.goto('/forgot-password');
  await visitor.getByLabel('Email').fill(account.email);
  await visitor.getByRole('button', { name: 'Email me a link' }).click();
  await visitor.getByRole('status').waitFor();
  assert.deepEqual(visitorErrors, []);
  await visitorContext.close();

  await admin.goto('/admin/users');
  await admin.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Mailbox' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Mailbox' }).waitFor();
  const search = admin.getByRole('search', { name: 'Search the mailbox' });
  await search.getByLabel('Sent to').fill(account.email);
  await search.getByRole('button', { name: 'Search' }).click();
  const emails = admin.getByRole('region', { name: 'Emails' });
  // The page reads the mailbox again every few seconds: the email appears once the outbox sent it.
  // Rows are matched by recipient too: the other browser tests' emails share the mailbox, and the
  // list shows them until the search's answer replaces it.
  const ours = emails.getByRole('row').filter({ hasText: account.email });
  const reset = ours.filter({ hasText: /Reset your .* password/ });
  await reset.waitFor({ timeout: 30_000 });
  assert.match((await reset.textContent()) ?? '', new RegExp(`${account.email}.*Reset your .* password`));
  assert.match((await reset.getByRole('cell').first().textContent()) ?? '', /\d{4}.*UTC$/, 'when it was sent');
  await ours.filter({ hasText: 'Confirm your email' }).waitFor();

  await reset.getByRole('button', { name: /^Read Reset your/ }).click();
  const text = admin.getByRole('region', { name: /^Text of Reset your/ });
  const link = text.getByRole('link', { name: /\/account\/reset-password\?token=/ });
  await link.waitFor();
  // The HTML is the email's own, in a frame that runs nothing and reaches nothing: none of it is in the page.
  const frame = admin.locator('iframe[title^="HTML of Reset your"]');
  assert.equal(await frame.getAttribute('sandbox'), '');
  await admin.frameLocator('iframe[title^="HTML of Reset your"]').getByRole('link', { name: 'Choose a new password' }).waitFor();
  assert.equal(await admin.getByRole('link', { name: 'Choose a new password' }).count(), 0);
  await shot(admin, 'admin-mailbox');

  const [opened] = await Promise.all([adminContext.waitForEvent('page'), link.click()]);
  await opened.waitForURL(/\/account\/reset-password\?token=/);
  const newPassword = `copper-lantern-${suffix}-n`;
  await opened.getByRole('textbox', { name: 'New password' }).fill(newPassword);
  await opened.getByRole('button', { name: 'Set the new password' }).click();
  await opened.getByText('Your password is changed').waitFor();
  assert.ok(await apiToken(account.email, newPassword), 'the link from the mailbox set the new password');
  await opened.close();
  assert.deepEqual(adminErrors, []);
});

test('with a mail server configured, the page says the mailbox is off', async () => {
  await admin.route('**/api/admin/mailbox?*', (route) => route.fulfill({ json: { transport: 'smtp', items: [] } }));
  await admin.goto('/admin/mailbox');
  await admin.getByRole('heading', { name: 'The local mailbox is off' }).waitFor();
  assert.match((await admin.getByRole('status').filter({ hasText: 'DEMA_MAIL_SMTP_URL' }).textContent()) ?? '', /inboxes they were sent to/);
  assert.equal(await admin.getByLabel('Sent to').count(), 0);
  await admin.unroute('**/api/admin/mailbox?*');
  assert.deepEqual(adminErrors, []);
});
