import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { e2e, launchBrowser, newAdmin, shot } from './support.ts';

/**
 * An admin imports a catalog CSV on the dashboard: the dry run of a file with a bad row names the
 * row and column and writes nothing; a good file imports and its products are in the catalog; a
 * file over the proxy's 1 MiB for other bodies is checked all the same; a file over 1,000 rows runs
 * as a job whose progress shows until it is done.
 */

let browser: Browser;
let admin: Page;
let adminErrors: string[];
// Names no other test's products share, so a search finds only this run's.
const run = `imp${randomBytes(3).toString('hex')}`;

before(async () => {
  browser = await launchBrowser();
  ({ page: admin, errors: adminErrors } = await newAdmin(browser));
});

after(async () => {
  await browser?.close();
});

const csv = (rows: string[]): { name: string; mimeType: string; buffer: Buffer } => ({
  name: 'catalog.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from(`handle,name,price,stock\n${rows.join('\n')}\n`),
});

async function catalogTotal(search: string): Promise<number> {
  const response = await fetch(`${e2e.apiUrl}/api/products?limit=1&q=${encodeURIComponent(search)}`);
  return ((await response.json()) as { total: number }).total;
}

async function openImport(): Promise<void> {
  await admin.goto('/admin/import');
  await admin.getByRole('heading', { level: 1, name: 'Import and export' }).waitFor();
}

test('the nav leads to the import page; a dry run of a file with a bad row shows its row and column, and writes nothing', async () => {
  await admin.goto('/admin/products');
  await admin.getByRole('link', { name: 'Import and export' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Import and export' }).waitFor();
  const form = admin.getByRole('form', { name: 'Import products' });
  await form.getByLabel('CSV file').setInputFiles(csv([`${run}-a,Kettle ${run},12.50,3`, `${run}-b,Teapot ${run},twelve,4`]));
  await form.getByRole('button', { name: 'Check file' }).click();
  const rejected = admin.getByRole('region', { name: 'Rejected rows' });
  await rejected.waitFor();
  const row = rejected.getByRole('row').filter({ hasText: 'price' });
  assert.equal(await row.count(), 1);
  assert.equal((await row.getByRole('cell').first().textContent())?.trim(), '3');
  await shot(admin, 'admin-import-rejected');
  assert.equal(await catalogTotal(run), 0);
});

test('a good file is checked, then imported, and its products are in the catalog', async () => {
  await openImport();
  const form = admin.getByRole('form', { name: 'Import products' });
  await form.getByLabel('CSV file').setInputFiles(csv([`${run}-c,Kettle ${run},12.50,3`, `${run}-d,Teapot ${run},19.00,4`]));
  await form.getByRole('button', { name: 'Check file' }).click();
  await admin.getByText('The file is good — nothing was written. 2 rows: 2 products, 0 variants.').waitFor();
  assert.equal(await catalogTotal(run), 0);
  await form.getByRole('button', { name: 'Import' }).click();
  await admin.getByText('Imported 2 rows: 2 products, 0 variants.').waitFor();
  assert.equal(await catalogTotal(run), 2);
  assert.deepEqual(adminErrors, []);
});

test("a file over the proxy's general body limit (1 MiB) goes through to the import: its dry run is reported", async () => {
  await openImport();
  const description = 'A long description, as a real catalog has. '.repeat(200);
  const rows = Array.from({ length: 140 }, (_, i) => `${run}-big-${i},Big ${run} ${i},"${description}",4.50,2`);
  const buffer = Buffer.from(`handle,name,description,price,stock\n${rows.join('\n')}\n`);
  assert.ok(buffer.length > 1_048_576, `${buffer.length} bytes`);
  const form = admin.getByRole('form', { name: 'Import products' });
  await form.getByLabel('CSV file').setInputFiles({ name: 'big-catalog.csv', mimeType: 'text/csv', buffer });
  await form.getByRole('button', { name: 'Check file' }).click();
  await admin.getByText('The file is good — nothing was written. 140 rows: 140 products, 0 variants.').waitFor({ timeout: 30_000 });
  assert.equal(await catalogTotal(`Big ${run}`), 0);
  assert.deepEqual(adminErrors, []);
});

test("the products export takes the page's search, and downloads them as CSV", async () => {
  await openImport();
  await admin.getByLabel('Search', { exact: true }).fill(run);
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Export products' }).click()]);
  assert.equal(download.suggestedFilename(), 'products.csv');
  const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
  assert.match(lines[0]!, /^handle,name,/);
  assert.deepEqual(
    lines
      .slice(1)
      .map((line) => line.split(',')[1])
      .sort(),
    [`Kettle ${run}`, `Teapot ${run}`],
  );
  await admin.getByText('Downloaded products.csv.').waitFor();
});

test('a file over 1,000 rows shows the progress of its job, then that it is done', async () => {
  await openImport();
  const bulk = `bulk${run}`;
  const rows = Array.from({ length: 1_200 }, (_, i) => `${bulk}-${i},Bulk ${bulk} ${i},1.00,1`);
  // The job may well finish before the first poll: holding the polls back a moment lets the test see it running.
  let polls = 0;
  await admin.route('**/api/products/import/*', async (route) => {
    polls += 1;
    if (polls === 1) await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  const form = admin.getByRole('form', { name: 'Import products' });
  await form.getByLabel('CSV file').setInputFiles(csv(rows));
  await form.getByRole('button', { name: 'Import' }).click();
  const progress = admin.getByRole('region', { name: 'Import progress' });
  await progress.getByText(/^Importing… [\d,]+ of 1,200 rows$/).waitFor();
  assert.equal(await progress.getByRole('progressbar').getAttribute('max'), '1200');
  await shot(admin, 'admin-import-progress');
  await admin.getByText('Imported 1200 rows: 1200 products, 0 variants.').waitFor({ timeout: 60_000 });
  await progress.getByText('Done. 1,200 of 1,200 rows').waitFor();
  assert.ok(polls >= 1, 'the page polled the job');
  assert.equal(await catalogTotal(bulk), 1_200);
  assert.deepEqual(adminErrors, []);
});
