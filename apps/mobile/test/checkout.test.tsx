import type { CheckoutPreview, CheckoutSettings } from '@dema/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { aCart, aProduct, renderApp, type StubAnswer, type StubRequest, stubFetch } from './render.tsx';
import { expectAccessible } from './support/accessibility.ts';

const book = aProduct({ name: 'Book', price: 15 });
const order = { id: 'abcdef12-0000-4000-8000-000000000000', userId: 'u', status: 'Pending', items: [], total: 30, createdAt: '', updatedAt: '' };
const standard = { id: '5b7e4c1a-0000-4000-8000-000000000001', name: 'Standard', zone: 'Domestic', amount: 0 };
const express = { id: '5b7e4c1a-0000-4000-8000-000000000002', name: 'Express', zone: 'Domestic', amount: 15 };

function aPreview(fields: Partial<CheckoutPreview> = {}): CheckoutPreview {
  return {
    items: [],
    subtotal: 30,
    discountTotal: 0,
    shippingTotal: 0,
    taxTotal: 0,
    total: 30,
    pricesIncludeTax: false,
    currency: 'USD',
    taxLines: [],
    shippingMethod: null,
    promotionCode: null,
    ...fields,
  };
}

const problem = (status: number, code: string, detail: string, invalidParams: Array<{ name: string; reason: string }>) => ({
  status,
  body: { status, title: 'Unprocessable', code, detail, invalidParams },
});
const needsAddress = problem(422, 'VALIDATION_FAILED', 'An address is needed', [{ name: 'body.shippingAddress', reason: 'is required' }]);

const storeSettings = (shipsTo: string[]): CheckoutSettings => ({
  pricesIncludeTax: false,
  currency: 'USD',
  paymentTimeoutMinutes: 60,
  captureOn: 'shipment',
  requireVerifiedEmail: false,
  shipsTo,
  paymentProviders: ['manual'],
  stripePublishableKey: null,
});

/** A store with shipping zones: the cart, then `checkout` for the checkout calls (a preview of the cart alone needs an address). */
function zonedStore(checkout: (request: StubRequest) => StubAnswer, shipsTo = ['CA', 'US']) {
  return stubFetch((request) => {
    if (request.method === 'GET' && request.path === '/api/checkout-settings') return { body: storeSettings(shipsTo) };
    if (request.method === 'GET' && request.path === '/api/cart') return { body: aCart([{ product: book, quantity: 2 }]) };
    if (request.method === 'GET' && request.path === '/api/users/me/addresses') return { body: { items: [] } };
    const body = request.body as { shippingAddress?: unknown } | undefined;
    if (request.path === '/api/checkout/preview' && !body?.shippingAddress) return needsAddress;
    return checkout(request);
  });
}

function fillAddress() {
  fireEvent.changeText(screen.getByLabelText('First name'), 'Ada');
  fireEvent.changeText(screen.getByLabelText('Last name'), 'Lovelace');
  fireEvent.changeText(screen.getByLabelText('Address'), '1 Main St');
  fireEvent.changeText(screen.getByLabelText('City'), 'New York');
  fireEvent.changeText(screen.getByLabelText('State / province'), 'NY');
  fireEvent.changeText(screen.getByLabelText('Postal code'), '10001');
}

