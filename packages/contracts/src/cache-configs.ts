/**
 * What a shared cache (a CDN in front of the gateway) may do with an answer that is the same for
 * everyone: `Cache-Control: public, max-age, stale-while-revalidate`.
 */
export interface PublicCaching {
  /** Seconds the answer is fresh. */
  maxAge: number;
  /** Seconds after that it may still be served while the CDN asks again in the background. */
  staleWhileRevalidate: number;
}

/** The seed's caching strategy, shared so every instance and service reads the same policy. */
export interface CacheConfig {
  key: string;
  /** Seconds an entry is fresh. */
  ttl: number;
  /** After `ttl`, serve the stale entry (for up to another `ttl`) while one background load refreshes it. */
  staleWhileRevalidate?: boolean;
  /** Invalidating a tag drops every entry stored under it, on every instance. */
  tags?: string[];
  /**
   * Set when the cached answers are public (alike for every caller): how long a CDN and a browser
   * may keep them. Short, because a CDN hears of no invalidation: a changed price or stock shows
   * there within `maxAge` + `staleWhileRevalidate` seconds, and checkout re-reads stock anyway.
   */
  public?: PublicCaching;
}

/**
 * The tag of whatever a move of any product's stock may change: the product pages that filter on
 * stock (`inStock`), and answers that show stock without saying which products (GraphQL's). Every
 * other catalog entry is dropped by the tags of the products it shows, so an order drops only the
 * entries showing what it bought.
 */
export const catalogStockTag = 'product-stock';

export const cacheConfigs = {
  'product-list': {
    key: 'products:list',
    ttl: 3600,
    staleWhileRevalidate: true,
    // Each page also carries the tags of the products it shows (and `catalogStockTag` when it
    // filters on stock), read from `product-list-ids` first.
    tags: ['products'],
    public: { maxAge: 30, staleWhileRevalidate: 60 },
  },
  /** Which products a page shows, in its order: what a page's own tags are made of. */
  'product-list-ids': {
    key: 'products:list-ids',
    ttl: 3600,
    staleWhileRevalidate: true,
    tags: ['products'],
  },
  'product-detail': {
    key: 'products:detail',
    ttl: 7200,
    staleWhileRevalidate: true,
    tags: ['products'],
    public: { maxAge: 30, staleWhileRevalidate: 60 },
  },
  'user-cart': {
    key: 'cart',
    ttl: 86400,
    tags: ['cart'],
  },
} as const satisfies Record<string, CacheConfig>;

export type CacheName = keyof typeof cacheConfigs;
