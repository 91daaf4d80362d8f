import { fireEvent, screen, waitFor } from '@testing-library/react-native';
import { aCart, aProduct, renderApp, stubFetch } from './render.tsx';
import { expectAccessible } from './support/accessibility.ts';

const shirt = aProduct({
  name: 'Shirt',
  price: 20,
  stock: 5,
  specifications: { Material: 'Cotton' },
  images: ['/media/shirt.svg'],
  variants: [
    { id: '10000000-0000-4000-8000-000000000001', name: 'Small', sku: null, price: null, stock: 0, weightGrams: null, options: {} },
    { id: '10000000-0000-4000-8000-000000000002', name: 'Large', sku: null, price: 25, stock: 5, weightGrams: null, options: {} },
  ],
});

test('shows images, specifications, variants and their stock; adds the chosen variant to the cart', async () => {
  const { fetch, requests } = stubFetch(({ method, path }) => {
    if (path === `/api/products/${shirt.id}`) return { body: shirt };
    if (path === '/api/cart') return { body: aCart([]) };
    if (method === 'PUT') return { body: aCart([{ product: shirt, quantity: 1 }]) };
    return { status: 404 };
  });
  renderApp(`/product/${shirt.id}`, { fetch });
  expect(await screen.findByText('Shirt')).toBeTruthy();
  expect(screen.getByLabelText('Shirt, image 1')).toBeTruthy();
  expect(screen.getByText('Material: Cotton')).toBeTruthy();
  // The first variant is chosen and sold out: adding is refused until another is chosen.
  expect(screen.getByText('Out of stock')).toBeTruthy();
  expect(screen.getByLabelText('Add Shirt to cart')).toBeDisabled();
  expectAccessible();
  fireEvent.press(screen.getByLabelText('Variant Large'));
  expect(screen.getByText('$25.00')).toBeTruthy();
  expect(screen.getByText('Only 5 left')).toBeTruthy();
  fireEvent.press(screen.getByLabelText('Add Shirt to cart'));
  expect(await screen.findByText('Added to your cart.')).toBeTruthy();
  const put = requests.find((r) => r.method === 'PUT');
  expect(put?.path).toBe(`/api/cart/items/${shirt.id}`);
  expect(put?.body).toEqual({ quantity: 1, variantId: '10000000-0000-4000-8000-000000000002' });
});

test('signed out, the button leads to sign-in', async () => {
  const { fetch } = stubFetch(() => ({ body: shirt }));
  renderApp(`/product/${shirt.id}`, { fetch, signedIn: false });
  fireEvent.press(await screen.findByLabelText('Sign in to add to cart'));
  expect(await screen.findByText('Login screen')).toBeTruthy();
});

test('a refused add shows the API reason', async () => {
  const plain = aProduct({ name: 'Mug' });
  const { fetch } = stubFetch(({ method, path }) => {
    if (path === `/api/products/${plain.id}`) return { body: plain };
    if (path === '/api/cart') return { body: aCart([]) };
    if (method === 'PUT') return { status: 409, body: { status: 409, title: 'Conflict', code: 'INSUFFICIENT_STOCK', detail: 'Only 2 left in stock' } };
    return { status: 404 };
  });
  renderApp(`/product/${plain.id}`, { fetch });
  fireEvent.press(await screen.findByLabelText('Add Mug to cart'));
  expect(await screen.findByText('Only 2 left in stock')).toBeTruthy();
  expectAccessible();
});

test('a product that is gone shows the error', async () => {
  const { fetch } = stubFetch(() => ({ status: 404, body: { status: 404, title: 'Not Found', code: 'PRODUCT_NOT_FOUND', detail: 'Product not found' } }));
  renderApp('/product/00000000-0000-4000-8000-999999999999', { fetch });
  expect(await screen.findByText('Could not load')).toBeTruthy();
  expect(screen.getByText('Product not found')).toBeTruthy();
  expectAccessible();
});

test('offline, a product not seen before says so and retries', async () => {
  let offline = true;
  const { fetch } = stubFetch(() => (offline ? 'offline' : { body: shirt }));
  renderApp(`/product/${shirt.id}`, { fetch });
  expect(await screen.findByText('You are offline')).toBeTruthy();
  offline = false;
  fireEvent.press(screen.getByLabelText('Try again'));
  await waitFor(() => expect(screen.getByText('Shirt')).toBeTruthy());
});
