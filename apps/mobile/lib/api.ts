import type { Cart, CategoryList, CreateOrder, Order, Product, ProductPage, ProductSort } from '@dema/contracts';

/**
 * What the screens need from the API. One interface so the transport can change (the shared typed client) without
 * touching a screen; tests give it a fetch stub, never a fake of this interface.
 */
export interface DemaApi {
  listProducts(query: CatalogQuery & { limit: number; offset: number }): Promise<ProductPage>;
  listCategories(): Promise<CategoryList>;
  getProduct(id: string): Promise<Product>;
  getCart(): Promise<Cart>;
  setCartItem(productId: string, quantity: number, variantId?: string | null): Promise<Cart>;
  removeCartItem(productId: string): Promise<Cart>;
  /** Checks out the cart; the same `idempotencyKey` on a retry answers the first order instead of placing two. */
  placeOrder(body: CreateOrder, idempotencyKey: string): Promise<Order>;
}

export type CatalogQuery = { q?: string; category?: string; sort: ProductSort };

/** A failed call: the API's problem+json, or status 0 when the API could not be reached (offline). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

export const isOffline = (error: unknown): boolean => error instanceof ApiFailure && error.status === 0;
export const isSignedOut = (error: unknown): boolean => error instanceof ApiFailure && error.status === 401;

/** A sentence a shopper can act on. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof ApiFailure)) return 'Something went wrong. Please try again.';
  if (error.status === 0) return 'You are offline or the store cannot be reached.';
  if (error.status === 401) return 'Please sign in to continue.';
  if (error.status === 429) return 'Too many requests: wait a moment and try again.';
  if (error.status >= 500) return 'The store had a problem. Please try again.';
  return error.message;
}

type HttpOptions = {
  baseUrl: string;
  fetch?: typeof fetch;
  /** The signed-in shopper's access token, or null; the sign-in screens own how it is kept. */
  accessToken?: () => Promise<string | null> | string | null;
};

/** DemaApi over plain fetch until the shared typed client replaces it. */
export function createHttpApi({ baseUrl, fetch: fetchImpl = (...args) => globalThis.fetch(...args), accessToken }: HttpOptions): DemaApi {
  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const token = accessToken ? await accessToken() : null;
    const all: Record<string, string> = { accept: 'application/json', ...headers };
    if (token) all.authorization = `Bearer ${token}`;
    if (body !== undefined) all['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiFailure(0, null, 'unreachable');
    }
    const text = await response.text();
    const json: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const problem = (json ?? {}) as { code?: string; title?: string; detail?: string };
      throw new ApiFailure(response.status, problem.code ?? null, problem.detail ?? problem.title ?? `Request failed (${response.status})`);
    }
    return json as T;
  }
  const item = (productId: string) => `/api/cart/items/${encodeURIComponent(productId)}`;
  return {
    listProducts({ q, category, sort, limit, offset }) {
      const params = new URLSearchParams({ sort, limit: String(limit), offset: String(offset) });
      if (q) params.set('q', q);
      if (category) params.set('category', category);
      return call('GET', `/api/products?${params}`);
    },
    listCategories: () => call('GET', '/api/categories'),
    getProduct: (id) => call('GET', `/api/products/${encodeURIComponent(id)}`),
    getCart: () => call('GET', '/api/cart'),
    setCartItem: (productId, quantity, variantId) => call('PUT', item(productId), variantId ? { quantity, variantId } : { quantity }),
    removeCartItem: (productId) => call('DELETE', item(productId)),
    placeOrder: (body, idempotencyKey) => call('POST', '/api/orders', body, { 'idempotency-key': idempotencyKey }),
  };
}

/** A fresh key per checkout attempt (kept across its retries). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
