import { orderStatuses, orderTransitions, type OrderStatus } from '@dema/contracts';

/**
 * Each status's depth in the order lifecycle: the longest path to it from PENDING in
 * `orderTransitions`. Every allowed transition goes to a deeper status, so of two status events of
 * one order the deeper status is the later one — whichever arrived first and whatever the
 * producers' clocks said. (A lifecycle with a cycle would break that; the unit test guards it.)
 */
export const statusRanks: Readonly<Record<OrderStatus, number>> = computeRanks();

function computeRanks(): Record<OrderStatus, number> {
  const ranks = Object.fromEntries(orderStatuses.map((s) => [s, 0])) as Record<OrderStatus, number>;
  // Relaxing every edge |statuses| times reaches the longest paths of an acyclic graph.
  for (let round = 0; round < orderStatuses.length; round += 1) {
    for (const from of orderStatuses) {
      for (const to of orderTransitions[from]) ranks[to] = Math.max(ranks[to], ranks[from] + 1);
    }
  }
  return ranks;
}
