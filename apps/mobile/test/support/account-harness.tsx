import type { ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Slot } from 'expo-router';
import { renderRouter } from 'expo-router/testing-library';
import { createDemaClient, memoryTokenStore, type DemaClient } from '@dema/client';
import type { Order, User } from '@dema/contracts';
import { platformAuth, type PlatformAuth } from '../../lib/auth/auth.ts';
import { SessionProvider } from '../../lib/auth/session.tsx';

export const apiUrl = 'http://dema.test';

export interface StubResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
type Handler = (request: { method: string; path: string; query: URLSearchParams; body: unknown; authorization: string | null }) => StubResponse | 'offline';

/**
 * The API as the app's fetch sees it: each route answers what a test sets, anything else is a 404
 * problem, and 'offline' rejects as fetch does when there is no network. Records every request.
 */
export class StubApi {
  readonly requests: {
    method: string;
    path: string;
    query: URLSearchParams;
    body: unknown;
    authorization: string | null;
    credentials: RequestCredentials | undefined;
  }[] = [];
  private readonly routes = new Map<string, Handler>();

  on(method: string, path: string, handler: Handler | StubResponse | 'offline'): this {
    this.routes.set(`${method} ${path}`, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url);
    const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
    const body = text ? JSON.parse(text) : undefined;
    this.requests.push({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body,
      authorization: request.headers.get('authorization'),
      credentials: init?.credentials ?? (input instanceof Request ? input.credentials : undefined),
    });
    const handler = this.routes.get(`${request.method} ${url.pathname}`);
    const answer = handler
      ? handler({ method: request.method, path: url.pathname, query: url.searchParams, body, authorization: request.headers.get('authorization') })
      : problem(404, 'NOT_FOUND', 'No such route');
    if (answer === 'offline') throw new TypeError('Network request failed');
    const json = answer.status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': json, ...answer.headers },
    });
  };

  calls(method: string, path: string) {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }
}

export function problem(status: number, code: string, detail: string, invalidParams?: { name: string; reason: string }[]): StubResponse {
  return { status, body: { type: `about:blank`, title: detail, status, code, detail, ...(invalidParams ? { invalidParams } : {}) } };
}

export const ann: User = {
  id: '6f1c2b0e-5a43-4d8e-9b61-0a7f1e2d3c4b',
  email: 'ann@example.com',
  name: 'Ann Smith',
  role: 'customer',
  disabled: false,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

export const tokens = { accessToken: 'access-1', refreshToken: 'refresh-1', tokenType: 'Bearer', expiresIn: 900 } as const;
/** The web's tokens: the refresh token stays in the cookie, out of the answer. */
export const cookieTokens = { accessToken: 'access-1', tokenType: 'Bearer', expiresIn: 900 } as const;

export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: '0b7e4c1a-2d3f-4a5b-8c6d-7e8f9a0b1c2d',
    userId: ann.id,
    status: 'PENDING',
    items: [
      {
        productId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        variantId: null,
        name: 'Trail Runner 2',
        quantity: 2,
        price: 59.5,
        lineTotal: 119,
        discount: 0,
        tax: 0,
      },
    ],
    total: 119,
    subtotal: 119,
    discountTotal: 0,
    shippingTotal: 0,
    taxTotal: 0,
    pricesIncludeTax: false,
    currency: 'USD',
    taxLines: [],
    shippingAddress: null,
    billingAddress: null,
    shippingMethod: null,
    promotionCode: null,
    paymentStatus: 'unpaid',
    paymentProvider: 'manual',
    createdAt: '2026-12-04T09:30:00.000Z',
    updatedAt: '2026-12-04T09:30:00.000Z',
    ...overrides,
  };
}

export interface Harness {
  api: StubApi;
  client: DemaClient;
  queryClient: QueryClient;
  store: ReturnType<typeof memoryTokenStore>;
  platform: PlatformAuth;
}

/**
 * A client over the stub API with the auth of a device (`ios`, default: tokens in a memory store
 * standing in for the secure store, stored first when `signedIn`) or of the `web` (the API's cookie:
 * when `signedIn`, the stub's cookie refresh answers an access token, else 401).
 */
export async function harness({ signedIn, os = 'ios' }: { signedIn: boolean; os?: 'ios' | 'web' }): Promise<Harness> {
  const api = new StubApi();
  const store = memoryTokenStore();
  if (signedIn && os === 'ios') await store.set({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
  if (os === 'web') {
    api.on(
      'POST',
      '/api/auth/cookie/refresh',
      signedIn ? { status: 200, body: cookieTokens } : problem(401, 'INVALID_REFRESH_TOKEN', 'The refresh token is invalid or expired'),
    );
  }
  const platform = platformAuth(os, store);
  const client = createDemaClient({ baseUrl: apiUrl, fetch: api.fetch, retry: false, auth: platform.auth });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Number.POSITIVE_INFINITY }, mutations: { retry: false } } });
  return { api, client, queryClient, store, platform };
}

// renderRouter takes components: the layout reads the harness of the test being rendered.
let current: Harness | null = null;

/** The providers sit in the root layout, as in the app, so that every route renders inside them. */
function Layout() {
  const h = current!;
  return (
    <QueryClientProvider client={h.queryClient}>
      <SessionProvider client={h.client} sessionHint={h.platform.sessionHint}>
        <Slot />
      </SessionProvider>
    </QueryClientProvider>
  );
}

/** Renders the app's routes given, starting at `url`, inside the session and query providers of `h`. */
export function renderRoutes(h: Harness, routes: Record<string, () => ReactNode>, url: string) {
  const wrap = (Screen: () => ReactNode) =>
    function Route() {
      return <Screen />;
    };
  const mock = Object.fromEntries(Object.entries(routes).map(([path, Screen]) => [path, wrap(Screen)]));
  current = h;
  return renderRouter({ _layout: Layout, ...mock }, { initialUrl: url });
}

// The first render of the router loads most of React Navigation: on a shared 2-core machine that alone can take seconds.
jest.setTimeout(20_000);
