import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiToken, callApi, configureCheckout, e2e, launchBrowser, newShopper, pickProduct, shot, signInThroughForm, torontoAddress } from './support.ts';

/**
 * An admin registers a webhook endpoint on the dashboard (a URL that is not http(s) is refused at
 * its field), an order reaches the receiver signed, the delivery log shows the receiver's answer,
 * and Redeliver sends the same event again under the same webhook-id.
 */

let browser: Browser;
let admin: Page;
let adminErrors: string[];
let receiver: Server;
let receiverUrl: string;
const received: Array<{ headers: IncomingHttpHeaders; body: { type: string; data: { orderId?: string } } }> = [];

before(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/dema`;
  browser = await launchBrowser();
  ({ page: admin, errors: adminErrors } = await newShopper(browser));
  await signInThroughForm(admin, e2e.adminEmail, e2e.adminPassword);
});

after(async () => {
  await browser?.close();
  receiver?.close();
});

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 150; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('an admin adds an endpoint; an order reaches it signed; the log shows it and Redeliver sends it again', async () => {
  await admin.goto('/admin/webhooks');
  await admin.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  const form = admin.getByRole('form', { name: 'New endpoint' });
  await form.getByLabel('URL').fill('ftp://example.com/hook');
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await form.locator('#webhook-new-url-error').waitFor();

  await form.getByLabel('URL').fill(receiverUrl);
  await form.getByRole('button', { name: 'Add endpoint' }).click();
  await admin.getByText(/Its signing secret .*whsec_/).waitFor();
  const list = admin.getByRole('region', { name: 'All endpoints' });
  await list.getByRole('cell', { name: receiverUrl, exact: true }).waitFor();

  const token = await apiToken(e2e.adminEmail, e2e.adminPassword);
  const product = await pickProduct();
  await configureCheckout();
  const items = [{ productId: product.id, quantity: 1 }];
  const options = await callApi<{ items: Array<{ id: string }> }>(token, 'POST', '/api/checkout/shipping-options', { address: torontoAddress, items });
  const order = await callApi<{ id: string }>(
    token,
    'POST',
    '/api/orders',
    { items, shippingAddress: torontoAddress, shippingMethodId: options.items[0]!.id },
    [201],
  );
  await waitFor('order.created at the receiver', () => received.some((r) => r.body.type === 'order.created' && r.body.data.orderId === order.id));
  const first = received.find((r) => r.body.data.orderId === order.id)!;
  assert.match(String(first.headers['webhook-signature']), /^v1,/);

  await list.getByRole('button', { name: `Deliveries to ${receiverUrl}` }).click();
  const log = admin.getByRole('region', { name: `Deliveries to ${receiverUrl}` });
  const row = log.getByRole('row').filter({ hasText: 'order.created' }).first();
  await row.getByText('succeeded').waitFor();
  assert.match((await row.textContent()) ?? '', /204/);
  await shot(admin, 'admin-webhooks-log');

  const before = received.length;
  await row.getByRole('button', { name: /Redeliver/ }).click();
  await waitFor('the redelivery', () => received.length > before);
  assert.equal(received.at(-1)!.headers['webhook-id'], first.headers['webhook-id'], 'the same event, the same webhook-id');

  admin.once('dialog', (dialog) => void dialog.accept());
  await list.getByRole('button', { name: `Delete ${receiverUrl}` }).click();
  await admin.getByText(`Deleted ${receiverUrl}.`).waitFor();
  assert.deepEqual(adminErrors, []);
});
