import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { useLocalSearchParams } from 'expo-router';
import { OrderDetailScreen } from '../features/orders/order-detail-screen.tsx';
import { anOrder, harness, problem, renderRoutes, type Harness } from './support/account-harness.tsx';
import { expectAccessible } from './support/accessibility.ts';

const order = anOrder();
// No WebSocket here (as on a platform without one): the client falls back to polling the order.
const watchOptions = { pollMs: 20 };
const platformWebSocket = globalThis.WebSocket;
beforeAll(() => {
  Reflect.deleteProperty(globalThis, 'WebSocket');
});
afterAll(() => {
  globalThis.WebSocket = platformWebSocket;
});

function Detail({ h }: { h: Harness }) {
  const { id } = useLocalSearchParams<{ id: string }>();
  return <OrderDetailScreen client={h.client} id={id} watchOptions={watchOptions} />;
}
const routes = (h: Harness) => ({ 'orders/[id]': () => <Detail h={h} />, orders: () => null, login: () => null });

test('the order shows its items, total and progress', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', `/api/orders/${order.id}`, { status: 200, body: anOrder({ status: 'DELIVERED' }) });
  renderRoutes(h, routes(h), `/orders/${order.id}`);
  expect(await screen.findByText('Order #0b7e4c1a')).toBeTruthy();
  expect(screen.getByText('Trail Runner 2')).toBeTruthy();
  expect(screen.getByText('2 × $59.50')).toBeTruthy();
  expect(screen.getByLabelText('Order total $119.00')).toBeTruthy();
  expect(screen.getByLabelText('Status: Delivered')).toBeTruthy();
  expect(screen.getByLabelText('Shipped, done')).toBeTruthy();
  expectAccessible();
});

test('the status updates while the screen is open, without a reload', async () => {
  const h = await harness({ signedIn: true });
  let status: 'PENDING' | 'SHIPPED' = 'PENDING';
  h.api.on('GET', `/api/orders/${order.id}`, () => ({ status: 200, body: anOrder({ status }) }));
  renderRoutes(h, routes(h), `/orders/${order.id}`);
  expect(await screen.findByLabelText('Status: Pending')).toBeTruthy();
  status = 'SHIPPED';
  expect(await screen.findByLabelText('Status: Shipped', {}, { timeout: 3000 })).toBeTruthy();
});

test('another customer’s order (404) is not found, with a way back to my orders', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', `/api/orders/${order.id}`, problem(404, 'ORDER_NOT_FOUND', 'No such order'));
  const view = renderRoutes(h, routes(h), `/orders/${order.id}`);
  expect(await screen.findByText('Order not found')).toBeTruthy();
  expectAccessible();
  fireEvent.press(screen.getByRole('button', { name: 'Go to all your orders' }));
  await waitFor(() => expect(view.getPathname()).toBe('/orders'));
});

test('offline with nothing loaded, the order says so', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', `/api/orders/${order.id}`, 'offline');
  renderRoutes(h, routes(h), `/orders/${order.id}`);
  expect(await screen.findByText('You are offline')).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Load the order again' })).toBeTruthy();
  expectAccessible();
});

test('a server failure is an error state', async () => {
  const h = await harness({ signedIn: true });
  h.api.on('GET', `/api/orders/${order.id}`, problem(500, 'INTERNAL', 'Internal error'));
  renderRoutes(h, routes(h), `/orders/${order.id}`);
  expect(await screen.findByText('We could not load this order')).toBeTruthy();
});

test('signed out, it asks to sign in', async () => {
  const h = await harness({ signedIn: false });
  renderRoutes(h, routes(h), `/orders/${order.id}`);
  expect(await screen.findByText('Sign in to see this order')).toBeTruthy();
  expect(h.api.requests).toHaveLength(0);
});

test('the order shows its breakdown — discount with its code, shipping, tax — and where it ships', async () => {
  const h = await harness({ signedIn: true });
  const address = { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main St', city: 'New York', region: 'NY', postalCode: '10001', country: 'US' };
  h.api.on('GET', `/api/orders/${order.id}`, {
    status: 200,
    body: anOrder({
      subtotal: 119,
      discountTotal: 11.9,
      promotionCode: 'WELCOME10',
      shippingTotal: 5,
      shippingMethod: { id: '5b7e4c1a-0000-4000-8000-000000000001', name: 'Standard' },
      taxTotal: 9.51,
      total: 121.61,
      shippingAddress: address,
      billingAddress: address,
    }),
  });
  renderRoutes(h, routes(h), `/orders/${order.id}`);
  expect(await screen.findByLabelText('Subtotal $119.00')).toBeTruthy();
  expect(screen.getByLabelText('Discount (WELCOME10) −$11.90')).toBeTruthy();
  expect(screen.getByLabelText('Shipping (Standard) $5.00')).toBeTruthy();
  expect(screen.getByLabelText('Tax $9.51')).toBeTruthy();
  expect(screen.getByLabelText('Order total $121.61')).toBeTruthy();
  expect(screen.getByText('1 Main St')).toBeTruthy();
  expect(screen.getByText('10001 New York NY')).toBeTruthy();
  expect(screen.getByText('United States')).toBeTruthy();
  expectAccessible();
});
