import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { aCart, aProduct, renderApp, stubFetch } from './render.tsx';
import { expectAccessible } from './support/accessibility.ts';

test('shows lines, changes quantities and removes a line', async () => {
  const pen = aProduct({ name: 'Pen', price: 2.5, stock: 10 });
  const { fetch, requests } = stubFetch(({ method, body }) => {
    if (method === 'PUT') return { body: aCart([{ product: pen, quantity: (body as { quantity: number }).quantity }]) };
    if (method === 'DELETE') return { body: aCart([]) };
    return { body: aCart([{ product: pen, quantity: 2 }]) };
  });
  renderApp('/cart', { fetch });
  expect(await screen.findByText('2 × $2.50 = $5.00')).toBeTruthy();
  expect(screen.getByText('Subtotal $5.00')).toBeTruthy();
  expectAccessible();
  fireEvent.press(screen.getByLabelText('One more Pen'));
  expect(await screen.findByText('3 × $2.50 = $7.50')).toBeTruthy();
  expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({ quantity: 3 });
  fireEvent.press(screen.getByLabelText('Remove Pen'));
  expect(await screen.findByText('Your cart is empty')).toBeTruthy();
  expect(requests.some((r) => r.method === 'DELETE' && r.path.endsWith(pen.id))).toBe(true);
});

test('a line the store cannot sell shows its problem and blocks checkout', async () => {
  const lamp = aProduct({ name: 'Lamp', stock: 0 });
  const { fetch } = stubFetch(() => ({
    body: aCart([{ product: lamp, quantity: 1, available: 0 }], [{ productId: lamp.id, variantId: null, reason: 'Out of stock' }]),
  }));
  renderApp('/cart', { fetch });
  expect(await screen.findByText('Out of stock')).toBeTruthy();
  expect(screen.getByLabelText('Check out')).toBeDisabled();
  expect(screen.getByLabelText('One more Lamp')).toBeDisabled();
  expectAccessible();
});

test('an empty cart says so', async () => {
  const { fetch } = stubFetch(() => ({ body: aCart([]) }));
  renderApp('/cart', { fetch });
  expect(await screen.findByText('Your cart is empty')).toBeTruthy();
  expectAccessible();
});

test('signed out, it asks to sign in without calling the API', async () => {
  const { fetch, requests } = stubFetch(() => ({ body: aCart([]) }));
  renderApp('/cart', { fetch, signedIn: false });
  expect(await screen.findByText('Sign in to see your cart')).toBeTruthy();
  expectAccessible();
  expect(requests).toHaveLength(0);
});

test('errors and offline show a retry', async () => {
  let answer: 'offline' | { status: number; body: unknown } = 'offline';
  const { fetch } = stubFetch(() => answer);
  renderApp('/cart', { fetch });
  expect(await screen.findByText('You are offline')).toBeTruthy();
  expectAccessible();
  answer = { status: 503, body: { status: 503, title: 'Unavailable', code: 'UNAVAILABLE' } };
  fireEvent.press(screen.getByLabelText('Try again'));
  await waitFor(() => expect(screen.getByText('The store is temporarily unavailable. Please try again in a moment.')).toBeTruthy());
});
