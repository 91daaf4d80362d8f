import type { ServiceName } from '@dema/platform';

/**
 * Which service answers which public path: the only paths the gateway forwards. Everything else —
 * `/internal/*` above all — gets a 404 from the gateway and never reaches a service. A new service
 * or resource is one line here; `gateway-openapi.test.ts` checks that every path a service documents
 * is routed to it. The first prefix that matches wins, and `*` in a prefix stands for any one
 * segment: an order's payment and refunds belong to the Payment service although the order itself
 * is the Order service's, so they come before `/api/orders`.
 */
export const serviceRoutes: ReadonlyArray<{ prefix: string; service: ServiceName }> = [
  { prefix: '/api/auth', service: 'user' },
  { prefix: '/api/users', service: 'user' },
  { prefix: '/.well-known/jwks.json', service: 'user' },
  { prefix: '/api/admin/mailbox', service: 'user' },
  { prefix: '/api/admin/audit', service: 'analytics' },
  { prefix: '/api/products', service: 'product' },
  { prefix: '/api/categories', service: 'product' },
  { prefix: '/media', service: 'product' },
  { prefix: '/api/orders/*/payment', service: 'payment' },
  { prefix: '/api/orders/*/refunds', service: 'payment' },
  { prefix: '/api/payments', service: 'payment' },
  { prefix: '/api/orders', service: 'order' },
  { prefix: '/api/cart', service: 'order' },
  { prefix: '/api/checkout', service: 'order' },
  { prefix: '/api/shipping-zones', service: 'order' },
  { prefix: '/api/shipping-methods', service: 'order' },
  { prefix: '/api/tax-rates', service: 'order' },
  { prefix: '/api/promotions', service: 'order' },
  { prefix: '/api/checkout-settings', service: 'order' },
  { prefix: '/api/analytics', service: 'analytics' },
  { prefix: '/api/webhooks', service: 'analytics' },
];

/** Every service serves the same problem-type page; any of them may answer it. */
export const anyServicePaths: ReadonlySet<string> = new Set(['/api/docs/problems']);

// Compiled once: the gateway asks for every request it forwards.
const matchers = serviceRoutes.map(({ prefix, service }) => ({
  service,
  pattern: new RegExp(`^${prefix.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]+')}(?:/|$)`),
}));

/**
 * The service that answers `path` (already normalized: no dot segments, no query), or undefined.
 * A prefix matches whole segments: `/api/users` matches `/api/users/me`, not `/api/usersearch`.
 */
export function serviceFor(path: string): ServiceName | undefined {
  for (const { pattern, service } of matchers) {
    if (pattern.test(path)) return service;
  }
  return undefined;
}
