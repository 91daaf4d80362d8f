import type { Cart, Product, ProductPage } from '@dema/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { Slot } from 'expo-router';
import { renderRouter } from 'expo-router/testing-library';
import { Text } from 'react-native';
import CartScreen from '../app/(tabs)/cart.tsx';
import CatalogScreen from '../app/(tabs)/index.tsx';
import CheckoutScreen from '../app/checkout.tsx';
import ProductScreen from '../app/product/[id].tsx';
import { createHttpApi } from '../lib/api.ts';
import { type ApiContextValue, ApiProvider } from '../lib/api-context.tsx';
import { createQueryClient, QueryProvider } from '../lib/query.tsx';

export type StubRequest = { method: string; path: string; headers: Record<string, string>; body: unknown };
/** What the stub answers: a status and JSON body, or `offline` for a network failure. */
export type StubAnswer = { status?: number; body?: unknown } | 'offline';

/**
 * A stand-in for the network only: the screens, hooks, query cache and API layer all run as in the app, and every
 * request is recorded so a test can check what was sent.
 */
export function stubFetch(answer: (request: StubRequest) => StubAnswer) {
  const requests: StubRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const request: StubRequest = {
      method: init?.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    const result = answer(request);
    if (result === 'offline') throw new TypeError('Network request failed');
    const status = result.status ?? 200;
    const text = result.body === undefined ? '' : JSON.stringify(result.body);
    return { ok: status >= 200 && status < 300, status, text: async () => text } as Response;
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

// renderRouter takes components, not elements: the layout reads what the current test set up.
let current: { value: ApiContextValue; client: QueryClient } | null = null;

function TestLayout() {
  if (!current) throw new Error('renderApp sets up the layout');
  return (
    <ApiProvider value={current.value}>
      <QueryProvider client={current.client} persist={false}>
        <Slot />
      </QueryProvider>
    </ApiProvider>
  );
}

/** Renders the app's routes at `initialUrl` with the real API layer over `fetch`. */
export function renderApp(initialUrl: string, { fetch, signedIn = true }: { fetch: typeof globalThis.fetch; signedIn?: boolean }) {
  const api = createHttpApi({ baseUrl: 'http://dema.test', fetch, accessToken: () => (signedIn ? 'access-token' : null) });
  current = { value: { api, signedIn }, client: createQueryClient({ retry: false }) };
  return renderRouter(
    {
      _layout: TestLayout,
      '(tabs)/index': CatalogScreen,
      '(tabs)/cart': CartScreen,
      'product/[id]': ProductScreen,
      checkout: CheckoutScreen,
      login: LoginStandIn,
    },
    { initialUrl },
  );
}

/** The sign-in screen is another part of the app; tests only check that they get there. */
const LoginStandIn = () => <Text>Login screen</Text>;

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
