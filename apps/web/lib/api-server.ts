import { headers } from 'next/headers';
import { cache } from 'react';
import { createDemaClient, DemaApiError, type DemaClient } from '@dema/client';
import { forwardingHeadersOf } from './api-proxy.ts';
import { shopCategories } from './categories.ts';
import { apiBaseUrl } from './config.ts';
import type { ProductListQuery } from './product-query.ts';
import { uncachedFetch } from './uncached-fetch.ts';

/**
 * Server-side reads from the API for pages rendered on the server (the catalog). Never throws for
 * an API that is down or answers an error: the result says so, and the page renders a clear state.
 */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: DemaApiError };

const timeoutMs = 8_000;

/**
 * The API's client on the web server, sending `forwarding` (forwardingHeadersOf: the visitor's
 * address, which web-server.ts took from the connection) so that the API's rate limits count each
 * visitor's pages against that visitor and not every page of the shop against the web server's one
 * address. Uncached (the API keeps its own cache current), given up after `timeout` ms, and never
 * retried: a visitor's refusal (429) is theirs to see at once, and the sign-in calls spend
 * single-use refresh tokens.
 */
export function serverApi(forwarding: Headers, timeout: number): DemaClient {
  return createDemaClient({
    baseUrl: apiBaseUrl(),
    headers: Object.fromEntries(forwarding),
    retry: false,
    fetch: uncachedFetch(timeout),
  });
}

/** The client for the page being rendered, as its visitor. */
async function visitorApi(): Promise<DemaClient> {
  let incoming: Headers;
  try {
    incoming = await headers();
  } catch {
    incoming = new Headers(); // outside a request (never for these dynamic pages)
  }
  return serverApi(forwardingHeadersOf(incoming), timeoutMs);
}

/** Runs a read as the page's visitor; its failure (unreachable, refused) as a value. */
export async function apiRead<T>(read: (client: DemaClient) => Promise<T>): Promise<ApiResult<T>> {
  try {
    return { ok: true, data: await read(await visitorApi()) };
  } catch (error) {
    return { ok: false, error: error instanceof DemaApiError ? error : DemaApiError.unreachable(error) };
  }
}

/** The store's checkout settings (its currency above all), read at most once per page render. */
export const storeSettings = cache(() => apiRead((client) => client.GET('/api/checkout-settings')));

/** The catalog's reads, named as the pages use them. */
export const catalogApi = {
  listProducts: (query: ProductListQuery) => apiRead((client) => client.GET('/api/products', { params: { query } })),
  product: (id: string) => apiRead((client) => client.GET('/api/products/{id}', { params: { path: { id } } })),
  /** The categories shoppers see (see shopCategories). */
  categories: () => apiRead(async (client) => ({ items: shopCategories((await client.GET('/api/categories')).items) })),
  category: (idOrSlug: string) => apiRead((client) => client.GET('/api/categories/{id}', { params: { path: { id: idOrSlug } } })),
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Whether `value` can be a product id (the API answers 400 rather than 404 for anything else). */
export const isUuid = (value: string): boolean => uuidPattern.test(value);
