import type { OrderStatus } from '@dema/contracts';

/**
 * The contracts' order lifecycle (`orderStatuses`, `orderTransitions`, `customerTransitions`),
 * handed from a server page to browser components as props, so the browser bundle does not carry
 * the contracts' schema library just for one table.
 */
export interface OrderLifecycle {
  statuses: readonly OrderStatus[];
  transitions: Record<OrderStatus, readonly OrderStatus[]>;
  customer: ReadonlyArray<readonly [OrderStatus, OrderStatus]>;
}

/** The moves `role` may make from `status`, in the table's order. */
export function allowedMoves(lifecycle: OrderLifecycle, status: OrderStatus, role: 'customer' | 'admin'): OrderStatus[] {
  const moves = lifecycle.transitions[status] ?? [];
  if (role === 'admin') return [...moves];
  return moves.filter((to) => lifecycle.customer.some(([from, allowed]) => from === status && allowed === to));
}
