import type { AnalyticsFact, PlacedOrder, RefundFact, StockMovementFact } from './analytics-events.ts';
import { statusRanks } from './order-status-rank.ts';

/** A fact with its event's place in the history. */
export interface LoggedFact {
  fact: AnalyticsFact;
  seq: string;
}

/** What a batch of facts says about one order: its placement (if in the batch) and its furthest status. */
export interface OrderRow {
  orderId: string;
  userId: string;
  /** The last ORDER_CREATED of the batch, as one-at-a-time handling would leave it. */
  placed: PlacedOrder | undefined;
  status: string;
  rank: number;
  statusAt: string;
}

/** What a batch of facts says about one product's stock: its latest level, or that it was deleted. */
export interface StockRow {
  productId: string;
  stock: number;
  asOf: string;
  seq: string;
  deleted: boolean;
}

/** The rows a batch of facts writes, each fact table row once (an upsert may touch a row only once). */
export interface FactRows {
  orders: OrderRow[];
  movements: StockMovementFact[];
  stock: StockRow[];
  /** Each refund id once, its first announcement (a refund never changes once made). */
  refunds: RefundFact[];
}

/**
 * Reduces a batch of facts to one row per order and per product, keeping what the fact tables keep
 * when the facts are applied one at a time: an order's furthest status by (rank, time), its
 * creation counting as PENDING at the time it was placed; a product's latest stock by (time, place
 * in the history), a deletion being its latest state. Pure, and the result does not depend on the order of `facts` beyond that of
 * repeated ORDER_CREATED events of one order (the last wins, as it would one at a time).
 */
export function reduceFacts(facts: LoggedFact[]): FactRows {
  const orders = new Map<string, OrderRow>();
  const movements: StockMovementFact[] = [];
  const stock = new Map<string, StockRow>();
  const refunds = new Map<string, RefundFact>();
  const reachStatus = (orderId: string, userId: string, status: string, rank: number, at: string) => {
    const row = orders.get(orderId);
    if (!row) {
      orders.set(orderId, { orderId, userId, placed: undefined, status, rank, statusAt: at });
      return;
    }
    // Strictly further only, as the upsert does: of two equal ones the first stays.
    if (compare([rank, Date.parse(at)], [row.rank, Date.parse(row.statusAt)]) > 0) Object.assign(row, { status, rank, statusAt: at });
  };
  const keepLatest = (row: StockRow) => {
    const held = stock.get(row.productId);
    if (!held || compare([Date.parse(row.asOf), BigInt(row.seq)], [Date.parse(held.asOf), BigInt(held.seq)]) > 0) stock.set(row.productId, row);
  };
  for (const { fact, seq } of facts) {
    switch (fact.kind) {
      case 'order-placed': {
        const { order } = fact;
        reachStatus(order.orderId, order.userId, 'PENDING', statusRanks.PENDING, order.placedAt);
        Object.assign(orders.get(order.orderId)!, { placed: order, userId: order.userId });
        break;
      }
      case 'order-status-changed': {
        const { change } = fact;
        reachStatus(change.orderId, change.userId, change.status, change.rank, change.changedAt);
        break;
      }
      case 'stock-updated': {
        const { movement } = fact;
        movements.push(movement);
        keepLatest({ productId: movement.productId, stock: movement.newStock, asOf: movement.occurredAt, seq, deleted: false });
        break;
      }
      case 'product-deleted':
        keepLatest({ productId: fact.deletion.productId, stock: 0, asOf: fact.deletion.deletedAt, seq, deleted: true });
        break;
      case 'payment-refunded':
        if (!refunds.has(fact.refund.refundId)) refunds.set(fact.refund.refundId, fact.refund);
        break;
      case 'history-only':
        break;
    }
  }
  return { orders: [...orders.values()], movements, stock: [...stock.values()], refunds: [...refunds.values()] };
}

/** Row comparison as SQL's `(a, b) > (c, d)`. */
function compare(left: Array<number | bigint>, right: Array<number | bigint>): number {
  for (const [i, value] of left.entries()) {
    if (value !== right[i]) return value > right[i]! ? 1 : -1;
  }
  return 0;
}
