import { eventConsumers, restockingStatuses, type OrderStatus, type OrderStatusChangedEvent } from '@dema/contracts';
import type { EventBus } from '@dema/platform';
import type { Catalog } from '../catalog.ts';

/**
 * Puts an order's stock back when it is cancelled or returned. The Order service also asks for the
 * release directly, right after the change, so the shopper sees the stock at once; this consumer is
 * the guarantee when that call fails (the event waits in the order outbox / the queue until it
 * succeeds). Release is idempotent by order id, so the second of the two changes nothing.
 */
export function consumeOrderStatusChanges(bus: EventBus, catalog: Catalog): Promise<void> {
  return bus.subscribe('product-stock', eventConsumers['product-stock'], async (event) => {
    if (event.type !== 'ORDER_STATUS_CHANGED') return;
    const { orderId, newStatus } = (event as OrderStatusChangedEvent).payload;
    if (restockingStatuses.includes(newStatus as OrderStatus)) await catalog.releaseStock(orderId);
  });
}
