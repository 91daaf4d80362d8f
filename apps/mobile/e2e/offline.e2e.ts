import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { catalogRow, e2e, launchBrowser, newShopper, pickProduct, shot } from './support.ts';

/** The last catalog the app showed stays browsable without a network, also after the app is opened again. */

let browser: Browser;
let context: BrowserContext;
let page: Page;
let product: { id: string; name: string; price: number };

before(async () => {
  browser = await launchBrowser();
  ({ context, page } = await newShopper(browser));
  product = await pickProduct();
});

after(async () => {
  await browser?.close();
});

test('offline, the catalog list the app has seen is still there to browse', async () => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sort by Name' }).click();
  await catalogRow(page, product).waitFor();
  await context.setOffline(true);
  try {
    // Into a product and back inside the app: nothing can be fetched, the list is the app's own. The
    // browser's Back rebuilds the app's whole tree on the web (expo/expo#45588); the list must survive that.
    await catalogRow(page, product).click();
    await page.waitForURL(`**/product/${product.id}`);
    await page.goBack();
    await catalogRow(page, product).waitFor();
    await shot(page, 'catalog-offline');
  } finally {
    await context.setOffline(false);
  }
});

test('opened again with Dema out of reach, the app shows the catalog it kept under an offline banner', async () => {
  // The page itself still loads (its own origin); every call to Dema fails as on a dead network.
  await context.route(`${e2e.apiUrl}/**`, (route) => route.abort('internetdisconnected'));
  try {
    await page.goto('/');
    await page.getByRole('button', { name: 'Sort by Name' }).click();
    await catalogRow(page, product).waitFor();
    await page.getByText('Offline: showing what you saw last.').waitFor();
    await shot(page, 'catalog-restored-offline');
  } finally {
    await context.unroute(`${e2e.apiUrl}/**`);
  }
});
