import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiToken, callApi, e2e, fillAddress, launchBrowser, newShopper, pickProduct, shot, signInThroughForm, signUpThroughApi } from './support.ts';

/**
 * An admin configures checkout through the dashboard's pages (a tax rate, a zone with a flat
 * method, a promotion): each shows in its list; a bad input shows the API's reason at its field and
 * changes nothing. Then a shopper in that zone is offered the new method at checkout. Switzerland
 * is in no zone of the demo data nor of the other browser tests, so the method can only be ours.
 */

let browser: Browser;
let admin: Page;
let adminErrors: string[];
let adminToken: string;

const suffix = randomBytes(3).toString('hex').toUpperCase();
// A region of our own (1-3 letters or digits), so the rate is new to this Dema whatever ran before.
const taxRegion = `Q${suffix.slice(0, 2)}`;
const zone = { name: `E2E Swiss zone ${suffix}`, country: 'CH' };
const method = { name: `E2E Alpine post ${suffix}`, amount: '6.40' };
const code = `E2E-ADMIN-${suffix}`;

before(async () => {
  browser = await launchBrowser();
  ({ page: admin, errors: adminErrors } = await newShopper(browser));
  adminToken = await apiToken(e2e.adminEmail, e2e.adminPassword);
  await signInThroughForm(admin, e2e.adminEmail, e2e.adminPassword);
});

after(async () => {
  await browser?.close();
});

test('the Checkout group of the dashboard leads to its four pages', async () => {
  await admin.goto('/admin/tax-rates');
  const nav = admin.getByRole('navigation', { name: 'Dashboard' });
  for (const [label, heading] of [
    ['Shipping', 'Shipping'],
    ['Tax rates', 'Tax rates'],
    ['Promotions', 'Promotions'],
    ['Settings', 'Checkout settings'],
  ] as const) {
    await nav.getByRole('link', { name: label, exact: true }).click();
    await admin.getByRole('heading', { level: 1, name: heading }).waitFor();
  }
  assert.deepEqual(adminErrors, []);
});

