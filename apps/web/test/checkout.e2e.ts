import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  apiToken,
  callApi,
  checkOutToReview,
  configureCheckout,
  e2e,
  fillAddress,
  launchBrowser,
  newShopper,
  pickProduct,
  shot,
  signInThroughForm,
  storeCheckout,
  torontoAddress,
} from './support.ts';

/**
 * Checkout as a shopper goes through it, on a store configured through the admin API (a Canadian
 * zone with a courier and a pick-up point, Ontario's 13 % taxed on shipping too, a 10 % code): the
 * address (kept in the address book for next time), the method, the code, the review with every
 * figure, and the order page that keeps them; a code the store does not have; an address outside
 * every zone.
 */

let browser: Browser;
let shopper: Page;
let shopperErrors: string[];
let token: string;
let product: { id: string; name: string; price: number; stock: number };

const suffix = randomBytes(4).toString('hex');
const account = { name: 'Grace Checkout', email: `grace-${suffix}@example.com`, password: `amber-quill-harbor-${suffix}` };
const usd = (n: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(n);
const cents = (amount: number) => Math.round(amount * 100);
/** `amount` cents × `percent` %, rounded half away from zero (the amounts here are positive). */
const percentOf = (amountCents: number, percent: number) => Math.floor((amountCents * percent + 50) / 100);

before(async () => {
  await configureCheckout();
  browser = await launchBrowser();
  ({ page: shopper, errors: shopperErrors } = await newShopper(browser));
  product = await pickProduct();
  const signup = await fetch(`${e2e.apiUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  assert.equal(signup.status, 202, 'the shopper signs up');
  token = await apiToken(account.email, account.password);
  await signInThroughForm(shopper, account.email, account.password);
});

after(async () => {
  await browser?.close();
});

/** Puts `quantity` of the product in the shopper's cart and opens the checkout. */
async function openCheckout(quantity: number): Promise<void> {
  await callApi(token, 'PUT', `/api/cart/items/${product.id}`, { quantity });
  await shopper.goto('/checkout');
  await shopper.getByRole('group', { name: 'Where should we send it?' }).waitFor();
}

test('a shopper checks out with an address, a method and a code; the review and the order show the exact breakdown', async () => {
  await openCheckout(2);
  const shipping = shopper.getByRole('group', { name: 'Where should we send it?' });
  assert.equal(await shipping.getByLabel('First name').getAttribute('autocomplete'), 'shipping given-name');
  assert.equal(await shipping.getByLabel('Country').getAttribute('autocomplete'), 'shipping country');
  assert.equal(await shopper.getByLabel('Saved addresses').count(), 0, 'an empty address book offers nothing');
  await fillAddress(shopper, 'Where should we send it?', torontoAddress);
  await shopper.getByLabel('Save this address to my account').check();
  const sameBilling = shopper.getByLabel('Billing address same as shipping');
  assert.equal(await sameBilling.isChecked(), true, 'billing is the shipping address unless the shopper says otherwise');
  await sameBilling.uncheck();
  const billing = { firstName: 'Grace', lastName: 'Payer', line1: '500 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', country: 'US' };
  await fillAddress(shopper, 'Billing address', billing);
  assert.equal(await shopper.getByRole('group', { name: 'Billing address' }).getByLabel('City').getAttribute('autocomplete'), 'billing address-level2');
  await shot(shopper, 'checkout-address');
  await shopper.getByRole('button', { name: 'Continue to shipping' }).click();

  const courier = shopper.getByRole('radio', { name: new RegExp(storeCheckout.courier.name) });
  await courier.waitFor();
  const pickup = shopper.getByRole('radio', { name: new RegExp(storeCheckout.pickup.name) });
  assert.match((await shopper.locator('label.choice', { has: courier }).textContent()) ?? '', /\$7\.50/);
  assert.match((await shopper.locator('label.choice', { has: pickup }).textContent()) ?? '', /Free/);
  await courier.check();
  await shot(shopper, 'checkout-shipping-method');
  await shopper.getByRole('button', { name: 'Continue to review' }).click();
  await shopper.getByTestId('checkout-total').waitFor();
  assert.equal(await shopper.getByTestId('checkout-discount').count(), 0, 'no discount before a code');

  await shopper.getByRole('textbox', { name: 'Promotion code' }).fill(storeCheckout.code.toLowerCase());
  await shopper.getByRole('button', { name: 'Apply' }).click();
  await shopper.getByTestId('checkout-discount').waitFor();

  // The store's figures, worked out here the way the design says they are (per line, half away from zero).
  const subtotal = cents(product.price) * 2;
  const discount = percentOf(subtotal, storeCheckout.percentOff);
  const shippingCost = cents(storeCheckout.courier.amount);
  const tax = percentOf(subtotal - discount, Number(storeCheckout.tax.rate)) + percentOf(shippingCost, Number(storeCheckout.tax.rate));
  const total = subtotal - discount + shippingCost + tax;
  const expected = {
    subtotal: usd(subtotal / 100),
    discount: `−${usd(discount / 100)}`,
    shipping: usd(shippingCost / 100),
    tax: usd(tax / 100),
    total: usd(total / 100),
  };
  const figures = async (prefix: 'checkout' | 'order') => ({
    subtotal: await shopper.getByTestId(`${prefix}-subtotal`).textContent(),
    discount: await shopper.getByTestId(`${prefix}-discount`).textContent(),
    shipping: await shopper.getByTestId(`${prefix}-shipping`).textContent(),
    tax: await shopper.getByTestId(`${prefix}-tax`).textContent(),
    total: await shopper.getByTestId(`${prefix}-total`).textContent(),
  });
  assert.deepEqual(await figures('checkout'), expected);
  assert.equal(await shopper.getByTestId('checkout-tax-line').count(), 2, 'the items’ tax and the shipping’s tax, each its own line');
  assert.match((await shopper.getByTestId('checkout-line').textContent()) ?? '', new RegExp(`−\\${usd(discount / 100)}`), 'the line shows its discount');
  assert.equal(await shopper.getByRole('radio', { name: /Pay on delivery \/ bank transfer/ }).isChecked(), true);
  await shot(shopper, 'checkout-review');

  await shopper.getByRole('button', { name: 'Place order' }).click();
  await shopper.waitForURL(/\/orders\/[0-9a-f-]{36}\?placed=1/);
  const orderId = new URL(shopper.url()).pathname.split('/')[2]!;
  await shopper.getByText('Your order has been placed').waitFor();
  assert.deepEqual(await figures('order'), expected);
  const delivery = (await shopper.getByTestId('order-delivery').textContent()) ?? '';
  for (const part of [
    '100 Queen St W',
    'Toronto ON M5H 2N2',
    'Canada',
    '500 Market St',
    'San Francisco CA 94105',
    'United States',
    storeCheckout.courier.name,
  ]) {
    assert.ok(delivery.includes(part), `the order page shows ${part}`);
  }
  assert.match((await shopper.getByTestId('order-discount').locator('..').textContent()) ?? '', new RegExp(storeCheckout.code));
  await shot(shopper, 'order-breakdown');

  const order = await callApi<{ total: number; promotionCode: string | null }>(token, 'GET', `/api/orders/${orderId}`);
  assert.equal(cents(order.total), total, 'the order charges what the review said');
  assert.equal(order.promotionCode, storeCheckout.code);
  const book = await callApi<{ items: Array<{ address: { city: string }; defaultShipping: boolean }> }>(token, 'GET', '/api/users/me/addresses');
  assert.deepEqual(
    book.items.map((saved) => [saved.address.city, saved.defaultShipping]),
    [['Toronto', true]],
    'the address was saved, as the default (the first one)',
  );
  assert.deepEqual(shopperErrors, [], 'no script errors on the pages');
});

test('a code the store does not have is refused at the code field, and the figures stay as they were', async () => {
  await openCheckout(1);
  // The address saved with the first order is where the next checkout starts.
  const picker = shopper.getByLabel('Saved addresses');
  await picker.locator('option:checked', { hasText: 'Toronto' }).waitFor({ state: 'attached' });
  assert.equal(await shopper.getByRole('group', { name: 'Where should we send it?' }).getByLabel('City').inputValue(), 'Toronto');
  assert.equal(await shopper.getByLabel('Save this address to my account').count(), 0, 'a saved address is not offered for saving again');
  await checkOutToReview(shopper, { prefilled: true });
  const totalBefore = await shopper.getByTestId('checkout-total').textContent();
  const field = shopper.getByRole('textbox', { name: 'Promotion code' });
  await field.fill('NO-SUCH-CODE');
  await shopper.getByRole('button', { name: 'Apply' }).click();
  const message = shopper.locator('#promotion-code-error');
  await message.waitFor();
  assert.match((await message.textContent()) ?? '', /NO-SUCH-CODE/);
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.equal(await field.getAttribute('aria-describedby'), 'promotion-code-error');
  assert.equal(await shopper.getByTestId('checkout-discount').count(), 0);
  assert.equal(await shopper.getByTestId('checkout-total').textContent(), totalBefore);
  await shot(shopper, 'checkout-bad-code');
});

test('a postal code of the wrong shape and an address outside every zone are refused at their fields', async () => {
  await openCheckout(1);
  await fillAddress(shopper, 'Where should we send it?', { ...torontoAddress, postalCode: '12345' });
  await shopper.getByRole('button', { name: 'Continue to shipping' }).click();
  const form = shopper.getByRole('group', { name: 'Where should we send it?' });
  const postalCode = form.getByLabel(/^Postal code/);
  await shopper.locator('#shipping-postalCode-error').waitFor();
  assert.match((await shopper.locator('#shipping-postalCode-error').textContent()) ?? '', /Postal code must look like A1A 1A1/);
  assert.equal(await postalCode.getAttribute('aria-invalid'), 'true');
  assert.match((await postalCode.getAttribute('aria-describedby')) ?? '', /shipping-postalCode-error/);

  // The country list offers only where the store ships (Japan is in no zone); billing may be anywhere.
  const countryCodes = (legend: string) =>
    shopper
      .getByRole('group', { name: legend })
      .getByLabel('Country')
      .evaluate((select) => [...(select as HTMLSelectElement).options].map((option) => option.value));
  const offered = await countryCodes('Where should we send it?');
  assert.ok(offered.includes('CA') && !offered.includes('JP'), `shipping offers ${offered.join(' ')}`);
  await shopper.getByLabel('Billing address same as shipping').uncheck();
  assert.ok((await countryCodes('Billing address')).includes('JP'), 'a billing address may be in Japan');
  await shopper.getByLabel('Billing address same as shipping').check();

  // A Japanese address from the address book is still shown as it is, and the API refuses it at the country.
  const tokyo = await callApi<{ id: string }>(token, 'POST', '/api/users/me/addresses', {
    address: { firstName: 'Ada', lastName: 'Shopper', line1: '1-1 Chiyoda', city: 'Tokyo', postalCode: '100-0001', country: 'JP' },
  });
  await openCheckout(1);
  await shopper.getByLabel('Saved addresses').first().selectOption(tokyo.id);
  await shopper.getByRole('button', { name: 'Continue to shipping' }).click();
  const country = form.getByLabel('Country');
  await shopper.locator('#shipping-country-error').waitFor();
  assert.match((await shopper.locator('#shipping-country-error').textContent()) ?? '', /does not ship to JP/);
  assert.equal(await country.getAttribute('aria-invalid'), 'true');
  assert.equal(await shopper.locator('#shipping-postalCode-error').count(), 0, 'the postal code is right now');
  assert.equal(await shopper.getByRole('button', { name: 'Place order' }).count(), 0, 'no order without a place to ship it');
  await shot(shopper, 'checkout-outside-zones');
});
