import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  apiToken,
  callApi,
  checkOutToReview,
  configureCheckout,
  e2e,
  fillAddress,
  launchBrowser,
  newShopper,
  pickProduct,
  shot,
  signInThroughForm,
  torontoAddress,
  signUpThroughApi,
} from './support.ts';

/**
 * A shopper's account page: the name, the password (the API's reason at the field when the current
 * one is wrong; the new one works afterwards) and the address book (a bad postal code refused at its
 * field, an address added, made the billing default and deleted), each change read back from the API;
 * the order history, empty and then listing the order the shopper placed; and last, deleting the account (a wrong password refused at its field,
 * then the account erased: the old credentials no longer sign in and the email signs up again).
 */

let browser: Browser;
let page: Page;
let errors: string[];
const suffix = randomBytes(3).toString('hex');
const account = { name: 'Grace Account', email: `grace-${suffix}@example.com`, password: `harbour-lantern-${suffix}-x` };

before(async () => {
  browser = await launchBrowser();
  await signUpThroughApi(account);
  ({ page, errors } = await newShopper(browser));
  await signInThroughForm(page, account.email, account.password);
  await page.goto('/account');
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
});

after(async () => {
  await browser?.close();
});

test('the shopper renames themself; the API has the new name', async () => {
  await page.getByLabel('Name', { exact: true }).fill('Grace Hopper');
  await page.getByRole('button', { name: 'Save name' }).click();
  await page.getByText('Your name is saved.').waitFor();
  const me = await callApi<{ name: string }>(await apiToken(account.email, account.password), 'GET', '/api/users/me');
  assert.equal(me.name, 'Grace Hopper');
});

test('a wrong current password is refused at its field; the right one changes the password', async () => {
  const newPassword = `compass-meadow-${suffix}-y`;
  await page.getByLabel('Current password').fill('not-my-password-at-all');
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Current password is not your current password').waitFor();
  assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Current password').fill(account.password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Your password is changed.').waitFor();
  account.password = newPassword;
  assert.ok(await apiToken(account.email, newPassword), 'the new password signs in');
});

test('the address book: a bad postal code at its field, then an address saved, made the billing default and deleted', async () => {
  const form = page.getByRole('form', { name: 'New address' });
  await fillAddress(page, 'Address', { ...torontoAddress, postalCode: '123' });
  await form.getByRole('button', { name: 'Save address' }).click();
  await form.locator('#shipping-postalCode-error').waitFor();
  assert.deepEqual((await callApi<{ items: unknown[] }>(await apiToken(account.email, account.password), 'GET', '/api/users/me/addresses')).items, []);

  await form.getByLabel('Label (optional)').fill('Office');
  await fillAddress(page, 'Address', torontoAddress);
  await form.getByRole('button', { name: 'Save address' }).click();
  const list = page.getByRole('list', { name: 'Saved addresses' });
  await list.getByText(/^Office — Ada Shopper/).waitFor();
  await list.getByRole('button', { name: /Bill here by default/ }).click();
  await list.getByText('Default billing').waitFor();
  const token = await apiToken(account.email, account.password);
  const [saved] = (await callApi<{ items: Array<{ label: string; defaultBilling: boolean }> }>(token, 'GET', '/api/users/me/addresses')).items;
  assert.deepEqual([saved?.label, saved?.defaultBilling], ['Office', true]);
  await shot(page, 'account-address-book');

  page.once('dialog', (dialog) => void dialog.accept());
  await list.getByRole('button', { name: /^Delete/ }).click();
  await page.getByText('No saved addresses').waitFor();
  assert.deepEqual((await callApi<{ items: unknown[] }>(token, 'GET', '/api/users/me/addresses')).items, []);
  assert.deepEqual(errors, []);
});

test('an unverified email is said so, and "Send a new link" emails another verification link', async () => {
  await page.getByText(`Your email ${account.email} is not verified yet`).waitFor();
  const admin = await apiToken(e2e.adminEmail, e2e.adminPassword);
  const links = async () =>
    (await callApi<{ items: Array<{ subject: string }> }>(admin, 'GET', `/api/admin/mailbox?to=${encodeURIComponent(account.email)}`)).items.filter((item) =>
      /Confirm your email/.test(item.subject),
    ).length;
  const before = await links();
  await page.getByRole('button', { name: 'Send a new link' }).click();
  await page.getByText(`A new link is on its way to ${account.email}.`).waitFor();
  for (let i = 0; i < 100 && (await links()) === before; i += 1) await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(await links(), before + 1);
});

