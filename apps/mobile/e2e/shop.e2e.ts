import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { e2e, launchBrowser, newShopper, pickProduct, shipOrder, shot } from './support.ts';

/**
 * A shopper on the app's web build, from sign-up to a shipped order: the tests run in order and
 * build on each other (the order placed is the one the admin ships).
 */

let browser: Browser;
let shopper: Page;
let shopperErrors: string[];
let product: { id: string; name: string; price: number; stock: number };
let orderId = '';

const suffix = randomBytes(4).toString('hex');
const account = { name: 'Ada Mobile', email: `ada-mobile-${suffix}@example.com`, password: `tidal-orchid-lantern-${suffix}` };

before(async () => {
  browser = await launchBrowser();
  ({ page: shopper, errors: shopperErrors } = await newShopper(browser));
  product = await pickProduct();
});

after(async () => {
  await browser?.close();
});

test('a shopper signs up in the app', async () => {
  await shopper.goto('/signup');
  await shopper.getByLabel('Name').fill(account.name);
  await shopper.getByLabel('Email').fill(account.email);
  await shopper.getByLabel('Password').fill(account.password);
  await shot(shopper, 'signup');
  await shopper.getByRole('button', { name: 'Create account' }).click();
  await shopper.waitForURL((url) => !url.pathname.startsWith('/signup'));
  const login = await fetch(`${e2e.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  assert.equal(login.status, 200, 'the account the app created signs in');
});

test('the shopper browses the catalog, opens a product and adds it to the cart', async () => {
  await shopper.goto('/');
  await shopper.getByLabel('Search products').fill(product.name);
  await shopper.getByText(product.name, { exact: true }).first().waitFor();
  await shot(shopper, 'catalog');
  await shopper.getByText(product.name, { exact: true }).first().click();
  await shopper.waitForURL(`**/product/${product.id}`);
  await shopper.getByTestId('product-name').filter({ hasText: product.name }).waitFor();
  await shot(shopper, 'product');
  await shopper.getByRole('button', { name: 'Add to cart' }).click();
  await shopper.goto('/cart');
  await shopper.getByText(product.name, { exact: true }).first().waitFor();
  await shot(shopper, 'cart');
});

test('the shopper checks out and the order appears with its status', async () => {
  await shopper.getByRole('button', { name: /checkout/i }).click();
  await shopper.waitForURL('**/checkout');
  await shot(shopper, 'checkout');
  await shopper.getByRole('button', { name: 'Place order' }).click();
  await shopper.waitForURL(/\/orders\/[0-9a-f-]{36}/);
  orderId = /\/orders\/([0-9a-f-]{36})/.exec(shopper.url())![1]!;
  await shopper
    .getByTestId('order-status')
    .filter({ hasText: /pending/i })
    .waitFor();
  await shot(shopper, 'order-placed');
  const after = (await (await fetch(`${e2e.apiUrl}/api/products/${product.id}`)).json()) as { stock: number };
  assert.equal(after.stock, product.stock - 1, 'the order took its unit from stock');
  assert.deepEqual(shopperErrors, [], 'no script errors in the app');
});

test('an admin ships the order through the API and the app shows Shipped without a reload', async () => {
  assert.ok(orderId, 'an order was placed');
  // A mark on this page's window: a reload or a navigation would lose it.
  await shopper.evaluate(() => Object.assign(window, { stillThisPage: true }));
  await shipOrder(orderId);
  await shopper
    .getByTestId('order-status')
    .filter({ hasText: /shipped/i })
    .waitFor({ timeout: 30_000 });
  assert.equal(await shopper.evaluate(() => (window as { stillThisPage?: boolean }).stillThisPage), true, 'the page was not reloaded');
  await shot(shopper, 'order-shipped');
  assert.deepEqual(shopperErrors, [], 'no script errors in the app');
});
