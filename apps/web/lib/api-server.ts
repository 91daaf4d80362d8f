import { headers } from 'next/headers';
import type { Category, Problem, Product, ProductPage } from '@dema/contracts';
import { forwardingHeadersOf } from './api-proxy.ts';
import { shopCategories } from './categories.ts';
import { apiBaseUrl } from './config.ts';
import { toSearchParams, type ProductListQuery } from './product-query.ts';

/**
 * Server-side reads from the API for pages rendered on the server (the catalog). Never throws for
 * an API that is down or answers an error: the result says so, and the page renders a clear state.
 */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; problem: Problem | null; unreachable: boolean };

const timeoutMs = 8_000;

/**
 * The visitor a page is rendered for, as the API should see it: its address (which web-server.ts
 * took from the connection), so that the API's rate limits count each visitor's pages against that
 * visitor and not every page of the shop against the web server's one address.
 */
async function visitorHeaders(): Promise<Headers> {
  let incoming: Headers;
  try {
    incoming = await headers();
  } catch {
    return new Headers({ accept: 'application/json' }); // outside a request (never for these dynamic pages)
  }
  const outgoing = forwardingHeadersOf(incoming);
  outgoing.set('accept', 'application/json');
  return outgoing;
}

/** GET `path` (starting with `/api/`) from the API, uncached: the API keeps its own cache current. */
export async function apiGet<T>(path: string): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(`${apiBaseUrl()}${path}`, {
      cache: 'no-store',
      headers: await visitorHeaders(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return { ok: false, status: 503, problem: null, unreachable: true };
  }
  if (!response.ok) {
    let problem: Problem | null = null;
    try {
      problem = (await response.json()) as Problem;
    } catch {
      problem = null;
    }
    return { ok: false, status: response.status, problem, unreachable: false };
  }
  return { ok: true, data: (await response.json()) as T };
}

/** The catalog's reads, named as the pages use them. */
export const catalogApi = {
  listProducts: (query: ProductListQuery) => apiGet<ProductPage>(`/api/products?${toSearchParams(query).toString()}`),
  product: (id: string) => apiGet<Product>(`/api/products/${encodeURIComponent(id)}`),
  /** The categories shoppers see (see shopCategories). */
  categories: async (): Promise<ApiResult<{ items: Category[] }>> => {
    const result = await apiGet<{ items: Category[] }>('/api/categories');
    return result.ok ? { ok: true, data: { items: shopCategories(result.data.items) } } : result;
  },
  category: (idOrSlug: string) => apiGet<Category>(`/api/categories/${encodeURIComponent(idOrSlug)}`),
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Whether `value` can be a product id (the API answers 400 rather than 404 for anything else). */
export const isUuid = (value: string): boolean => uuidPattern.test(value);
