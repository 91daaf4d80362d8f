import Type from 'typebox';

/**
 * The routes that honour an `Idempotency-Key` header: a repeat carrying the key of an earlier request
 * answers with that request's outcome instead of acting again. The gateway sends a POST or PATCH to a
 * second instance after the first dropped it only when its route is listed here; on any other route
 * the first instance may have applied it (a stock adjustment), and a retry would apply it twice. A
 * route joins the list when its service stores the key with the outcome, not before;
 * `gateway-openapi.test.ts` checks that each listed route documents the header.
 */
export const idempotencyKeyRoutes: ReadonlyArray<{ method: 'POST' | 'PATCH'; path: string }> = [
  { method: 'POST', path: '/api/orders' },
  { method: 'POST', path: '/api/orders/{orderId}/refunds' },
  { method: 'POST', path: '/api/orders/{id}/returns' },
];

// A `{parameter}` of a listed path stands for one segment of a request's path.
const routePatterns = idempotencyKeyRoutes.map((route) => ({
  method: route.method,
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/** Whether `method path` (a normalized path, no query) is a route listed in `idempotencyKeyRoutes`. */
export function honoursIdempotencyKey(method: string, path: string): boolean {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return routePatterns.some((route) => route.method === method && route.pattern.test(trimmed));
}

/** The `Idempotency-Key` request header of a route listed above; `description` says what a repeat answers. */
export const IdempotencyKeyHeaders = (description: string) =>
  Type.Object({
    'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$', description })),
  });
