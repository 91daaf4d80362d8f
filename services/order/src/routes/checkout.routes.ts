import Type from 'typebox';
import { CreateOrder, ShippingOptionsRequest, type Principal } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Checkout } from '../checkout.ts';
import type { Orders } from '../orders.ts';

const user = (principal: Principal) => principal as Principal & { kind: 'user' };

/** The shopper's side of checkout: what shipping an address can have, and what an order would cost. */
export async function checkoutRoutes(app: DemaApp, checkout: Checkout, orders: Orders): Promise<void> {
  app.post(
    '/api/checkout/shipping-options',
    {
      bodyLimit: bodyLimits.medium,
      config: { permission: 'orders:write' },
      schema: {
        tags: ['checkout'],
        operationId: 'listShippingOptions',
        summary: 'List the shipping options for an address',
        description:
          'The active methods of the shipping zones that hold the address, each priced for the cart (or `items`): flat, free above a subtotal, or by weight. ' +
          'A method by weight that does not take a cart this heavy is left out; an address outside every zone is a 422 SHIPPING_UNAVAILABLE.',
        security: requiresToken,
        body: ShippingOptionsRequest,
        response: { 200: Type.Ref('ShippingOptionList'), ...problemResponses(400, 401, 403, 422, 503) },
      },
    },
    async (request) => {
      const lines = await orders.linesOf(user(request.principal), request.body);
      return { items: await checkout.shippingOptions(request.body.address, lines) };
    },
  );

  app.post(
    '/api/checkout/preview',
    {
      bodyLimit: bodyLimits.medium,
      config: { permission: 'orders:write' },
      schema: {
        tags: ['checkout'],
        operationId: 'previewCheckout',
        summary: 'Price an order without placing it',
        description:
          'The same body as `POST /api/orders`; answers the full breakdown (subtotal, discount, shipping, tax, total, tax lines) at current prices. ' +
          'Nothing is reserved or written; the order itself is priced again when placed.',
        security: requiresToken,
        body: CreateOrder,
        response: { 200: Type.Ref('CheckoutPreview'), ...problemResponses(400, 401, 403, 422, 503) },
      },
    },
    async (request) => {
      const lines = await orders.linesOf(user(request.principal), request.body);
      return checkout.preview(user(request.principal), request.body, lines);
    },
  );
}
