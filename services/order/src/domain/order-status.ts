import { canTransition, customerTransitions, type OrderStatus, type Principal } from '@dema/contracts';

export type TransitionDecision = 'allowed' | 'illegal' | 'forbidden';

/**
 * Whether `actor` may move an order from `from` to `to`. The lifecycle itself is the transition
 * table in the contracts (`orderTransitions`); admins may make every move it allows, a customer
 * only the cancellations of `customerTransitions`, and only on their own order. An illegal move is
 * reported as such even to a customer (409), so a shopper learns "already shipped", not "forbidden".
 */
export function decideTransition(from: OrderStatus, to: OrderStatus, actor: Principal & { kind: 'user' }, orderUserId: string): TransitionDecision {
  if (!canTransition(from, to)) return 'illegal';
  if (actor.role === 'admin') return 'allowed';
  if (actor.userId !== orderUserId) return 'forbidden';
  return customerTransitions.some(([a, b]) => a === from && b === to) ? 'allowed' : 'forbidden';
}
