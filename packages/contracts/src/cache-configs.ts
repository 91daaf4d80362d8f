/** The seed's caching strategy, shared so every instance and service reads the same policy. */
export interface CacheConfig {
  key: string;
  /** Seconds an entry is fresh. */
  ttl: number;
  /** After `ttl`, serve the stale entry (for up to another `ttl`) while one background load refreshes it. */
  staleWhileRevalidate?: boolean;
  /** Invalidating a tag drops every entry stored under it, on every instance. */
  tags?: string[];
}

export const cacheConfigs = {
  'product-list': {
    key: 'products:list',
    ttl: 3600,
    staleWhileRevalidate: true,
    tags: ['products'],
  },
  'product-detail': {
    key: 'products:detail',
    ttl: 7200,
    staleWhileRevalidate: true,
    tags: ['products'],
  },
  'user-cart': {
    key: 'cart',
    ttl: 86400,
    tags: ['cart'],
  },
} as const satisfies Record<string, CacheConfig>;

export type CacheName = keyof typeof cacheConfigs;
