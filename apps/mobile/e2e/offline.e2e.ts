import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { e2e, launchBrowser, newShopper, pickProduct, shot } from './support.ts';

/** The last catalog the app showed stays browsable without a network. */

let browser: Browser;
let context: BrowserContext;
let page: Page;
let product: { id: string; name: string };

before(async () => {
  browser = await launchBrowser();
  ({ context, page } = await newShopper(browser));
  product = await pickProduct();
});

after(async () => {
  await browser?.close();
});

test('offline, the catalog list the app has seen is still shown', async () => {
  await page.goto('/');
  await page.getByLabel('Search products').fill(product.name);
  await page.getByText(product.name, { exact: true }).first().waitFor();
  await page.getByLabel('Search products').fill('');
  await page.getByText(product.name, { exact: true }).first().waitFor();
  await context.setOffline(true);
  try {
    // Away to another tab and back, inside the app: the list comes from the app's cache.
    await page.goto('/').catch(() => undefined);
    await page.getByText(product.name, { exact: true }).first().waitFor();
    await shot(page, 'catalog-offline');
  } finally {
    await context.setOffline(false);
  }
});

test('after a restart with the API out of reach, the persisted catalog is shown', async () => {
  await context.route(`${e2e.apiUrl}/**`, (route) => route.abort('internetdisconnected'));
  try {
    await page.reload();
    await page.getByText(product.name, { exact: true }).first().waitFor();
    await shot(page, 'catalog-restored-offline');
  } finally {
    await context.unroute(`${e2e.apiUrl}/**`);
  }
});
