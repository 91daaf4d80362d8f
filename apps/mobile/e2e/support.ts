import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatPrice } from '@dema/contracts';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** What run.ts hands the tests: where things run, and the admin it created. */
export const e2e = {
  target: required('E2E_TARGET'),
  appUrl: required('E2E_APP_URL'),
  /** The same export on an origin Dema's CORS does not list. */
  strangerAppUrl: required('E2E_STRANGER_APP_URL'),
  apiUrl: required('E2E_API_URL'),
  adminEmail: required('E2E_ADMIN_EMAIL'),
  adminPassword: required('E2E_ADMIN_PASSWORD'),
  shotsDir: required('E2E_SHOTS_DIR'),
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the app's browser tests with "npm run e2e:mobile"`);
  return value;
}

const chromiumPath = '/usr/bin/chromium';

/** Debian's Chromium, headless. A missing browser is a failure, never a skip. */
export async function launchBrowser(): Promise<Browser> {
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: install it (apt-get install chromium); the app's browser tests cannot run without it`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A phone-sized browser profile of its own on the app, collecting uncaught page errors. */
export async function newShopper(browser: Browser, baseURL = e2e.appUrl): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.setDefaultTimeout(20_000);
  return { context, page, errors };
}

/** Saves a screenshot of what the phone shows as test-results/<target>/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(e2e.shotsDir, `${name}.png`) });
}

/** A product of the live catalog to shop for: in stock, sold without variants, first by name. */
export async function pickProduct(): Promise<{ id: string; name: string; price: number; stock: number }> {
  const response = await fetch(`${e2e.apiUrl}/api/products?limit=100&inStock=true&sort=name`);
  const page = (await response.json()) as { items: Array<{ id: string; name: string; price: number; stock: number; variants: unknown[] }> };
  const product = page.items.find((p) => p.variants.length === 0 && p.stock >= 10);
  assert.ok(product, 'the catalog has a product in stock without variants');
  return product;
}

/** Calls Dema as the admin run.ts created (signing in once), expecting a 2xx; answers the JSON body. */
export async function asAdmin<T>(method: string, pathname: string, body?: unknown): Promise<T> {
  adminToken ??= signInAdmin();
  const response = await fetch(`${e2e.apiUrl}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${pathname} as the admin answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

let adminToken: Promise<string> | undefined;

async function signInAdmin(): Promise<string> {
  const response = await fetch(`${e2e.apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: e2e.adminEmail, password: e2e.adminPassword }),
  });
  assert.equal(response.status, 200, `the admin signs in: ${await response.clone().text()}`);
  const session = (await response.json()) as { tokens: { accessToken: string } };
  return session.tokens.accessToken;
}

/** Moves an order along PENDING → CONFIRMED → SHIPPED as the admin, through the API. */
export async function shipOrder(orderId: string): Promise<void> {
  const order = await asAdmin<{ status: string }>('GET', `/api/orders/${orderId}`);
  if (order.status === 'PENDING') await asAdmin('PUT', `/api/orders/${orderId}/status`, { status: 'CONFIRMED' });
  await asAdmin('PUT', `/api/orders/${orderId}/status`, { status: 'SHIPPED' });
}

/** The catalog's row of `product`: a button named by the product's name and price. */
export function catalogRow(page: Page, product: { name: string; price: number }): Locator {
  return page.getByRole('button', { name: `${product.name}, ${formatPrice(product.price)}`, exact: true });
}

/** Fills checkout's shipping address with one in the demo store's Domestic (US) zone; the country is the form's default, the US. */
export async function fillUsAddress(page: Page): Promise<void> {
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByLabel('Address', { exact: true }).fill('1 Main St');
  await page.getByLabel('City').fill('New York');
  await page.getByLabel('State / province').fill('NY');
  await page.getByLabel('Postal code').fill('10001');
}
