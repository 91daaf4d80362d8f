import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { e2e, launchBrowser, newShopper, shot, signInThroughForm } from './support.ts';

/**
 * The admin overview's metrics over the last hour: one chart per SystemMetrics and
 * ApplicationMetrics figure, refreshing by itself (scripts/e2e.ts samples every second).
 */

let browser: Browser;
let admin: Page;
let errors: string[];

const charts = [
  'CPU usage',
  'Memory used',
  'Disk used',
  'Network in',
  'Network out',
  'Requests',
  'Succeeded',
  'Failed',
  'Latency',
  'DB connections',
  'Query time',
  'Pool size',
  'Cache hits',
  'Cache misses',
  'Cache hit ratio',
];

/** How many points the chart named `title` draws now. */
async function pointsOf(page: Page, title: string): Promise<number> {
  const chart = page.getByTestId('metrics-history').getByRole('img', { name: new RegExp(`^${title}: `) });
  return Number(await chart.getAttribute('data-points'));
}

before(async () => {
  browser = await launchBrowser();
  ({ page: admin, errors } = await newShopper(browser));
});

after(async () => {
  await browser?.close();
});

test('the overview charts every system and application metric, and the charts gain points without a reload', async () => {
  await signInThroughForm(admin, e2e.adminEmail, e2e.adminPassword);
  await admin.waitForURL('**/overview');
  const panel = admin.getByTestId('metrics-history');
  await panel.getByRole('heading', { name: 'Metrics, last hour' }).waitFor();
  for (const title of charts) {
    // Each chart is an image whose name carries its latest value, once there is one.
    await panel.getByRole('img', { name: new RegExp(`^${title}: (?!no reading yet)`) }).waitFor();
  }
  const first = await pointsOf(admin, 'Requests');
  const box = await panel.boundingBox();
  // The page is not reloaded: the panel polls, and the alert engine adds a sample a second.
  await admin.waitForFunction(
    (before) => Number(document.querySelector('[data-testid="metrics-history"] svg[aria-label^="Requests: "]')?.getAttribute('data-points')) >= before + 2,
    first,
    { timeout: 20_000 },
  );
  assert.ok((await pointsOf(admin, 'CPU usage')) >= first + 2, 'the system charts gain points too');
  assert.ok((await pointsOf(admin, 'Cache hit ratio')) >= first + 2, 'and the cache charts');
  // Its size, not its place: what sits above it (an alert that fired, a cluster's instance list) may grow meanwhile.
  const after = await panel.boundingBox();
  assert.deepEqual({ width: after?.width, height: after?.height }, { width: box?.width, height: box?.height }, 'new points do not resize the charts');
  // The requests chart counts requests answered, and the dashboard itself made some.
  const requests = await panel.getByRole('img', { name: /^Requests: / }).getAttribute('aria-label');
  assert.match(requests ?? '', /^Requests: [1-9]/);
  await shot(admin, 'admin-metrics-history');
  assert.deepEqual(errors, [], 'no script errors or CSP violations');
});
