import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { apiToken, callApi, e2e, launchBrowser, newShopper, shot, signUpThroughApi } from './support.ts';

/**
 * Account recovery through the emails Dema sends, read from the local mailbox (no SMTP server is
 * configured here): the verification link confirms a new account's address; "Forgot your
 * password?" sends a link whose page sets a new password, once.
 */

let browser: Browser;
const suffix = randomBytes(3).toString('hex');
const account = { name: 'Ada Recovery', email: `ada-recovery-${suffix}@example.com`, password: `violet-anchor-${suffix}-q` };

before(async () => {
  browser = await launchBrowser();
  await signUpThroughApi(account);
});

after(async () => {
  await browser?.close();
});

/** The token of the newest email to the account whose subject matches, once it has arrived. */
async function emailedToken(subject: RegExp): Promise<string> {
  const token = await apiToken(e2e.adminEmail, e2e.adminPassword);
  for (let i = 0; i < 100; i += 1) {
    const mailbox = await callApi<{ items: Array<{ subject: string; text: string }> }>(
      token,
      'GET',
      `/api/admin/mailbox?to=${encodeURIComponent(account.email)}`,
    );
    const email = mailbox.items.find((item) => subject.test(item.subject));
    const link = email?.text.match(/token=([^\s&]+)/);
    if (link) return decodeURIComponent(link[1]!);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`no email matching ${subject} reached ${account.email}`);
}

test('the verification link confirms the address', async () => {
  const token = await emailedToken(/Confirm your email/);
  const { page, errors } = await newShopper(browser);
  await page.goto(`/account/verify-email?token=${encodeURIComponent(token)}`);
  await page.getByText('Your email is confirmed.').waitFor();
  const me = await callApi<{ emailVerified?: boolean }>(await apiToken(account.email, account.password), 'GET', '/api/users/me');
  assert.equal(me.emailVerified, true);
  assert.deepEqual(errors, []);
});

test('forgot password: the emailed link sets a new password, and works once', async () => {
  const { page, errors } = await newShopper(browser);
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
  await page.getByLabel('Email').fill(account.email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByRole('status').waitFor();

  const token = await emailedToken(/Reset your .* password/);
  const link = `/account/reset-password?token=${encodeURIComponent(token)}`;
  await page.goto(link);
  const newPassword = `copper-kettle-${suffix}-r`;
  await page.getByRole('textbox', { name: 'New password' }).fill(newPassword);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByText('Your password is changed').waitFor();
  assert.ok(await apiToken(account.email, newPassword), 'the new password signs in');
  await shot(page, 'account-recovery-done');

  await page.goto(link);
  await page.getByRole('textbox', { name: 'New password' }).fill(`another-${newPassword}`);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByText('This link has expired or was already used').waitFor();
  assert.ok(await apiToken(account.email, newPassword), 'the spent link changed nothing');
  assert.deepEqual(errors, []);
});
