import type { OrderCreatedEvent, OrderStatusChangedEvent, StockUpdatedEvent } from '@dema/contracts';
import { createEvent } from '../src/bus/outbox.ts';

/** An ORDER_CREATED event with a fresh id; `n` varies the order id. */
export function sampleOrderCreated(n = 1): OrderCreatedEvent {
  return createEvent<OrderCreatedEvent>('ORDER_CREATED', {
    orderId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    userId: 'b3c1f0de-1111-4000-8000-000000000001',
    items: [{ productId: 'a1a1a1a1-2222-4000-8000-000000000002', quantity: 2, price: 39.9 }],
    total: 79.8,
    timestamp: '2024-05-01T12:00:00.000Z',
  });
}

/** A STOCK_UPDATED event (reason ORDER) with a fresh id. */
export function sampleStockUpdated(): StockUpdatedEvent {
  return createEvent<StockUpdatedEvent>('STOCK_UPDATED', {
    productId: 'a1a1a1a1-2222-4000-8000-000000000002',
    oldStock: 12,
    newStock: 10,
    reason: 'ORDER',
    timestamp: '2024-05-01T12:00:00.000Z',
  });
}

/** An ORDER_STATUS_CHANGED event with a fresh id; `n` varies the order id as in `sampleOrderCreated`. */
export function sampleOrderStatusChanged(n = 1, oldStatus = 'pending', newStatus = 'processing'): OrderStatusChangedEvent {
  return createEvent<OrderStatusChangedEvent>('ORDER_STATUS_CHANGED', {
    orderId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    userId: 'b3c1f0de-1111-4000-8000-000000000001',
    oldStatus,
    newStatus,
    timestamp: '2024-05-01T12:00:00.000Z',
  });
}
