import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** What scripts/e2e.ts hands the browser tests: where things run, and the admin it created. */
export const e2e = {
  webUrl: required('E2E_WEB_URL'),
  deadWebUrl: required('E2E_DEAD_WEB_URL'),
  apiUrl: required('E2E_API_URL'),
  adminEmail: required('E2E_ADMIN_EMAIL'),
  adminPassword: required('E2E_ADMIN_PASSWORD'),
  shotsDir: required('E2E_SHOTS_DIR'),
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests with "npx tsx apps/web/scripts/e2e.ts"`);
  return value;
}

const chromiumPath = '/usr/bin/chromium';

/** Debian's Chromium, headless. A missing browser is a failure, never a skip. */
export async function launchBrowser(): Promise<Browser> {
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: install it (apt-get install chromium); the browser tests cannot run without it`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A fresh browser profile (its own cookies) on the web app, collecting page errors and CSP violations. */
export async function newShopper(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL: e2e.webUrl, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // A script or style the Content-Security-Policy blocked is as much a failure as one that threw.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  page.setDefaultTimeout(15_000);
  return { context, page, errors };
}

/** Saves a full-page screenshot as test-results/<target>/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  // From the top, so the sticky header is not painted mid-page in a full-page capture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(e2e.shotsDir, `${name}.png`), fullPage: true });
}

/** Signs in through the login form and waits until the header shows the account menu. */
export async function signInThroughForm(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('account-menu').waitFor();
}

/** A new browser context signed in as the demo admin through the login form. */
export async function newAdmin(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const admin = await newShopper(browser);
  await signInThroughForm(admin.page, e2e.adminEmail, e2e.adminPassword);
  return admin;
}

/** A product of the live catalog to shop for: in stock, sold without variants. */
export async function pickProduct(): Promise<{ id: string; name: string; price: number; stock: number }> {
  const response = await fetch(`${e2e.apiUrl}/api/products?limit=100&inStock=true&sort=name`);
  const page = (await response.json()) as { items: Array<{ id: string; name: string; price: number; stock: number; variants: unknown[] }> };
  const product = page.items.find((p) => p.variants.length === 0 && p.stock >= 10);
  assert.ok(product, 'the catalog has a product in stock without variants');
  return product;
}

/** Signs `email` in at the API itself; the bearer token its calls need. */
export async function apiToken(email: string, password: string): Promise<string> {
  const response = await fetch(`${e2e.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(response.status, 200, `${email} signs in at the API`);
  return ((await response.json()) as { tokens: { accessToken: string } }).tokens.accessToken;
}

/** A new customer account, made through the API (the browser tests' shoppers). */
export async function signUpThroughApi(account: { name: string; email: string; password: string }): Promise<void> {
  const signup = await fetch(`${e2e.apiUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  assert.ok(signup.ok, `signup of ${account.email} answered ${signup.status}`);
}

/** A call to the API as the holder of `token`; throws unless it answers `expected`. */
export async function callApi<T>(token: string, method: string, path: string, body?: unknown, expected = [200, 201]): Promise<T> {
  const response = await fetch(`${e2e.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(expected.includes(response.status), `${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * The shipping configuration the browser tests shop under, whatever the demo data holds: a zone of
 * its own (Canada, shipping taxed) with a paid and a free method, Ontario's tax and a 10 % code.
 * Canada is in no demo zone, and Japan in none at all (the address outside every zone).
 */
export const storeCheckout = {
  zone: 'E2E Canada',
  country: 'CA',
  courier: { name: 'E2E Courier', amount: 7.5 },
  pickup: { name: 'E2E Pickup point', amount: 0 },
  tax: { name: 'E2E Ontario HST', region: 'ON', rate: '13' },
  code: 'E2E-TEN',
  percentOff: 10,
} as const;

/**
 * Configures `storeCheckout` through the admin API, once per Dema: every test file calls it (they
 * share the Dema, run one after another, and each may run alone), so it adds only what is missing.
 */
export async function configureCheckout(): Promise<void> {
  const token = await apiToken(e2e.adminEmail, e2e.adminPassword);
  const zones = await callApi<{ items: Array<{ id: string; name: string }> }>(token, 'GET', '/api/shipping-zones');
  if (!zones.items.some((zone) => zone.name === storeCheckout.zone)) {
    const zone = await callApi<{ id: string }>(token, 'POST', '/api/shipping-zones', {
      name: storeCheckout.zone,
      countries: [storeCheckout.country],
      taxShipping: true,
    });
    for (const method of [storeCheckout.courier, storeCheckout.pickup]) {
      await callApi(token, 'POST', `/api/shipping-zones/${zone.id}/methods`, { name: method.name, rate: { kind: 'flat', amount: method.amount } });
    }
  }
  const rates = await callApi<{ items: Array<{ country: string; region: string | null }> }>(token, 'GET', '/api/tax-rates');
  if (!rates.items.some((rate) => rate.country === storeCheckout.country && rate.region === storeCheckout.tax.region)) {
    await callApi(token, 'POST', '/api/tax-rates', {
      name: storeCheckout.tax.name,
      country: storeCheckout.country,
      region: storeCheckout.tax.region,
      rate: storeCheckout.tax.rate,
    });
  }
  const promotions = await callApi<{ items: Array<{ code: string }> }>(token, 'GET', '/api/promotions?limit=100');
  if (!promotions.items.some((promotion) => promotion.code === storeCheckout.code)) {
    await callApi(token, 'POST', '/api/promotions', { code: storeCheckout.code, kind: 'percentage', value: String(storeCheckout.percentOff) });
  }
  const { pricesIncludeTax, currency, paymentTimeoutMinutes, captureOn } = await callApi<Record<string, unknown>>(token, 'GET', '/api/checkout-settings');
  // Only the settings themselves go back: the answer carries more (the countries shipped to) than a PUT takes.
  if (pricesIncludeTax !== false)
    await callApi(token, 'PUT', '/api/checkout-settings', { pricesIncludeTax: false, currency, paymentTimeoutMinutes, captureOn });
}

/** An address in the test zone (Toronto, Ontario). */
export const torontoAddress = {
  firstName: 'Ada',
  lastName: 'Shopper',
  line1: '100 Queen St W',
  city: 'Toronto',
  region: 'ON',
  postalCode: 'M5H 2N2',
  country: 'CA',
} as const;

/** Fills the checkout's address fieldset called `legend` ("Where should we send it?", "Billing address"). */
export async function fillAddress(
  page: Page,
  legend: string,
  address: { firstName: string; lastName: string; line1: string; city: string; region?: string; postalCode?: string; country: string },
): Promise<void> {
  const form = page.getByRole('group', { name: legend });
  // The country first: it decides whether the region is a list.
  await form.getByLabel('Country').selectOption(address.country);
  await form.getByLabel('First name').fill(address.firstName);
  await form.getByLabel('Last name').fill(address.lastName);
  await form.getByLabel('Address', { exact: true }).fill(address.line1);
  await form.getByLabel('City').fill(address.city);
  if (address.region) {
    const region = form.getByLabel(/^State \/ province/);
    if ((await region.evaluate((element) => element.tagName)) === 'SELECT') await region.selectOption(address.region);
    else await region.fill(address.region);
  }
  await form.getByLabel(/^Postal code/).fill(address.postalCode ?? '');
}

/**
 * From the checkout page: the Toronto address (already there when `prefilled` from the address
 * book), the courier, up to the review (the "Place order" button).
 */
export async function checkOutToReview(page: Page, { prefilled = false } = {}): Promise<void> {
  if (!prefilled) await fillAddress(page, 'Where should we send it?', torontoAddress);
  await page.getByRole('button', { name: 'Continue to shipping' }).click();
  await page.getByRole('radio', { name: new RegExp(storeCheckout.courier.name) }).check();
  await page.getByRole('button', { name: 'Continue to review' }).click();
  await page.getByTestId('checkout-total').waitFor();
}
