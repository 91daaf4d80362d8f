import { ErrorCode, type CreatePayment, type CreateRefund, type OrderPayments, type Payment, type Refund } from '@dema/contracts';
import { AppError } from '@dema/platform';
import type { InternalClient } from './internal-client.ts';

/**
 * The Payment service over HTTP (`/internal/payments`), for an Order service running in its own
 * process. Every call is idempotent by order id (a refund by its Idempotency-Key), so the client's
 * retry on another instance never opens, captures or refunds twice.
 */
export class HttpOrderPayments implements OrderPayments {
  constructor(private readonly payment: InternalClient) {}

  openPayment(orderId: string, body: CreatePayment): Promise<Payment & { clientSecret?: string }> {
    return this.payment.call('PUT', `/internal/payments/${orderId}`, { body });
  }

  capturePayment(orderId: string): Promise<Payment> {
    return this.payment.call('POST', `/internal/payments/${orderId}/capture`, { body: {} });
  }

  async cancelPayment(orderId: string): Promise<Payment | undefined> {
    try {
      return await this.payment.call<Payment>('POST', `/internal/payments/${orderId}/cancel`);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.PAYMENT_NOT_FOUND) return undefined;
      throw error;
    }
  }

  refundPayment(orderId: string, body: CreateRefund, createdBy: string | null, idempotencyKey?: string): Promise<Refund> {
    return this.payment.call('POST', `/internal/payments/${orderId}/refunds`, {
      body: { ...body, createdBy },
      headers: idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
    });
  }
}
