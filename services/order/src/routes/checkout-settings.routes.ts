import Type from 'typebox';
import { UpdateCheckoutSettings } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { CheckoutConfiguration } from '../checkout-configuration.ts';

/** The store's checkout settings: readable by anyone (a storefront shows prices with them), set by admins. */
export async function checkoutSettingsRoutes(app: DemaApp, configuration: CheckoutConfiguration): Promise<void> {
  app.get(
    '/api/checkout-settings',
    {
      schema: {
        tags: ['checkout'],
        operationId: 'getCheckoutSettings',
        summary: "Get the store's checkout settings",
        description:
          'Whether prices include tax, the currency, how long an order may wait for payment, when card payments are captured, and the countries the shipping zones cover (`shipsTo`).',
        response: { 200: Type.Ref('CheckoutSettings') },
      },
    },
    async () => configuration.checkoutSettings(),
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
    async (request) => configuration.replaceCheckoutSettings(request.body),
  );
}