const address = { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main St', city: 'New York', region: 'NY', postalCode: '10001', country: 'US' };

test('address → shipping options → review with a code → place: the order is the previewed body, its key kept on a retry', async () => {
  let placing: StubAnswer = 'offline';
  const { fetch, requests } = zonedStore(({ path, body }) => {
    if (path === '/api/checkout/shipping-options') return { body: { items: [standard, express] } };
    const { shippingMethodId, promotionCode } = body as { shippingMethodId: string; promotionCode?: string };
    const method = [standard, express].find((option) => option.id === shippingMethodId)!;
    if (path === '/api/checkout/preview') {
      const discount = promotionCode ? 3 : 0;
      return {
        body: aPreview({
          discountTotal: discount,
          promotionCode: promotionCode ?? null,
          shippingTotal: method.amount,
          shippingMethod: { id: method.id, name: method.name },
          taxTotal: 2.4,
          total: 30 - discount + method.amount + 2.4,
        }),
      };
    }
    return placing;
  });
  renderApp('/checkout', { fetch });
  expect(await screen.findByText('Shipping address')).toBeTruthy();
  expectAccessible();
  fillAddress();
  fireEvent.press(screen.getByLabelText('Show shipping options'));
  expect(await screen.findByLabelText('Standard, Free')).toBeTruthy();
  expect(screen.getByLabelText('Express, $15.00')).toBeTruthy();
  // The first method is chosen and priced at once.
  expect(await screen.findByLabelText('Total $32.40')).toBeTruthy();
  fireEvent.press(screen.getByLabelText('Express, $15.00'));
  expect(await screen.findByLabelText('Total $47.40')).toBeTruthy();
  fireEvent.changeText(screen.getByLabelText('Promotion code'), 'welcome10');
  fireEvent.press(screen.getByLabelText('Apply promotion code'));
  expect(await screen.findByLabelText('Total $44.40')).toBeTruthy();
  expect(screen.getByTestId('checkout-subtotal')).toHaveProp('accessibilityLabel', 'Subtotal $30.00');
  expect(screen.getByLabelText('Discount (welcome10) −$3.00')).toBeTruthy();
  expect(screen.getByTestId('checkout-shipping')).toHaveProp('accessibilityLabel', 'Shipping (Express) $15.00');
  expect(screen.getByTestId('checkout-tax')).toHaveProp('accessibilityLabel', 'Tax $2.40');
  expect(screen.getByTestId('checkout-total')).toHaveProp('accessibilityLabel', 'Total $44.40');
  expectAccessible();

  fireEvent.press(screen.getByLabelText('Place order'));
  expect(await screen.findByText('We could not reach the store. Check your connection and try again.')).toBeTruthy();
  placing = { status: 201, body: order };
  fireEvent.press(screen.getByLabelText('Place order'));
  expect(await screen.findByText('Order screen')).toBeTruthy();
  const options = requests.find((r) => r.path === '/api/checkout/shipping-options')!;
  expect(options.body).toEqual({ address, fromCart: true });
  const posts = requests.filter((r) => r.path === '/api/orders');
  expect(posts).toHaveLength(2);
  expect(posts[0]!.body).toEqual({ fromCart: true, shippingAddress: address, shippingMethodId: express.id, promotionCode: 'welcome10' });
  expect(posts[0]!.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  expect(posts[1]!.headers.get('idempotency-key')).toBe(posts[0]!.headers.get('idempotency-key'));
});

test('an address outside every zone is refused at the country; a bad postal code at its field', async () => {
  const { fetch } = zonedStore(({ path, body }) => {
    const { address: sent } = body as { address: { country: string } };
    if (path !== '/api/checkout/shipping-options') return { status: 500 };
    if (sent.country === 'JP') {
      return problem(422, 'SHIPPING_UNAVAILABLE', 'The store does not ship to JP', [
        { name: 'body.address.country', reason: 'is outside every shipping zone' },
      ]);
    }
    return problem(422, 'VALIDATION_FAILED', 'Invalid address', [{ name: 'body.address.postalCode', reason: 'must look like 12345 or 12345-6789' }]);
  }, []); // settings listing no country offer every one, so JP can be chosen: the server has the last word
  renderApp('/checkout', { fetch });
  expect(await screen.findByText('Shipping address')).toBeTruthy();
  fillAddress();
  fireEvent.press(screen.getByLabelText('Show shipping options'));
  expect(await screen.findByText('Postal code must look like 12345 or 12345-6789')).toBeTruthy();
  expectAccessible();
  fireEvent.press(screen.getByLabelText('Japan'));
  // Japan needs no region: the field goes.
  expect(screen.queryByLabelText('State / province')).toBeNull();
  fireEvent.press(screen.getByLabelText('Show shipping options'));
  expect(await screen.findByText('The store does not ship to JP')).toBeTruthy();
  expect(screen.getByLabelText('Place order')).toBeDisabled();
  expectAccessible();
});

test('a code the API refuses is shown at the field with its reason', async () => {
  const { fetch } = zonedStore(({ path, body }) => {
    if (path === '/api/checkout/shipping-options') return { body: { items: [standard] } };
    if ((body as { promotionCode?: string }).promotionCode) {
      return problem(422, 'PROMOTION_NOT_APPLICABLE', 'The code EXPIRED has ended', [{ name: 'body.promotionCode', reason: 'has ended' }]);
    }
    return { body: aPreview({ shippingMethod: { id: standard.id, name: standard.name } }) };
  });
  renderApp('/checkout', { fetch });
  expect(await screen.findByText('Shipping address')).toBeTruthy();
  fillAddress();
  fireEvent.press(screen.getByLabelText('Show shipping options'));
  expect(await screen.findByLabelText('Shipping (Standard) Free')).toBeTruthy();
  fireEvent.changeText(screen.getByLabelText('Promotion code'), 'EXPIRED');
  fireEvent.press(screen.getByLabelText('Apply promotion code'));
  expect(await screen.findByText('The code EXPIRED has ended')).toBeTruthy();
  // The figures stay those without the code.
  expect(screen.getByLabelText('Total $30.00')).toBeTruthy();
  expectAccessible();
});

test('an order refused for an address field shows the reason at that field', async () => {
  const { fetch } = zonedStore(({ path }) => {
    if (path === '/api/checkout/shipping-options') return { body: { items: [standard] } };
    if (path === '/api/checkout/preview') return { body: aPreview({ shippingMethod: { id: standard.id, name: standard.name } }) };
    return problem(422, 'VALIDATION_FAILED', 'Invalid address', [{ name: 'body.shippingAddress.postalCode', reason: 'must look like 12345 or 12345-6789' }]);
  });
  renderApp('/checkout', { fetch });
  expect(await screen.findByText('Shipping address')).toBeTruthy();
  fillAddress();
  fireEvent.press(screen.getByLabelText('Show shipping options'));
  expect(await screen.findByLabelText('Shipping (Standard) Free')).toBeTruthy();
  fireEvent.press(screen.getByLabelText('Place order'));
  expect(await screen.findByText('Postal code must look like 12345 or 12345-6789')).toBeTruthy();
  expect(screen.getByLabelText('Postal code')).toHaveProp('aria-invalid', true);
  expectAccessible();
});

test('the default saved address fills the form', async () => {
  const saved = { id: 's1', label: 'Home', address, defaultShipping: true, defaultBilling: true };
  const { fetch } = stubFetch((request) => {
    if (request.path === '/api/checkout-settings') return { body: storeSettings(['US']) };
    if (request.path === '/api/users/me/addresses') return { body: { items: [saved] } };
    if (request.path === '/api/checkout/preview') return needsAddress;
    return { body: aCart([{ product: book, quantity: 1 }]) };
  });
  renderApp('/checkout', { fetch });
  await waitFor(() => expect(screen.getByLabelText('Address')).toHaveProp('value', '1 Main St'));
  expect(screen.getByLabelText('Postal code')).toHaveProp('value', '10001');
  expect(screen.getByLabelText('United States')).toBeSelected();
});

test('the country choices are the countries the store ships to', async () => {
  const { fetch } = zonedStore(() => needsAddress, ['CA', 'US']);
  renderApp('/checkout', { fetch });
  expect(await screen.findByText('Shipping address')).toBeTruthy();
  // Until the settings arrive every country is offered; then only the zones' ones.
  await waitFor(() => expect(screen.queryByLabelText('Germany')).toBeNull());
  expect(screen.getByLabelText('Canada')).toBeTruthy();
  expect(screen.getByLabelText('United States')).toBeSelected();
});

test('a store without shipping zones needs no address: the preview of the cart is the review', async () => {
  const { fetch, requests } = stubFetch(({ path }) => {
    if (path === '/api/checkout/preview') return { body: aPreview() };
    if (path === '/api/orders') return { status: 201, body: order };
    return { body: aCart([{ product: book, quantity: 2 }]) };
  });
  renderApp('/checkout', { fetch });
  expect(await screen.findByLabelText('Total $30.00')).toBeTruthy();
  expect(screen.queryByText('Shipping address')).toBeNull();
  expectAccessible();
  fireEvent.press(screen.getByLabelText('Place order'));
  expect(await screen.findByText('Order screen')).toBeTruthy();
  expect(requests.find((r) => r.path === '/api/orders')!.body).toEqual({ fromCart: true });
});

test('a refused order shows why', async () => {
  const { fetch } = stubFetch(({ path }) => {
    if (path === '/api/checkout/preview') return { body: aPreview() };
    if (path === '/api/orders')
      return { status: 409, body: { status: 409, title: 'Conflict', code: 'INSUFFICIENT_STOCK', detail: 'Not enough stock for Book' } };
    return { body: aCart([{ product: book, quantity: 1 }]) };
  });
  renderApp('/checkout', { fetch });
  fireEvent.press(await screen.findByLabelText('Place order'));
  expect(await screen.findByText('Not enough stock for Book')).toBeTruthy();
});

test('signed out, it links to sign-in', async () => {
  const { fetch } = stubFetch(() => ({ body: aCart([]) }));
  renderApp('/checkout', { fetch, signedIn: false });
  fireEvent.press(await screen.findByLabelText('Sign in'));
  expect(await screen.findByText('Login screen')).toBeTruthy();
});

test('an empty cart has nothing to check out', async () => {
  const { fetch } = stubFetch(() => ({ body: aCart([]) }));
  renderApp('/checkout', { fetch });
  expect(await screen.findByText('Your cart is empty')).toBeTruthy();
  expectAccessible();
});

test('a cart that cannot be read shows the error', async () => {
  const { fetch } = stubFetch(() => ({ status: 500, body: { status: 500, title: 'Internal', code: 'INTERNAL' } }));
  renderApp('/checkout', { fetch });
  expect(await screen.findByText('Could not load')).toBeTruthy();
  expectAccessible();
});
