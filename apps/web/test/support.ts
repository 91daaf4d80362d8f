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

/** A product of the live catalog to shop for: in stock, sold without variants. */
export async function pickProduct(): Promise<{ id: string; name: string; price: number; stock: number }> {
  const response = await fetch(`${e2e.apiUrl}/api/products?limit=100&inStock=true&sort=name`);
  const page = (await response.json()) as { items: Array<{ id: string; name: string; price: number; stock: number; variants: unknown[] }> };
  const product = page.items.find((p) => p.variants.length === 0 && p.stock >= 10);
  assert.ok(product, 'the catalog has a product in stock without variants');
  return product;
}
