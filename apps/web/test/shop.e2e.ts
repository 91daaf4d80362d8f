import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { e2e, launchBrowser, newShopper, pickProduct, shot, signInThroughForm } from './support.ts';

/**
 * A shopper and an admin, each in their own browser profile, through the whole store: sign-up,
 * browsing, cart, checkout, order status, price changes, access rules and silent token renewal.
 * The tests run in order and build on each other (the order placed is the one the admin moves).
 */

let browser: Browser;
let shopperContext: BrowserContext;
let shopper: Page;
let shopperErrors: string[];
let adminContext: BrowserContext;
let admin: Page;
let product: { id: string; name: string; price: number; stock: number };
let orderId = '';

const suffix = randomBytes(4).toString('hex');
const account = { name: 'Ada Shopper', email: `ada-${suffix}@example.com`, password: `tidal-orchid-lantern-${suffix}` };
const usd = (n: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(n);

before(async () => {
  browser = await launchBrowser();
  ({ context: shopperContext, page: shopper, errors: shopperErrors } = await newShopper(browser));
  ({ context: adminContext, page: admin } = await newShopper(browser));
  product = await pickProduct();
});

after(async () => {
  await browser?.close();
});

test('a wrong password shows a clear message and signs nobody in', async () => {
  await admin.goto('/login');
  await admin.getByLabel('Email').fill(e2e.adminEmail);
  await admin.getByLabel('Password').fill('not-the-password-at-all');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  // (Next's route announcer is also an alert region: look for ours by its words.)
  const alert = admin.getByRole('alert').filter({ hasText: /email or password/i });
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /The email or password is incorrect/);
  assert.equal(new URL(admin.url()).pathname, '/login');
  assert.equal(await admin.getByTestId('account-menu').count(), 0);
  assert.equal(await admin.getByLabel('Email').inputValue(), e2e.adminEmail, 'what was typed stays, to correct it');
  await shot(admin, 'login-wrong-password');
});

test('a shopper signs up; the refresh token is in an httpOnly Secure SameSite cookie, never in storage', async () => {
  await shopper.goto('/');
  await shot(shopper, 'home');
  await shopper.getByRole('link', { name: 'Create account' }).click();
  await shopper.getByLabel('Name').fill(account.name);
  await shopper.getByLabel('Email').fill(account.email);
  await shopper.getByLabel('Password').fill(account.password);
  await shopper.getByRole('button', { name: 'Create account' }).click();
  await shopper.getByTestId('account-menu').waitFor();
  assert.match((await shopper.getByTestId('account-menu').textContent()) ?? '', /Ada Shopper/);

  const cookies = await shopperContext.cookies();
  const refresh = cookies.find((cookie) => cookie.name === 'dema_refresh');
  assert.ok(refresh, 'a refresh cookie is set');
  assert.equal(refresh.httpOnly, true);
  assert.equal(refresh.secure, true);
  assert.equal(refresh.sameSite, 'Strict');
  assert.equal(refresh.path, '/auth');
  const storage = await shopper.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  assert.ok(!storage.includes(refresh.value), 'no script-readable copy of the refresh token');
  assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(storage), 'no access token (JWT) in storage or script-readable cookies');

  // A reload forgets the in-memory access token; the cookie brings the session back.
  await shopper.reload();
  await shopper.getByTestId('account-menu').waitFor();
});

test('the shopper browses, searches, adds to the cart, checks out and sees the order listed', async () => {
  await shopper.goto('/categories');
  await shot(shopper, 'categories');
  await shopper.locator('.category-tile').first().click();
  await shopper.getByTestId('product-grid').waitFor();
  await shot(shopper, 'category');

  await shopper.getByRole('searchbox', { name: 'Search products' }).fill(product.name);
  await shopper.getByRole('searchbox', { name: 'Search products' }).press('Enter');
  await shopper.waitForURL(/\/products\?q=/);
  await shot(shopper, 'products-search');
  await shopper.getByRole('link', { name: product.name, exact: true }).first().click();
  await shopper.waitForURL(`**/products/${product.id}`);
  assert.equal(await shopper.getByTestId('product-name').textContent(), product.name);
  assert.equal(await shopper.getByTestId('product-price').textContent(), usd(product.price));
  assert.match((await shopper.getByTestId('stock').textContent()) ?? '', /In stock|left/);
  await shot(shopper, 'product');

  await shopper.getByLabel('Quantity').fill('2');
  await shopper.getByRole('button', { name: 'Add to cart' }).click();
  await shopper.getByRole('status').filter({ hasText: 'Added to your cart' }).waitFor();
  await shopper.getByTestId('cart-count').filter({ hasText: '2' }).waitFor();

  await shopper.getByRole('link', { name: /^Cart/ }).click();
  await shopper.getByTestId('cart-line').first().waitFor();
  assert.equal(await shopper.getByTestId('cart-line').count(), 1);
  assert.equal(await shopper.getByTestId('cart-subtotal').textContent(), usd(product.price * 2));
  await shot(shopper, 'cart');

  await shopper.getByRole('link', { name: 'Checkout' }).click();
  await shopper.getByTestId('checkout-total').waitFor();
  assert.equal(await shopper.getByTestId('checkout-total').textContent(), usd(product.price * 2));
  await shot(shopper, 'checkout');
  await shopper.getByRole('button', { name: 'Place order' }).click();
  await shopper.waitForURL(/\/orders\/[0-9a-f-]{36}\?placed=1/);
  orderId = new URL(shopper.url()).pathname.split('/')[2]!;
  await shopper.getByText('Your order has been placed').waitFor();
  assert.equal(await shopper.getByTestId('order-status').locator('[data-status]').getAttribute('data-status'), 'PENDING');
  assert.equal(await shopper.getByTestId('order-total').textContent(), usd(product.price * 2));
  await shot(shopper, 'order-placed');
  await shopper.getByTestId('cart-count').waitFor({ state: 'detached' });

  await shopper.goto('/orders');
  const row = shopper.locator(`tr[data-order-id="${orderId}"]`);
  await row.waitFor();
  assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'PENDING');
  await shot(shopper, 'my-orders');

  const after = (await (await fetch(`${e2e.apiUrl}/api/products/${product.id}`)).json()) as { stock: number };
  assert.equal(after.stock, product.stock - 2, 'the order took its units from stock');
  assert.deepEqual(shopperErrors, [], 'no script errors on the pages');
});

