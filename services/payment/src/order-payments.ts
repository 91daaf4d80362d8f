import { ErrorCode, type CreatePayment, type CreateRefund, type OrderPayments, type Payment, type Refund } from '@dema/contracts';
import { AppError } from '@dema/platform';
import type { Payments } from './payments.ts';

/**
 * The Payment service's use cases as the Order service's port, in-process (the all-in-one
 * process): the same calls `/internal/payments` answers, without the network hop.
 */
export class InProcessOrderPayments implements OrderPayments {
  constructor(private readonly payments: Payments) {}

  async openPayment(orderId: string, body: CreatePayment): Promise<Payment & { clientSecret?: string }> {
    const { payment, clientSecret } = await this.payments.openPayment(orderId, body);
    return clientSecret ? { ...payment, clientSecret } : payment;
  }

  capturePayment(orderId: string): Promise<Payment> {
    return this.payments.capture(orderId, undefined);
  }

  async cancelPayment(orderId: string): Promise<Payment | undefined> {
    try {
      return await this.payments.cancel(orderId);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.PAYMENT_NOT_FOUND) return undefined;
      throw error;
    }
  }

  async refundPayment(orderId: string, body: CreateRefund, createdBy: string | null, idempotencyKey?: string): Promise<Refund> {
    return (await this.payments.refundFor(createdBy, orderId, body, idempotencyKey)).refund;
  }
}