test('an admin adds a tax rate; a rate of 150 % shows the API’s reason at the field and adds nothing', async () => {
  await admin.goto('/admin/tax-rates');
  const form = admin.getByRole('form', { name: 'New tax rate' });
  const before = await callApi<{ items: unknown[] }>(adminToken, 'GET', '/api/tax-rates');

  const bad = { name: `E2E Bad ${suffix}`, country: zone.country, region: taxRegion, rate: '150' };
  const refusal = await fetch(`${e2e.apiUrl}/api/tax-rates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(bad),
  });
  assert.equal(refusal.status, 400);
  const reason = ((await refusal.json()) as { invalidParams: Array<{ name: string; reason: string }> }).invalidParams.find(
    (p) => p.name === 'body.rate',
  )?.reason;
  assert.ok(reason, 'the API names the rate');

  await form.getByLabel('Name').fill(bad.name);
  await form.getByLabel('Country').fill(bad.country);
  await form.getByLabel('Region (optional)').fill(bad.region);
  await form.getByLabel('Rate (%)').fill(bad.rate);
  await form.getByRole('button', { name: 'Add tax rate' }).click();
  const rateField = form.getByLabel('Rate (%)');
  await admin.locator('#tax-new-rate-error').waitFor();
  assert.equal(await admin.locator('#tax-new-rate-error').textContent(), reason, 'the API’s own reason, at the rate');
  assert.equal(await rateField.getAttribute('aria-invalid'), 'true');
  const after = await callApi<{ items: unknown[] }>(adminToken, 'GET', '/api/tax-rates');
  assert.equal(after.items.length, before.items.length, 'nothing was added');

  await rateField.fill('7.7');
  await form.getByLabel('Name').fill(`E2E Swiss VAT ${suffix}`);
  await form.getByRole('button', { name: 'Add tax rate' }).click();
  await admin
    .getByRole('status')
    .filter({ hasText: `Added “E2E Swiss VAT ${suffix}”.` })
    .waitFor();
  const row = admin.getByRole('row').filter({ hasText: `E2E Swiss VAT ${suffix}` });
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /7\.7/);
  assert.equal(await admin.locator('#tax-new-rate-error').count(), 0, 'the error is gone once the rate is right');
  await shot(admin, 'admin-tax-rates');
});

test('an admin creates a zone and a flat method in it; both show on the shipping page', async () => {
  await admin.goto('/admin/shipping');
  const zoneForm = admin.getByRole('form', { name: 'New shipping zone' });
  await zoneForm.getByLabel('Zone name').fill(zone.name);
  await zoneForm.getByLabel('Countries').fill('ch, xx1');
  await zoneForm.getByRole('button', { name: 'Create zone' }).click();
  await admin.locator('#zone-new-countries-error').waitFor();
  const zones = await callApi<{ items: Array<{ name: string }> }>(adminToken, 'GET', '/api/shipping-zones');
  assert.ok(!zones.items.some((z) => z.name === zone.name), 'a bad country code creates no zone');

  await zoneForm.getByLabel('Countries').fill(zone.country.toLowerCase());
  await zoneForm.getByRole('button', { name: 'Create zone' }).click();
  const section = admin.getByRole('region', { name: `Zone ${zone.name}` });
  await section.waitFor();
  assert.match((await section.textContent()) ?? '', /CH/);

  await section.getByText(`Add a method to ${zone.name}`).click();
  const methodForm = section.getByRole('form', { name: 'New shipping method' });
  await methodForm.getByLabel('Method name').fill(method.name);
  await methodForm.getByLabel('Price', { exact: true }).fill(method.amount);
  await methodForm.getByRole('button', { name: 'Add method' }).click();
  const methodRow = section.getByRole('row').filter({ hasText: method.name });
  await methodRow.waitFor();
  assert.match((await methodRow.textContent()) ?? '', /\$6\.40 flat/);
  await shot(admin, 'admin-shipping');
});

test('an admin creates a promotion; it shows with its uses and limit', async () => {
  await admin.goto('/admin/promotions');
  const form = admin.getByRole('form', { name: 'New promotion' });
  await form.getByLabel('Code').fill(code.toLowerCase());
  await form.getByLabel('Discount').selectOption('percentage');
  await form.getByLabel('Percent').fill('15');
  await form.getByLabel('Total uses (optional)').fill('100');
  await form.getByLabel('Uses per customer (optional)').fill('1');
  await form.getByRole('button', { name: 'Create promotion' }).click();
  const row = admin.getByRole('row').filter({ hasText: code });
  await row.waitFor();
  const text = (await row.textContent()) ?? '';
  assert.match(text, /15 % off/);
  assert.match(text, /0 \/ 100/);
  assert.match(text, /1 per customer/);

  await row.getByRole('button', { name: `Deactivate ${code}` }).click();
  await admin
    .getByRole('row')
    .filter({ hasText: `${code} · inactive` })
    .waitFor();
  const stored = await callApi<{ items: Array<{ code: string; active: boolean }> }>(adminToken, 'GET', '/api/promotions?limit=100');
  assert.equal(stored.items.find((p) => p.code === code)?.active, false);
  await shot(admin, 'admin-promotions');
  assert.deepEqual(adminErrors, []);
});

test('a shopper in the new zone is offered the new method at checkout', async () => {
  const { page: shopper, errors } = await newShopper(browser);
  const account = { name: 'Heidi Checkout', email: `heidi-${suffix.toLowerCase()}@example.com`, password: `glacier-pine-meadow-${suffix}` };
  await signUpThroughApi(account);
  const token = await apiToken(account.email, account.password);
  const product = await pickProduct();
  await callApi(token, 'PUT', `/api/cart/items/${product.id}`, { quantity: 1 });
  await signInThroughForm(shopper, account.email, account.password);
  await shopper.goto('/checkout');
  await fillAddress(shopper, 'Where should we send it?', {
    firstName: 'Heidi',
    lastName: 'Shopper',
    line1: 'Bahnhofstrasse 1',
    city: 'Zürich',
    postalCode: '8001',
    country: zone.country,
  });
  await shopper.getByRole('button', { name: 'Continue to shipping' }).click();
  const radio = shopper.getByRole('radio', { name: new RegExp(method.name) });
  await radio.waitFor();
  assert.equal(await shopper.getByRole('radio', { name: /E2E Courier/ }).count(), 0, 'only the methods of the zone of the address');
  await shot(shopper, 'admin-checkout-shopper-method');
  assert.deepEqual(errors, []);
});

test('a store that sells in euros shows euros on the catalog, the product page and the footer', async () => {
  const settings = await callApi<Record<string, unknown>>(adminToken, 'GET', '/api/checkout-settings');
  await callApi(adminToken, 'PUT', '/api/checkout-settings', { ...settings, currency: 'EUR' });
  try {
    const { page: shopper, errors } = await newShopper(browser);
    await shopper.goto('/');
    const price = shopper.getByTestId('card-price').first();
    await price.waitFor();
    assert.match((await price.textContent()) ?? '', /^€\d/, 'the card is priced in the store’s currency');
    assert.match((await shopper.locator('.site-footer').textContent()) ?? '', /Prices in EUR/);
    const product = await pickProduct();
    await shopper.goto(`/products/${product.id}`);
    assert.match((await shopper.getByTestId('product-price').textContent()) ?? '', /^€\d/);
    assert.deepEqual(errors, []);
  } finally {
    await callApi(adminToken, 'PUT', '/api/checkout-settings', settings);
  }
});
