import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { catalogRow, e2e, fillUsAddress, launchBrowser, newShopper, pickProduct, shipOrder, shot } from './support.ts';

/**
 * A shopper on the app's web build, from sign-up to a shipped order: the tests run in order and
 * build on each other (the order placed is the one the admin ships).
 */

let browser: Browser;
let context: BrowserContext;
let shopper: Page;
let shopperErrors: string[];
let product: { id: string; name: string; price: number; stock: number };
let orderId = '';
let accessToken = '';
// What the API pushed over WebSockets (the GraphQL subscription the order screen opens; it polls only when that fails).
const pushed: string[] = [];

const suffix = randomBytes(4).toString('hex');
const account = { name: 'Ada Mobile', email: `ada-mobile-${suffix}@example.com`, password: `tidal-orchid-lantern-${suffix}` };

before(async () => {
  browser = await launchBrowser();
  ({ context, page: shopper, errors: shopperErrors } = await newShopper(browser));
  product = await pickProduct();
  shopper.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => pushed.push(String(payload))));
});

after(async () => {
  await browser?.close();
});

/** The refresh cookie the API set for the app's origin (it is sent only to the cookie flow's routes). */
async function refreshCookie() {
  return (await context.cookies(`${e2e.apiUrl}/api/auth/cookie`)).find((cookie) => cookie.name === 'dema_refresh');
}

test('a shopper signs up in the app; the session is an httpOnly cookie, no token is kept where a script can read it', async () => {
  await shopper.goto('/signup');
  await shopper.getByLabel('Name', { exact: true }).fill(account.name);
  await shopper.getByLabel('Email', { exact: true }).fill(account.email);
  await shopper.getByLabel('Password', { exact: true }).fill(account.password);
  await shot(shopper, 'signup');
  // Signup answers alike for a new and a registered email; the app then signs in through the cookie login.
  const signedUp = shopper.waitForResponse((response) => response.url().endsWith('/api/auth/cookie/signup'));
  const signedIn = shopper.waitForResponse((response) => response.url().endsWith('/api/auth/cookie'));
  await shopper.getByRole('button', { name: 'Create account' }).click();
  assert.equal((await signedUp).status(), 202);
  const answer = await signedIn;
  assert.equal(answer.status(), 200);
  accessToken = ((await answer.json()) as { tokens: { accessToken: string } }).tokens.accessToken;
  await shopper.waitForURL('**/orders');
  await shopper.getByText('You have no orders yet').waitFor();
  const cookie = await refreshCookie();
  assert.ok(cookie?.httpOnly, 'the refresh token is an httpOnly cookie');
  const readable = await shopper.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie }));
  assert.ok(!readable.includes(accessToken) && !readable.includes(cookie.value), 'no token in storage a script can read');
  const login = await fetch(`${e2e.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  assert.equal(login.status, 200, 'the account the app created signs in');
});

test('the shopper browses the catalog, opens a product and adds it to the cart', async () => {
  await shopper.goto('/');
  const search = shopper.getByLabel('Search products');
  await search.fill(product.name);
  await search.press('Enter');
  await catalogRow(shopper, product).waitFor();
  await shot(shopper, 'catalog');
  await catalogRow(shopper, product).click();
  await shopper.waitForURL(`**/product/${product.id}`);
  await shopper.getByTestId('product-name').filter({ hasText: product.name }).waitFor();
  await shot(shopper, 'product');
  await shopper.getByRole('button', { name: `Add ${product.name} to cart` }).click();
  await shopper.getByText('Added to your cart.').waitFor();
  // Opened anew: the session comes back from the cookie, the cart from the API.
  await shopper.goto('/cart');
  await shopper.getByText(product.name, { exact: true }).waitFor();
  await shot(shopper, 'cart');
});

test('the shopper checks out and the order appears with its status', async () => {
  await shopper.getByRole('button', { name: 'Check out' }).click();
  await shopper.waitForURL('**/checkout');
  // The demo store ships through zones: an address and a method are part of the order.
  await fillUsAddress(shopper);
  await shot(shopper, 'checkout-address');
  await shopper.getByRole('button', { name: 'Show shipping options' }).click();
  await shopper.getByRole('button', { name: /^Standard, / }).click();
  await shopper.getByTestId('checkout-shipping').filter({ hasText: 'Standard' }).waitFor();
  await shopper.getByTestId('checkout-total').waitFor();
  await shot(shopper, 'checkout');
  await shopper.getByRole('button', { name: 'Place order' }).click();
  await shopper.waitForURL(/\/orders\/[0-9a-f-]{36}/);
  orderId = /\/orders\/([0-9a-f-]{36})/.exec(shopper.url())![1]!;
  await shopper.getByTestId('order-status').filter({ hasText: 'Pending' }).waitFor();
  await shopper.getByTestId('order-shipping-address').filter({ hasText: '1 Main St' }).waitFor();
  await shopper.getByTestId('order-shipping').filter({ hasText: 'Standard' }).waitFor();
  await shot(shopper, 'order-placed');
  const after = (await (await fetch(`${e2e.apiUrl}/api/products/${product.id}`)).json()) as { stock: number };
  assert.equal(after.stock, product.stock - 1, 'the order took its unit from stock');
  assert.deepEqual(shopperErrors, [], 'no script errors in the app');
});

test('an admin ships the order through the API and the app shows Shipped without a reload, told by the subscription', async () => {
  assert.ok(orderId, 'an order was placed');
  // A mark on this page's window: a reload or a navigation would lose it.
  await shopper.evaluate(() => Object.assign(window, { stillThisPage: true }));
  await shipOrder(orderId);
  await shopper.getByTestId('order-status').filter({ hasText: 'Shipped' }).waitFor({ timeout: 30_000 });
  assert.equal(await shopper.evaluate(() => (window as { stillThisPage?: boolean }).stillThisPage), true, 'the page was not reloaded');
  // Playwright reports a frame to this process after the page has already acted on it: give the report a moment.
  const carried = () => pushed.some((frame) => frame.includes('orderStatusChanged') && frame.includes('SHIPPED'));
  for (let waited = 0; !carried() && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(carried(), 'the subscription carried the change');
  await shot(shopper, 'order-shipped');
  assert.deepEqual(shopperErrors, [], 'no script errors in the app');
});

test('signed out, the app forgets the session: the cookie is gone and a reload is signed out', async () => {
  await shopper.goto('/account');
  await shopper.getByRole('button', { name: 'Sign out of this device' }).click();
  await shopper.getByText('You are not signed in').waitFor();
  assert.equal(await refreshCookie(), undefined, 'the refresh cookie is deleted');
  await shopper.goto('/orders');
  await shopper.getByText('Sign in to see your orders').waitFor();
  await shot(shopper, 'signed-out');
  assert.deepEqual(shopperErrors, [], 'no script errors in the app');
});