test('the account page shows the order history section', async () => {
  const section = page.getByRole('region', { name: 'Order history' });
  await section.getByText('No orders yet').waitFor();
});

test('an order the shopper places is in the order history with its number, total and status, and links to its page', async () => {
  await configureCheckout();
  const product = await pickProduct();
  const token = await apiToken(account.email, account.password);
  await callApi(token, 'PUT', `/api/cart/items/${product.id}`, { quantity: 1 });
  await page.goto('/checkout');
  await checkOutToReview(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(/\/orders\/[0-9a-f-]{36}\?placed=1/);
  const orderId = new URL(page.url()).pathname.split('/')[2]!;
  const order = await callApi<{ total: number; currency: string; status: string }>(token, 'GET', `/api/orders/${orderId}`);
  const total = new Intl.NumberFormat('en-US', { style: 'currency', currency: order.currency }).format(order.total);

  await page.goto('/account');
  const history = page.getByRole('region', { name: 'Order history' });
  const entry = history
    .getByRole('list', { name: 'Recent orders' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name: `#${orderId.slice(0, 8)}` }) });
  await entry.waitFor();
  assert.ok(((await entry.textContent()) ?? '').includes(total), `the entry shows the total ${total}`);
  const status = entry.locator('[data-status]');
  assert.equal(await status.getAttribute('data-status'), order.status);
  assert.equal(await status.textContent(), order.status.charAt(0) + order.status.slice(1).toLowerCase());
  assert.equal(await history.getByText('No orders yet').count(), 0);
  await shot(page, 'account-order-history');

  await entry.getByRole('link', { name: `#${orderId.slice(0, 8)}` }).click();
  await page.waitForURL((url) => url.pathname === `/orders/${orderId}`);
  assert.equal(await page.getByTestId('order-total').textContent(), total);
  assert.deepEqual(errors, []);
  // The tests after this one work on the account page.
  await page.goto('/account');
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
});

test('signing up with the registered email and another password says to check the email, and signs nobody in', async () => {
  const { context, page: stranger, errors: strangerErrors } = await newShopper(browser);
  await stranger.goto('/signup');
  await stranger.getByLabel('Name').fill('Someone Else');
  await stranger.getByLabel('Email').fill(account.email);
  await stranger.getByLabel('Password').fill(`another-passphrase-${suffix}-z`);
  await stranger.getByRole('button', { name: 'Create account' }).click();
  await stranger
    .getByRole('alert')
    .filter({ hasText: /^Check your email/ })
    .waitFor();
  assert.equal(new URL(stranger.url()).pathname, '/signup');
  assert.equal(
    (await callApi<{ name: string }>(await apiToken(account.email, account.password), 'GET', '/api/users/me')).name,
    'Grace Hopper',
    'the account is untouched',
  );
  assert.deepEqual(strangerErrors, []);
  await context.close();
});

test('deleting the account: a wrong password at its field, then erased and signed out; the email can sign up again', async () => {
  page.on('dialog', (dialog) => void dialog.accept());
  const form = page.getByRole('form', { name: 'Delete account' });
  await form.getByLabel('Password', { exact: true }).fill('not-my-password-at-all');
  await form.getByRole('button', { name: 'Delete my account' }).click();
  await form.getByText('Password is not your current password', { exact: true }).waitFor();
  assert.ok(await apiToken(account.email, account.password), 'a refused deletion changes nothing');

  await form.getByLabel('Password', { exact: true }).fill(account.password);
  await form.getByRole('button', { name: 'Delete my account' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  const login = await fetch(`${e2e.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  assert.equal(login.status, 401, 'the old credentials no longer sign in');
  await signUpThroughApi(account);
  assert.ok(await apiToken(account.email, account.password), 'the email signs up again');
  assert.deepEqual(errors, []);
});
