import type { OrderCreatedEvent, OrderStatus, OrderStatusChangedEvent } from '@dema/contracts';
import { toWireAmount } from '@dema/contracts';
import { appendToOutbox, createEvent, type Queryable } from '@dema/platform';
import type { PricedOrder } from '../domain/pricing.ts';

/**
 * ORDER_CREATED: fired once per placed order, written with the order in one statement (after its
 * stock was reserved; see `recordPlacedOrder`). The seed's payload (one item per order line with its
 * unit price, and the total, as numbers with two decimals) plus the checkout's breakdown: subtotal,
 * discount, shipping and tax, so Analytics can tell gross sales from net revenue.
 */
export function orderCreatedEvent(orderId: string, userId: string, priced: PricedOrder, timestamp: string): OrderCreatedEvent {
  return createEvent<OrderCreatedEvent>('ORDER_CREATED', {
    orderId,
    userId,
    items: priced.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, price: toWireAmount(l.unitPrice) })),
    total: toWireAmount(priced.total),
    timestamp,
    subtotal: toWireAmount(priced.subtotal),
    discountTotal: toWireAmount(priced.discountTotal),
    shippingTotal: toWireAmount(priced.shippingTotal),
    taxTotal: toWireAmount(priced.taxTotal),
    pricesIncludeTax: priced.pricesIncludeTax,
    currency: priced.currency,
  });
}

/** ORDER_STATUS_CHANGED: fired once per status change, in the transaction that makes it. */
export async function recordOrderStatusChanged(tx: Queryable, orderId: string, userId: string, oldStatus: OrderStatus, newStatus: OrderStatus): Promise<void> {
  await appendToOutbox(
    tx,
    createEvent<OrderStatusChangedEvent>('ORDER_STATUS_CHANGED', { orderId, userId, oldStatus, newStatus, timestamp: new Date().toISOString() }),
  );
}