test('an admin changes the order status and the shopper sees it', async () => {
  assert.ok(orderId, 'an order was placed');
  await signInThroughForm(admin, e2e.adminEmail, e2e.adminPassword);
  await admin.waitForURL('**/overview');
  await admin.getByTestId('api-health').waitFor();
  // Today's figures count the order the shopper just placed.
  await admin
    .getByTestId('orders-today')
    .filter({ hasText: /^[1-9]/ })
    .waitFor();
  await admin.getByTestId('low-stock').or(admin.getByText('Stock is healthy')).first().waitFor();
  await shot(admin, 'admin-overview');

  await admin.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Orders' }).click();
  const row = admin.locator(`tr[data-order-id="${orderId}"]`);
  await row.waitFor();
  await row.getByRole('combobox').selectOption('CONFIRMED');
  await row.getByRole('button', { name: 'Update' }).click();
  await row.locator('[data-status="CONFIRMED"]').waitFor();
  await shot(admin, 'admin-orders');

  await shopper.goto(`/orders/${orderId}`);
  await shopper.getByTestId('order-status').locator('[data-status="CONFIRMED"]').waitFor();
  await shot(shopper, 'order-confirmed');
  // The customer may still cancel a confirmed order (customerTransitions), and nothing else.
  assert.equal(await shopper.getByRole('button', { name: 'Cancel order' }).count(), 1);
  assert.equal(await shopper.getByRole('button', { name: /Mark shipped|Update/ }).count(), 0);
});

test('an admin edits a price and the storefront shows it', async () => {
  const newPrice = Math.round((product.price + 1.25) * 100) / 100;
  await admin.goto('/admin/products');
  await admin.getByTestId('admin-products').waitFor();
  await shot(admin, 'admin-products');
  await admin.goto(`/admin/products/${product.id}`);
  await admin.getByLabel('Price (USD)').fill(newPrice.toFixed(2));
  await admin.getByRole('button', { name: 'Save changes' }).click();
  await admin.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
  await shot(admin, 'admin-product-edit');

  await shopper.goto(`/products/${product.id}`);
  assert.equal(await shopper.getByTestId('product-price').textContent(), usd(newPrice));
  await shopper.goto(`/products?q=${encodeURIComponent(product.name)}`);
  const card = shopper.locator('article.product-card', { has: shopper.getByRole('link', { name: product.name, exact: true }) });
  assert.equal(await card.getByTestId('card-price').textContent(), usd(newPrice));
});

test('an admin weighs a new product and one of its variants; the product page shows the weights', async () => {
  await admin.goto('/admin/products/new');
  await admin.getByLabel('Name', { exact: true }).fill(`Weighed Press ${suffix}`);
  await admin.getByLabel('Price (USD)').fill('39.90');
  await admin.getByLabel('Weight (g)', { exact: true }).fill('450');
  for (const [index, name] of ['350 ml', '1 L'].entries()) {
    await admin.getByRole('button', { name: 'Add variant' }).click();
    await admin.getByLabel(`Variant ${index + 1} name`).fill(name);
    await admin.getByLabel(`Variant ${index + 1} stock`).fill('3');
  }
  // A fraction of a gram is refused on the spot, next to the variant, and nothing is created.
  await admin.getByLabel('Variant 2 weight').fill('900.5');
  await admin.getByRole('button', { name: 'Create product' }).click();
  await admin.getByText('Enter whole grams, up to 1,000,000.').waitFor();
  assert.equal(await admin.getByLabel('Variant 2 weight').getAttribute('aria-invalid'), 'true');
  assert.equal(new URL(admin.url()).pathname, '/admin/products/new');

  await admin.getByLabel('Variant 2 weight').fill('900');
  await admin.getByRole('button', { name: 'Create product' }).click();
  await admin.getByRole('status').filter({ hasText: 'Product created' }).waitFor();
  const id = new URL(admin.url()).pathname.split('/').pop()!;
  assert.equal(await admin.getByLabel('Weight (g)', { exact: true }).inputValue(), '450');
  assert.equal(await admin.getByLabel('Variant 1 weight').inputValue(), '', "the first weighs the product's weight");
  assert.equal(await admin.getByLabel('Variant 2 weight').inputValue(), '900');
  await shot(admin, 'admin-product-weights');

  await shopper.goto(`/products/${id}`);
  const weight = shopper.locator('.spec-table tr', { has: shopper.getByRole('rowheader', { name: 'Weight' }) });
  assert.equal(await weight.locator('td').textContent(), '450 g – 900 g');
});

