import type { ProductSort } from '@dema/contracts';

/**
 * The storefront's product-list state as it lives in the page URL (`/products?q=…&sort=…&page=2`),
 * and its translation to the API's query (`limit`/`offset`, `category`, `q`, prices, `inStock`).
 * Anything malformed in the URL is dropped rather than sent on, so a hand-edited URL still shows a
 * page instead of an error.
 */
export interface ProductListState {
  q?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  sort: ProductSort;
  page: number;
}

/** Products per page of the storefront. */
export const pageSize = 12;

/** Sort options in the order the storefront offers them, with their labels. */
export const sortOptions: ReadonlyArray<{ value: ProductSort; label: string }> = [
  { value: 'newest', label: 'Newest' },
  { value: 'price', label: 'Price: low to high' },
  { value: '-price', label: 'Price: high to low' },
  { value: 'name', label: 'Name: A to Z' },
  { value: '-name', label: 'Name: Z to A' },
];

type SearchParams = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined): string | undefined => {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
};

function price(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,8}(\.\d{1,2})?$/.test(value)) return undefined;
  return Number(value);
}

/** Reads the list state from a page's search params. */
export function parseProductListState(params: SearchParams): ProductListState {
  const sortParam = first(params.sort);
  const sort = sortOptions.find((option) => option.value === sortParam)?.value ?? 'newest';
  const pageParam = Number(first(params.page) ?? '1');
  const page = Number.isInteger(pageParam) && pageParam >= 1 && pageParam <= 5000 ? pageParam : 1;
  let minPrice = price(first(params.minPrice));
  let maxPrice = price(first(params.maxPrice));
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) [minPrice, maxPrice] = [maxPrice, minPrice];
  const q = first(params.q)?.slice(0, 200);
  const category = first(params.category)?.slice(0, 255);
  const state: ProductListState = { sort, page };
  if (q) state.q = q;
  if (category) state.category = category;
  if (minPrice !== undefined) state.minPrice = minPrice;
  if (maxPrice !== undefined) state.maxPrice = maxPrice;
  if (first(params.inStock) === '1' || first(params.inStock) === 'true') state.inStock = true;
  return state;
}

/** The API's query for `GET /api/products`, as a typed client takes it (`params.query`). */
export interface ProductListQuery {
  limit: number;
  offset: number;
  sort: ProductSort;
  q?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
}

/** The API query (`GET /api/products?…`) for a list state; filters left out are absent, not empty. */
export function toApiQuery(state: ProductListState): ProductListQuery {
  const query: ProductListQuery = { limit: pageSize, offset: (state.page - 1) * pageSize, sort: state.sort };
  if (state.q) query.q = state.q;
  if (state.category) query.category = state.category;
  if (state.minPrice !== undefined) query.minPrice = state.minPrice;
  if (state.maxPrice !== undefined) query.maxPrice = state.maxPrice;
  if (state.inStock) query.inStock = true;
  return query;
}

/** The page URL for a list state, leaving out defaults so URLs stay short and canonical. */
export function toPageHref(basePath: string, state: ProductListState, change: Partial<ProductListState> = {}): string {
  const next = { ...state, ...change };
  const query = new URLSearchParams();
  if (next.q) query.set('q', next.q);
  if (next.category) query.set('category', next.category);
  if (next.minPrice !== undefined) query.set('minPrice', String(next.minPrice));
  if (next.maxPrice !== undefined) query.set('maxPrice', String(next.maxPrice));
  if (next.inStock) query.set('inStock', '1');
  if (next.sort !== 'newest') query.set('sort', next.sort);
  if (next.page > 1) query.set('page', String(next.page));
  const text = query.toString();
  return text ? `${basePath}?${text}` : basePath;
}

/** Total pages for `total` products (at least one, so an empty result is "page 1 of 1"). */
export const pageCount = (total: number): number => Math.max(1, Math.ceil(total / pageSize));

/**
 * Page numbers to show in a pager: the first, the last, and a window around the current one, with
 * `null` where pages are skipped.
 */
export function pagerPages(current: number, pages: number): Array<number | null> {
  const shown = new Set([1, pages, current - 1, current, current + 1].filter((n) => n >= 1 && n <= pages));
  const sorted = [...shown].sort((a, b) => a - b);
  const result: Array<number | null> = [];
  for (const [index, page] of sorted.entries()) {
    const previous = sorted[index - 1];
    if (previous !== undefined && page - previous > 1) result.push(null);
    result.push(page);
  }
  return result;
}
