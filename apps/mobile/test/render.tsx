import type { Cart, Product, ProductPage } from '@dema/contracts';
import { createDemaClient, memoryTokenStore, tokenAuth } from '@dema/client';
import type { QueryClient } from '@tanstack/react-query';
import { Slot } from 'expo-router';
import { renderRouter } from 'expo-router/testing-library';
import { Text } from 'react-native';
import CartScreen from '../app/(tabs)/cart.tsx';
import CatalogScreen from '../app/(tabs)/index.tsx';
import CheckoutScreen from '../app/checkout.tsx';
import ProductScreen from '../app/product/[id].tsx';
import { createClientApi } from '../lib/api.ts';
import { type ApiContextValue, ApiProvider } from '../lib/api-context.tsx';
import { createQueryClient, QueryProvider } from '../lib/query.tsx';

export type StubRequest = { method: string; path: string; headers: Headers; body: unknown };
/** What the stub answers: a status and JSON body, or `offline` for a network failure. */
export type StubAnswer = { status?: number; body?: unknown } | 'offline';

/**
 * A stand-in for the network only: the screens, hooks, query cache, API layer and typed client all run as in the
 * app, and every request is recorded so a test can check what was sent.
 */
export function stubFetch(answer: (request: StubRequest) => StubAnswer) {
  const requests: StubRequest[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const text = await request.text();
    const recorded: StubRequest = {
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(recorded);
    const result = answer(recorded);
    if (result === 'offline') throw new TypeError('Network request failed');
    const status = result.status ?? 200;
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(result.body === undefined ? null : JSON.stringify(result.body), { status, headers: { 'content-type': type } });
  };
  return { fetch, requests };
}

// renderRouter takes components, not elements: the layout reads what the current test set up.
let current: { value: ApiContextValue; client: QueryClient; persist: boolean } | null = null;

function TestLayout() {
  if (!current) throw new Error('renderApp sets up the layout');
  return (
    <ApiProvider value={current.value}>
      <QueryProvider client={current.client} persist={current.persist}>
        <Slot />
      </QueryProvider>
    </ApiProvider>
  );
}

/** Renders the app's routes at `initialUrl` with the real API layer over `fetch`; `persist` keeps the cache in (test) AsyncStorage as the app does. */
export function renderApp(
  initialUrl: string,
  { fetch, signedIn = true, persist = false }: { fetch: (request: Request) => Promise<Response>; signedIn?: boolean; persist?: boolean },
) {
  const auth = signedIn ? tokenAuth({ store: memoryTokenStore({ accessToken: 'access-token', refreshToken: 'refresh-token' }) }) : undefined;
  const api = createClientApi(createDemaClient({ baseUrl: 'http://dema.test', fetch, retry: false, ...(auth ? { auth } : {}) }));
  current = { value: { api, signedIn }, client: createQueryClient({ retry: false }), persist };
  return renderRouter(
    {
      _layout: TestLayout,
      '(tabs)/index': CatalogScreen,
      '(tabs)/cart': CartScreen,
      'product/[id]': ProductScreen,
      checkout: CheckoutScreen,
      login: LoginStandIn,
      'orders/[id]': OrderStandIn,
    },
    { initialUrl },
  );
}

/** The sign-in screen is another part of the app; tests only check that they get there. */
const LoginStandIn = () => <Text>Login screen</Text>;
const OrderStandIn = () => <Text>Order screen</Text>;

let counter = 0;
export function aProduct(fields: Partial<Product> = {}): Product {
  counter += 1;
  const id = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    id,
    name: `Product ${counter}`,
    description: null,
    price: 19.9,
    stock: 10,
    weightGrams: 0,
    category: { id: 'c1', name: 'Tools', slug: 'tools' },
    specifications: {},
    variants: [],
    images: [],
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...fields,
  };
}

export const aPage = (items: Product[], total = items.length, offset = 0): ProductPage => ({ items, total, limit: 20, offset });

export function aCart(items: Array<{ product: Product; quantity: number; available?: number }>, problems: Cart['problems'] = []): Cart {
  const lines = items.map(({ product, quantity, available }) => ({
    productId: product.id,
    variantId: null,
    quantity,
    name: product.name,
    price: product.price,
    lineTotal: Math.round(product.price * quantity * 100) / 100,
    image: null,
    available: available ?? product.stock,
  }));
  return { items: lines, subtotal: lines.reduce((sum, line) => sum + line.lineTotal, 0), problems, expiresAt: null };
}
