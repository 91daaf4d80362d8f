import type { PaymentProvider as ProviderName } from '@dema/contracts';

/** Where a payment stands at the provider, in the Payment service's words. */
export type ProviderStatus = 'unpaid' | 'authorized' | 'paid' | 'failed' | 'voided';

export interface ProviderPayment {
  /** The provider's id of the payment (Stripe: the PaymentIntent's `pi_…`); null when there is none (manual). */
  providerRef: string | null;
  /** What the storefront confirms the payment with (Stripe.js), when the provider has one. */
  clientSecret?: string;
  status: ProviderStatus;
}

/**
 * A payment provider (bank transfer, Stripe, …), as Medusa's payment module shapes one: the Payment
 * service decides what happens to a payment, the provider only moves the money. Amounts are decimal
 * strings ("19.99"); each call that moves money takes an idempotency key, so a retry after a lost
 * answer is the same call, never a second charge or refund. A provider refusal throws an AppError.
 */
export interface PaymentProviderAdapter {
  readonly name: ProviderName;
  /**
   * Whether opening a payment asks a server (Stripe): then a repeat looks for the payment first, so
   * as not to call it again. A provider with no one to call (manual) is opened by the insert alone.
   */
  readonly remote: boolean;
  /** Opens the payment of an order: nothing is taken yet (Stripe: a PaymentIntent to authorize). */
  createPayment(orderId: string, amount: string, currency: string, idempotencyKey: string): Promise<ProviderPayment>;
  /** Takes the authorized money: all of it, or `amount` of it (the rest is released). */
  capture(providerRef: string, amount: string | undefined, idempotencyKey: string): Promise<{ amountCaptured: string }>;
  /** Gives up a payment no money was taken for (an authorization released, an unpaid one closed). */
  cancel(providerRef: string, idempotencyKey: string): Promise<void>;
  /** Gives `amount` of the captured money back. */
  refund(providerRef: string, amount: string, idempotencyKey: string): Promise<{ refundRef: string | null }>;
}
