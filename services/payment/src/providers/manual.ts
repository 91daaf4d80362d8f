import { ErrorCode } from '@dema/contracts';
import { conflict } from '@dema/platform';
import type { PaymentProviderAdapter } from './provider.ts';

/**
 * Bank transfer or cash on delivery: no one to call. The payment stays `unpaid` until an admin
 * marks it paid (the money arrived outside Dema); a refund is recorded for the admin to pay back.
 */
export const manualProvider: PaymentProviderAdapter = {
  name: 'manual',
  remote: false,
  async createPayment() {
    return { providerRef: null, status: 'unpaid' };
  },
  async capture() {
    throw conflict(ErrorCode.PAYMENT_INVALID_STATE, 'A manual payment is not captured: an admin marks it paid once the money has arrived');
  },
  async cancel() {},
  async refund() {
    return { refundRef: null };
  },
};
