import { act, fireEvent, screen, waitFor } from '@testing-library/react-native';
import { FlatList } from 'react-native';
import { aPage, aProduct, renderApp, stubFetch } from './render.tsx';
import { expectAccessible } from './support/accessibility.ts';

const categories = { items: [{ id: 'c1', name: 'Tools', slug: 'tools', description: null, productCount: 1, createdAt: '', updatedAt: '' }] };

test('lists products with their price and stock', async () => {
  const hammer = aProduct({ name: 'Hammer', price: 12.5, stock: 3 });
  const { fetch } = stubFetch(({ path }) => (path.startsWith('/api/categories') ? { body: categories } : { body: aPage([hammer]) }));
  renderApp('/', { fetch });
  expect(await screen.findByText('Hammer')).toBeTruthy();
  expect(screen.getByText('$12.50 · Only 3 left')).toBeTruthy();
  expect(screen.getByLabelText('Hammer, $12.50')).toBeTruthy();
  expectAccessible();
});

test("prices are in the store's currency", async () => {
  const hammer = aProduct({ name: 'Hammer', price: 12.5, stock: 3 });
  const { fetch } = stubFetch(({ path }) => {
    if (path.startsWith('/api/categories')) return { body: categories };
    if (path === '/api/checkout-settings')
      return { body: { pricesIncludeTax: true, currency: 'EUR', paymentTimeoutMinutes: 60, captureOn: 'shipment', requireVerifiedEmail: false, shipsTo: [] } };
    return { body: aPage([hammer]) };
  });
  renderApp('/', { fetch });
  expect(await screen.findByLabelText('Hammer, €12.50')).toBeTruthy();
});

test('search, category and sort go to the API', async () => {
  const { fetch, requests } = stubFetch(({ path }) => (path.startsWith('/api/categories') ? { body: categories } : { body: aPage([aProduct()]) }));
  renderApp('/', { fetch });
  fireEvent(await screen.findByLabelText('Category Tools'), 'press');
  await waitFor(() => expect(requests.some((r) => r.path.includes('category=c1'))).toBe(true));
  fireEvent.press(screen.getByLabelText('Sort by Price: high to low'));
  await waitFor(() => expect(requests.some((r) => r.path.includes('sort=-price') && r.path.includes('category=c1'))).toBe(true));
  fireEvent.changeText(screen.getByLabelText('Search products'), 'drill');
  fireEvent(screen.getByLabelText('Search products'), 'submitEditing');
  await waitFor(() => expect(requests.some((r) => r.path.includes('q=drill'))).toBe(true));
});

test('scrolling to the end loads the next page', async () => {
  const first = Array.from({ length: 20 }, () => aProduct());
  const last = aProduct({ name: 'The last one' });
  const { fetch, requests } = stubFetch(({ path }) => {
    if (path.startsWith('/api/categories')) return { body: categories };
    return path.includes('offset=20') ? { body: aPage([last], 21, 20) } : { body: aPage(first, 21, 0) };
  });
  renderApp('/', { fetch });
  await screen.findByText(first[0]!.name);
  fireEvent(screen.UNSAFE_getByType(FlatList), 'onEndReached');
  await waitFor(() => expect(requests.some((r) => r.path.includes('offset=20'))).toBe(true));
});

test('an empty catalog says so', async () => {
  const { fetch } = stubFetch(({ path }) => (path.startsWith('/api/categories') ? { body: { items: [] } } : { body: aPage([]) }));
  renderApp('/', { fetch });
  expect(await screen.findByText('No products yet')).toBeTruthy();
  expectAccessible();
});

test('a failing API shows an error with a way to try again', async () => {
  let fail = true;
  const { fetch } = stubFetch(({ path }) => {
    if (path.startsWith('/api/categories')) return { body: categories };
    return fail ? { status: 500, body: { status: 500, title: 'Internal', code: 'INTERNAL' } } : { body: aPage([aProduct({ name: 'Back again' })]) };
  });
  renderApp('/', { fetch });
  expect(await screen.findByText('Could not load')).toBeTruthy();
  expect(screen.getByText('Something went wrong on our side. Please try again in a moment.')).toBeTruthy();
  expectAccessible();
  fail = false;
  fireEvent.press(screen.getByLabelText('Try again'));
  expect(await screen.findByText('Back again')).toBeTruthy();
});

test('offline with nothing cached says so', async () => {
  const { fetch } = stubFetch(() => 'offline');
  renderApp('/', { fetch });
  expect(await screen.findByText('You are offline')).toBeTruthy();
});

test('the last catalog seen stays browsable offline, after the app is started again, and again', async () => {
  const AsyncStorage = require('@react-native-async-storage/async-storage');
  await AsyncStorage.clear();
  const online = stubFetch(({ path }) => (path.startsWith('/api/categories') ? { body: categories } : { body: aPage([aProduct({ name: 'Kept offline' })]) }));
  const first = renderApp('/', { fetch: online.fetch, persist: true });
  expect(await screen.findByText('Kept offline')).toBeTruthy();
  // The cache is written to storage at most once a second.
  await waitFor(async () => expect(await AsyncStorage.getItem('dema-query-cache')).toContain('Kept offline'), { timeout: 5000 });
  first.unmount();

  const offline = stubFetch(() => 'offline');
  const second = renderApp('/', { fetch: offline.fetch, persist: true });
  expect(await screen.findByText('Kept offline')).toBeTruthy();
  expect(screen.getByLabelText('Category Tools')).toBeTruthy();
  // Asked again at start, however fresh the kept copy: the store cannot be reached, so it is marked as offline.
  expect(await screen.findByText('Offline: showing what you saw last.')).toBeTruthy();
  expectAccessible();
  expect(offline.requests.some((request) => request.path.startsWith('/api/products'))).toBe(true);
  expect(screen.getByText('Kept offline')).toBeTruthy();
  // Pulling to refresh fails the same way: the cached catalog stays.
  await act(async () => screen.UNSAFE_getByType(FlatList).props.refreshControl.props.onRefresh());
  expect(screen.getByText('Offline: showing what you saw last.')).toBeTruthy();
  expect(screen.getByText('Kept offline')).toBeTruthy();

  // The failed asks are written to storage too (no kept answer is a success any more): the kept catalog
  // must survive that write, for the next start offline.
  await waitFor(async () => expect(await AsyncStorage.getItem('dema-query-cache')).not.toContain('"status":"success"'), { timeout: 5000 });
  second.unmount();
  renderApp('/', { fetch: offline.fetch, persist: true });
  expect(await screen.findByText('Kept offline')).toBeTruthy();
  expect(await screen.findByText('Offline: showing what you saw last.')).toBeTruthy();
});
