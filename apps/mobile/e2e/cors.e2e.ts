import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { e2e, launchBrowser, newShopper } from './support.ts';

/** Dema answers the app's origin, and only it: the same build on another origin cannot call it. */

let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function preflight(origin: string): Promise<Response> {
  return fetch(`${e2e.apiUrl}/api/orders`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
  });
}

test("a preflight from the app's origin is allowed, from another origin refused", async () => {
  const allowed = await preflight(e2e.appUrl);
  assert.equal(allowed.status, 204);
  assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /idempotency-key/);
  const refused = await preflight(e2e.strangerAppUrl);
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
});

test("the app's pages can read Dema's answers; the same pages on another origin cannot", async () => {
  const { page } = await newShopper(browser);
  await page.goto('/');
  const read = (url: string) =>
    page.evaluate(async (target) => {
      try {
        return (await fetch(target)).status;
      } catch (error) {
        return String(error);
      }
    }, url);
  assert.equal(await read(`${e2e.apiUrl}/api/products?limit=1`), 200);
  await page.goto(e2e.strangerAppUrl);
  assert.match(String(await read(`${e2e.apiUrl}/api/products?limit=1`)), /TypeError|Failed to fetch/);
});
