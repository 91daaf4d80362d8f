import { ErrorCode, eventConsumers, type OrderStatusChangedEvent } from '@dema/contracts';
import { AppError, type EventBus } from '@dema/platform';
import type { Logger } from 'pino';
import type { Payments } from '../payments.ts';

/**
 * Cancels the payment of an order that became CANCELLED (an authorization voided, money taken
 * refunded). The Order service asks for it directly, right after the change; this durable consumer
 * is the guarantee when that call fails. `Payments.cancel` is idempotent (a voided or refunded
 * payment stays as it is; a refund of all that is left finds nothing left), so the second of the
 * two changes nothing.
 */
export function consumeOrderCancellations(bus: EventBus, payments: Payments, log: Logger): Promise<void> {
  return bus.subscribe('payment-cancellations', eventConsumers['payment-cancellations'], async (event) => {
    if (event.type !== 'ORDER_STATUS_CHANGED') return;
    const { orderId, newStatus } = (event as OrderStatusChangedEvent).payload;
    if (newStatus !== 'CANCELLED') return;
    try {
      await payments.cancel(orderId);
    } catch (error) {
      // No payment (nothing to pay), or one the provider refuses to give up: retrying changes nothing.
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code !== ErrorCode.PAYMENT_NOT_FOUND) log.warn({ err: error, orderId }, 'the payment of a cancelled order could not be cancelled');
    }
  });
}
