import Type from 'typebox';
import { NoFields, UpdateCheckoutSettings, type CheckoutSettings, type PaymentProvider } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { CheckoutConfiguration } from '../checkout-configuration.ts';

/** How a shopper may pay, from the server's configuration (not stored with the settings). */
export interface PaymentOptions {
  paymentProviders: PaymentProvider[];
  stripePublishableKey: string | null;
}

/**
 * The store's checkout settings: readable by anyone (a storefront shows prices with them, and
 * offers the payment providers), set by admins.
 */
export async function checkoutSettingsRoutes(app: DemaApp, configuration: CheckoutConfiguration, payments: PaymentOptions): Promise<void> {
  const withPayments = (settings: CheckoutSettings): CheckoutSettings => ({ ...settings, ...payments });
  app.get(
    '/api/checkout-settings',
    {
      schema: {
        tags: ['checkout'],
        operationId: 'getCheckoutSettings',
        summary: "Get the store's checkout settings",
        description:
          'Whether prices include tax, the currency, how long an order may wait for payment, when card payments are captured, ' +
          'the countries the shipping zones cover (`shipsTo`), the payment providers a shopper may choose and the Stripe publishable key for the card form (null without Stripe).',
        querystring: NoFields,
        response: { 200: Type.Ref('CheckoutSettings') },
      },
    },
    async () => withPayments(await configuration.checkoutSettings()),
  );

  app.put(
    '/api/checkout-settings',
    {
      bodyLimit: bodyLimits.small,
      config: { permission: 'checkout:manage' },
      schema: {
        tags: ['checkout'],
        operationId: 'replaceCheckoutSettings',
        summary: "Set the store's checkout settings",
        description: 'Every setting, replacing the current ones.',
        security: requiresToken,
        body: UpdateCheckoutSettings,
        response: { 200: Type.Ref('CheckoutSettings'), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => withPayments(await configuration.replaceCheckoutSettings(request.body)),
  );
}
