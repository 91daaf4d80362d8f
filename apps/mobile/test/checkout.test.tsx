import { fireEvent, screen } from '@testing-library/react-native';
import { aCart, aProduct, renderApp, stubFetch } from './render.tsx';
import { expectAccessible } from './support/accessibility.ts';

const book = aProduct({ name: 'Book', price: 15 });
const order = { id: 'abcdef12-0000-4000-8000-000000000000', userId: 'u', status: 'Pending', items: [], total: 30, createdAt: '', updatedAt: '' };

test('places the cart as an order with an idempotency key, the same key on a retry, then opens the order', async () => {
  let fail = true;
  const { fetch, requests } = stubFetch(({ method }) => {
    if (method !== 'POST') return { body: aCart([{ product: book, quantity: 2 }]) };
    if (fail) return 'offline';
    return { status: 201, body: order };
  });
  const view = renderApp('/checkout', { fetch });
  expect(await screen.findByText('Total $30.00')).toBeTruthy();
  fireEvent.press(screen.getByLabelText('Place order'));
  expect(await screen.findByText('We could not reach the store. Check your connection and try again.')).toBeTruthy();
  expectAccessible();
  fail = false;
  fireEvent.press(screen.getByLabelText('Place order'));
  expect(await screen.findByText('Order screen')).toBeTruthy();
  expect(view.getPathname()).toBe(`/orders/${order.id}`);
  const posts = requests.filter((r) => r.method === 'POST');
  expect(posts).toHaveLength(2);
  expect(posts[0]!.body).toEqual({ fromCart: true });
  expect(posts[0]!.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  expect(posts[1]!.headers.get('idempotency-key')).toBe(posts[0]!.headers.get('idempotency-key'));
});

test('a refused order shows why', async () => {
  const { fetch } = stubFetch(({ method }) =>
    method === 'POST'
      ? { status: 409, body: { status: 409, title: 'Conflict', code: 'INSUFFICIENT_STOCK', detail: 'Not enough stock for Book' } }
      : { body: aCart([{ product: book, quantity: 1 }]) },
  );
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
