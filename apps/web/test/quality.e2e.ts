import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { describeFirstLoad, firstLoadBudget, measureFirstLoad } from '../scripts/first-load-size.ts';
import { e2e, launchBrowser, newShopper, pickProduct, shot } from './support.ts';

/** What a visitor feels without signing in: server rendering, SEO, layouts, states, budgets. */

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('catalog pages are rendered on the server, with titles, meta tags and structured data', async () => {
  const product = await pickProduct();
  const list = await (await fetch(`${e2e.webUrl}/products`)).text();
  assert.match(list, /<title>All products · [^<]+<\/title>/);
  assert.match(list, /<meta name="description" content="Browse the full catalog/);
  assert.match(list, /data-testid="product-grid"/);
  assert.match(list, /Showing 1–12 of [\d,]+ products/);

  const detail = await (await fetch(`${e2e.webUrl}/products/${product.id}`)).text();
  const escaped = product.name.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  assert.ok(detail.includes(`<title>${escaped} · `), 'the product name is the title');
  assert.ok(detail.includes(`<meta property="og:title" content="${escaped}"`), 'open graph title');
  assert.match(detail, /<link rel="canonical" href="[^"]*\/products\/[0-9a-f-]{36}"/);
  assert.match(detail, /application\/ld\+json/);
  assert.match(detail, /Specifications/);

  const missing = await fetch(`${e2e.webUrl}/products/00000000-0000-4000-8000-000000000000`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /Product not found|Page not found/);
});

test('the sitemap lists the categories and products; robots.txt points to it', async () => {
  const product = await pickProduct();
  const sitemap = await (await fetch(`${e2e.webUrl}/sitemap.xml`)).text();
  assert.ok(sitemap.includes(`/products/${product.id}</loc>`));
  assert.match(sitemap, /\/categories\/[a-z0-9-]+<\/loc>/);
  const robots = await (await fetch(`${e2e.webUrl}/robots.txt`)).text();
  assert.match(robots, /Sitemap: .*\/sitemap\.xml/);
  assert.match(robots, /Disallow: \/checkout/);
});

test('search, filters, sort and pagination narrow and order the catalog', async () => {
  const { context, page } = await newShopper(browser);
  await page.goto('/products?sort=price');
  const prices = await page.getByTestId('card-price').allTextContents();
  const numbers = prices.map((text) => Number(text.replace(/[^0-9.–]/g, '').split('–')[0]));
  assert.ok(numbers.length > 2);
  assert.deepEqual(
    numbers,
    [...numbers].sort((a, b) => a - b),
    'sorted by price, low to high',
  );

  await page.getByRole('link', { name: 'Page 2' }).first().click();
  await page.waitForURL(/page=2/);
  assert.match((await page.locator('#results-heading').textContent()) ?? '', /Showing 13–/);

  await page.goto('/products');
  await page.getByLabel('Maximum price').fill('30');
  await page.getByLabel('In stock only').check();
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/maxPrice=30/);
  for (const text of await page.getByTestId('card-price').allTextContents()) {
    assert.ok(Number(text.replace(/[^0-9.–]/g, '').split('–')[0]) <= 30, `${text} is within the filter`);
  }
  await shot(page, 'products-filtered');

  await page.goto('/products?q=zzqqxxnothing');
  await page.getByText('No products match these filters').waitFor();
  await shot(page, 'products-empty');
  await context.close();
});

test('on a phone the catalog fits the screen and the product page stacks', async () => {
  const { context, page } = await newShopper(browser, { width: 390, height: 844 });
  const product = await pickProduct();
  await page.goto('/products');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (overflow ${overflow}px)`);
  await shot(page, 'phone-products');
  await page.goto(`/products/${product.id}`);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0);
  await shot(page, 'phone-product');
  await context.close();
});

test('forms work from the keyboard and announce their errors', async () => {
  const { context, page } = await newShopper(browser);
  await page.goto('/signup');
  await page.getByLabel('Name').focus();
  await page.keyboard.type('Kay Board');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kay@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('short');
  await page.keyboard.press('Enter');
  const alert = page.getByRole('alert').filter({ hasText: /highlighted fields/ });
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /Please correct the highlighted fields/);
  assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
  const describedBy = (await page.getByLabel('Password').getAttribute('aria-describedby')) ?? '';
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, the text a reader sees
  assert.match(await page.locator(`[id="${describedBy.split(' ').pop()}"]`).innerText(), /at least 12 characters/i);
  await shot(page, 'signup-errors');
  await context.close();
});

test('an API that is down gives a clear page, not a blank one', async () => {
  const { context, page } = await newShopper(browser);
  for (const path of ['/', '/products', '/categories']) {
    await page.goto(`${e2e.deadWebUrl}${path}`);
    await page.getByTestId('service-unavailable').waitFor();
    assert.match((await page.getByTestId('service-unavailable').textContent()) ?? '', /The store is temporarily unavailable/);
  }
  await shot(page, 'api-down');
  await page.goto(`${e2e.deadWebUrl}/login`);
  await page.getByLabel('Email').fill('anyone@example.com');
  await page.getByLabel('Password').fill('whatever-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /temporarily unavailable/i })
    .waitFor({ timeout: 30_000 });
  await context.close();
});

test('the catalog page loads under 200 kB of JavaScript, gzipped', async () => {
  const result = await measureFirstLoad(`${e2e.webUrl}/products`);
  console.log(describeFirstLoad(result));
  assert.ok(result.scripts.length > 0, 'scripts were found in the page');
  assert.ok(result.gzipBytes <= firstLoadBudget, `first-load JS is ${result.gzipBytes} bytes gzipped`);
});
