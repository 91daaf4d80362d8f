import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DemaApiError } from '@dema/client';
import {
  addressCountries,
  addressOf,
  blankAddress,
  checkoutBody,
  draftOf,
  savedAddressLabel,
  fieldErrorsUnder,
  needsShippingAddress,
  noChoices,
  regionsOf,
  shippingPrice,
} from './checkout.ts';

const refusal = (status: number, code: string, invalidParams: Array<{ name: string; reason: string }>) =>
  new DemaApiError(status, { type: '', title: 'Refused', status, code, invalidParams });

test('an address form sends required fields as typed and leaves blank optional ones out', () => {
  const address = addressOf({
    ...blankAddress,
    firstName: ' Ada ',
    lastName: 'Lovelace',
    line1: '1 Main St',
    city: 'Toronto',
    country: 'CA',
    region: 'ON',
    company: '  ',
  });
  assert.deepEqual(address, { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main St', city: 'Toronto', country: 'CA', region: 'ON' });
  // Blank required fields still go, for the API to name them.
  assert.equal(addressOf(blankAddress).firstName, '');
});

test('the body carries only what was chosen, always from the cart', () => {
  assert.deepEqual(checkoutBody(noChoices), { fromCart: true });
  const address = addressOf({ ...blankAddress, firstName: 'A', lastName: 'B', line1: 'x', city: 'y', country: 'US' });
  assert.deepEqual(checkoutBody({ shippingAddress: address, billingAddress: null, shippingMethodId: 'm', promotionCode: 'TEN' }), {
    fromCart: true,
    shippingAddress: address,
    shippingMethodId: 'm',
    promotionCode: 'TEN',
  });
});

test('a refusal’s reasons land on the fields they name, under one form', () => {
  const error = refusal(422, 'VALIDATION_FAILED', [
    { name: 'body.shippingAddress.postalCode', reason: 'must look like A1A 1A1' },
    { name: 'body.shippingAddress.postalCode', reason: 'second reason' },
    { name: 'body.billingAddress.city', reason: 'is required' },
    { name: 'body.shippingAddressee', reason: 'not ours' },
  ]);
  assert.deepEqual(fieldErrorsUnder(error, 'body.shippingAddress'), { postalCode: 'must look like A1A 1A1' });
  assert.deepEqual(fieldErrorsUnder(error, 'body.billingAddress'), { city: 'is required' });
  assert.deepEqual(fieldErrorsUnder(refusal(422, 'VALIDATION_FAILED', [{ name: 'body.promotionCode', reason: 'has expired' }]), 'body.promotionCode'), {
    '': 'has expired',
  });
});

test('a store with shipping zones is told apart by its refusal of a preview without an address', () => {
  assert.equal(needsShippingAddress(refusal(422, 'VALIDATION_FAILED', [{ name: 'body.shippingAddress', reason: 'is required' }])), true);
  assert.equal(needsShippingAddress(refusal(422, 'CART_EMPTY', [])), false);
  assert.equal(needsShippingAddress(new DemaApiError(503, undefined)), false);
});

test('countries come from the contracts’ rules, by name, with region lists where addresses need one', () => {
  assert.ok(addressCountries.some((c) => c.code === 'CA' && c.name === 'Canada'));
  const names = addressCountries.map((c) => c.name);
  assert.deepEqual(
    names,
    [...names].sort((a, b) => a.localeCompare(b, 'en')),
  );
  assert.ok(regionsOf('US')?.includes('CA'));
  assert.equal(regionsOf('DE'), undefined);
});

test('shipping that costs nothing reads "Free"', () => {
  assert.equal(shippingPrice(0), 'Free');
  assert.equal(shippingPrice(7.5), '$7.50');
});

test('a saved address fills the form as it was saved, and is offered by its label', () => {
  const address = { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main St', city: 'Toronto', region: 'ON', postalCode: 'M5H 2N2', country: 'CA' };
  const draft = draftOf(address);
  assert.equal(draft.company, '');
  assert.deepEqual(addressOf(draft), address);
  const saved = { id: 'a', label: 'Home', address, defaultShipping: true, defaultBilling: false, createdAt: '', updatedAt: '' };
  assert.equal(savedAddressLabel(saved), 'Home — Ada Lovelace, 1 Main St, Toronto');
  assert.equal(savedAddressLabel({ ...saved, label: null }), 'Ada Lovelace, 1 Main St, Toronto');
});
