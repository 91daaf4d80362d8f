import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { FlatList } from 'react-native';
import { OrdersScreen } from '../features/orders/orders-screen.tsx';
import { anOrder, harness, problem, renderRoutes, type Harness } from './support/account-harness.tsx';
import { expectAccessible } from './support/accessibility.ts';

const routes = (h: Harness) => ({ orders: () => <OrdersScreen client={h.client} />, 'orders/[id]': () => null, login: () => null, index: () => null });
const page = (items: ReturnType<typeof anOrder>[], total = items.length, offset = 0) => ({ status: 200, body: { items, total, limit: 20, offset } });

test('my orders list each order with its status and total, newest first as the API sends them', async () => {
  const h = await harness({ signedIn: true });
  h.api.on(
    'GET',
    '/api/orders',
    page([anOrder({ id: 'aaaaaaaa-0000-4000-8000-000000000001', status: 'SHIPPED' }), anOrder({ id: 'bbbbbbbb-0000-4000-8000-000000000002' })]),
  );
  renderRoutes(h, routes(h), '/orders');
  expect(await screen.findByText('Order #aaaaaaaa')).toBeTruthy();
  expect(screen.getByText('Order #bbbbbbbb')).toBeTruthy();
  expect(screen.getByText('Shipped')).toBeTruthy();
  expect(screen.getAllByText('$119.00')).toHaveLength(2);
  expectAccessible();
});

test('an order is priced in its own currency', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/orders', page([anOrder({ currency: 'EUR' }), anOrder({ id: 'bbbbbbbb-0000-4000-8000-000000000002', currency: 'JPY', total: 1200 })]));
  renderRoutes(h, routes(h), '/orders');
  expect(await screen.findByText('€119.00')).toBeTruthy();
  expect(screen.getByText('¥1,200')).toBeTruthy();
});

test('tapping an order opens its detail', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/orders', page([anOrder()]));
  const view = renderRoutes(h, routes(h), '/orders');
  fireEvent.press(await screen.findByRole('button', { name: /Order 0b7e4c1a/ }));
  await waitFor(() => expect(view.getPathname()).toBe('/orders/0b7e4c1a-2d3f-4a5b-8c6d-7e8f9a0b1c2d'));
});

test('no orders yet is said, with a way to start shopping', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/orders', page([]));
  renderRoutes(h, routes(h), '/orders');
  expect(await screen.findByText('You have no orders yet')).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Start shopping' })).toBeTruthy();
  expectAccessible();
});

test('offline with nothing loaded, the list says so and loads when tried again', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/orders', 'offline');
  renderRoutes(h, routes(h), '/orders');
  expect(await screen.findByText('You are offline')).toBeTruthy();
  h.api.on('GET', '/api/orders', page([anOrder()]));
  fireEvent.press(screen.getByRole('button', { name: 'Load your orders again' }));
  expect(await screen.findByText('Order #0b7e4c1a')).toBeTruthy();
});

test('an API failure is an error state', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/orders', problem(503, 'SERVICE_UNAVAILABLE', 'The order service is unavailable'));
  renderRoutes(h, routes(h), '/orders');
  expect(await screen.findByText('We could not load your orders')).toBeTruthy();
  expectAccessible();
});

test('signed out, the list asks to sign in and calls nothing', async () => {
  const h = await harness({ signedIn: false });
  renderRoutes(h, routes(h), '/orders');
  expect(await screen.findByText('Sign in to see your orders')).toBeTruthy();
  expect(h.api.requests).toHaveLength(0);
});

test('scrolling to the end loads the next page', async () => {
  const h = await harness({ signedIn: true });
  const first = Array.from({ length: 20 }, (_, i) => anOrder({ id: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000` }));
  h.api.on('GET', '/api/orders', ({ query }) =>
    query.get('offset') === '20' ? page([anOrder({ id: 'ffffffff-0000-4000-8000-000000000000' })], 21, 20) : page(first, 21, 0),
  );
  renderRoutes(h, routes(h), '/orders');
  await screen.findByText('Order #00000000');
  fireEvent(screen.UNSAFE_getByType(FlatList), 'onEndReached');
  // The list renders only what is near the screen: the request for the next page is what shows it was asked for.
  await waitFor(() => expect(h.api.calls('GET', '/api/orders').map((r) => r.query.get('offset'))).toEqual(['0', '20']));
});

test('a list that is complete asks for no more', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', '/api/orders', page([anOrder()]));
  renderRoutes(h, routes(h), '/orders');
  await screen.findByText('Order #0b7e4c1a');
  fireEvent(screen.UNSAFE_getByType(FlatList), 'onEndReached');
  expect(h.api.calls('GET', '/api/orders')).toHaveLength(1);
});