test('an admin sees analytics, categories and users', async () => {
  await admin.goto('/analytics');
  await admin
    .getByRole('heading', { name: /^Analytics/ })
    .first()
    .waitFor();
  // Charts when the analytics service runs in this installation, a clear "not available" otherwise.
  await admin.locator('svg.chart').or(admin.getByText('Analytics is not available')).first().waitFor();
  await shot(admin, 'admin-analytics');
  await admin.goto('/admin/categories');
  await admin.getByRole('heading', { name: 'Categories', level: 1 }).waitFor();
  await shot(admin, 'admin-categories');
  await admin.goto('/admin/users');
  await admin.locator(`tr[data-user-email="${account.email}"]`).waitFor();
  await shot(admin, 'admin-users');
});

test('a customer who opens an admin page is sent away, and the API refuses them too', async () => {
  for (const path of ['/overview', '/analytics', '/admin/products', '/admin/users']) {
    await shopper.goto(path);
    await shopper.waitForURL((url) => url.pathname === '/', { timeout: 15_000 });
  }
  assert.equal(await shopper.getByText('That page is for store staff').count(), 1);

  const login = await fetch(`${e2e.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  const { tokens } = (await login.json()) as { tokens: { accessToken: string } };
  const users = await fetch(`${e2e.apiUrl}/api/users`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  assert.equal(users.status, 403);
});

test('an expired access token is renewed without the shopper noticing', async () => {
  const { context, page } = await newShopper(browser);
  await page.clock.install();
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('account-menu').waitFor();
  await page.goto('/orders');
  await page.locator(`tr[data-order-id="${orderId}"]`).waitFor();

  // Sixteen minutes later the 15-minute access token has expired: the next call renews it first.
  await page.clock.fastForward('16:00');
  const renewal = page.waitForRequest((request) => request.url().endsWith('/auth/refresh'));
  await page.getByRole('button', { name: 'Refresh' }).click();
  await renewal;
  await page.locator(`tr[data-order-id="${orderId}"]`).waitFor();

  // A token the API refuses (revoked, or expired by its clock) is renewed and the call retried once.
  let refused = false;
  await page.route('**/api/orders/user/**', async (route) => {
    if (refused) return route.continue();
    refused = true;
    return route.fulfill({
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'UNAUTHENTICATED' }),
    });
  });
  const second = page.waitForRequest((request) => request.url().endsWith('/auth/refresh'));
  await page.getByRole('button', { name: 'Refresh' }).click();
  await second;
  await page.locator(`tr[data-order-id="${orderId}"]`).waitFor();
  assert.ok(refused);
  assert.equal(await page.getByText('Please sign in').count(), 0, 'the shopper was never asked to sign in');
  await context.close();
});

test('signing out ends the session in this browser and at the API', async () => {
  await shopper.goto('/');
  await shopper.getByTestId('account-menu').click();
  await shopper.getByRole('button', { name: 'Sign out' }).click();
  await shopper.getByRole('link', { name: 'Sign in' }).waitFor();
  const cookies = await shopperContext.cookies();
  assert.equal(
    cookies.find((cookie) => cookie.name === 'dema_refresh'),
    undefined,
  );
  await shopper.goto('/orders');
  await shopper.waitForURL(/\/login\?next=%2Forders/);
  await adminContext.close();
  await shopperContext.close();
});

test('a visitor fills a cart before signing in, and it comes along to checkout', async () => {
  const { context, page, errors } = await newShopper(browser);
  await page.goto(`/products/${product.id}`);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('status').filter({ hasText: 'Added to your cart' }).waitFor();
  await page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();
  await page.goto('/cart');
  await page.getByTestId('cart-line').waitFor();
  await shot(page, 'guest-cart');
  await page.getByRole('link', { name: 'Sign in to check out' }).click();
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/checkout');
  await page.getByTestId('checkout-total').waitFor();
  const price = (await (await fetch(`${e2e.apiUrl}/api/products/${product.id}`)).json()) as { price: number };
  assert.equal(await page.getByTestId('checkout-total').textContent(), usd(price.price));
  assert.equal(await page.evaluate(() => localStorage.getItem('dema_guest_cart')), null, 'the browser copy is gone once merged');
  assert.deepEqual(errors, []);
  await context.close();
});
