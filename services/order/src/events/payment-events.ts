import {
  eventConsumers,
  type PaymentAuthorizedEvent,
  type PaymentCapturedEvent,
  type PaymentFailedEvent,
  type PaymentRefundedEvent,
  type PaymentStatus,
  type PaymentVoidedEvent,
} from '@dema/contracts';
import type { EventBus } from '@dema/platform';
import type { Orders } from '../orders.ts';

type PaymentEvent = PaymentAuthorizedEvent | PaymentCapturedEvent | PaymentRefundedEvent | PaymentFailedEvent | PaymentVoidedEvent;

/** What each payment event says the payment now is. */
function reportedStatus(event: PaymentEvent): PaymentStatus {
  switch (event.type) {
    case 'PAYMENT_AUTHORIZED':
      return 'authorized';
    case 'PAYMENT_CAPTURED':
      return 'paid';
    case 'PAYMENT_REFUNDED':
      return event.payload.fullyRefunded ? 'refunded' : 'partially_refunded';
    case 'PAYMENT_FAILED':
      return 'failed';
    case 'PAYMENT_VOIDED':
      return 'voided';
  }
}

/**
 * Keeps each order's `paymentStatus` on its payment (the Payment service's PAYMENT_* events), in a
 * durable consumer: an event missed while this service is down waits in its queue. Delivery is at
 * least once and in no set order; `Orders.followPayment` ignores a report behind the order's
 * status, so a repeat or a late event changes nothing.
 */
export function consumePaymentEvents(bus: EventBus, orders: Orders): Promise<void> {
  return bus.subscribe('order-payments', eventConsumers['order-payments'], async (event) => {
    const payment = event as PaymentEvent;
    await orders.followPayment(payment.payload.orderId, reportedStatus(payment));
  });
}
