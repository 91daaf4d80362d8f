import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiToken, callApi, e2e, launchBrowser, newAdmin, shot } from './support.ts';

/**
 * An admin renames a product on the dashboard, then finds that change in the audit log by the
 * product's id, sees who made it by email, and reads its before and after.
 */

let browser: Browser;
let admin: Page;
let adminErrors: string[];

before(async () => {
  browser = await launchBrowser();
  ({ page: admin, errors: adminErrors } = await newAdmin(browser));
});

after(async () => {
  await browser?.close();
});

test("an admin's product change is in the audit log with its before and after", async () => {
  const suffix = randomBytes(3).toString('hex');
  const token = await apiToken(e2e.adminEmail, e2e.adminPassword);
  const product = await callApi<{ id: string }>(token, 'POST', '/api/products', { name: `Audited Kettle ${suffix}`, price: 39.9, stock: 4 }, [201]);

  await admin.goto(`/admin/products/${product.id}`);
  await admin.getByLabel('Name', { exact: true }).fill(`Audited Steel Kettle ${suffix}`);
  await admin.getByRole('button', { name: 'Save changes' }).click();
  await admin.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

  await admin.goto('/admin/audit');
  await admin.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  const search = admin.getByRole('search', { name: 'Search the audit log' });
  await search.getByLabel('Resource id').fill(product.id);
  // The entry reaches the log through the outbox and the bus: searched again until it is there.
  const entries = admin.getByRole('region', { name: 'Entries' });
  const updated = entries.getByRole('row').filter({ hasText: 'product.updated' });
  for (let attempt = 0; attempt < 50 && (await updated.count()) === 0; attempt += 1) {
    await search.getByRole('button', { name: 'Search' }).click();
    await admin.waitForTimeout(200);
  }
  await updated.waitFor();
  await updated.getByText(`${e2e.adminEmail} (admin)`).waitFor();
  await entries.getByRole('row').filter({ hasText: 'product.created' }).waitFor();

  await updated.getByRole('button', { name: /Show changes/ }).click();
  const changes = admin.getByRole('table', { name: `Before and after of product.updated ${product.id}` });
  const name = changes.getByRole('row').filter({ has: admin.getByRole('rowheader', { name: 'name', exact: true }) });
  assert.equal(await name.getAttribute('data-changed'), 'true');
  const cells = await name.getByRole('cell').allTextContents();
  assert.deepEqual(cells, [`"Audited Kettle ${suffix}"`, `"Audited Steel Kettle ${suffix}"`]);
  const price = changes.getByRole('row').filter({ has: admin.getByRole('rowheader', { name: 'price', exact: true }) });
  assert.equal(await price.getAttribute('data-changed'), 'false');
  await shot(admin, 'admin-audit');
  assert.deepEqual(adminErrors, []);
});
