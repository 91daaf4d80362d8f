import Type from 'typebox';
import { NoFields, SetCartItem, type Principal } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Carts } from '../carts.ts';

const ProductIdParam = Type.Object({ productId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const RemoveQuery = Type.Object(
  { variantId: Type.Optional(Type.String({ format: 'uuid', description: 'The variant whose line to remove; without it, every line of the product' })) },
  { additionalProperties: false },
);
const userId = (principal: Principal) => (principal as Principal & { kind: 'user' }).userId;

/** The caller's own cart (orders:read to see it, orders:write to change it). */
export async function cartRoutes(app: DemaApp, carts: Carts): Promise<void> {
  app.get(
    '/api/cart',
    {
      config: { permission: 'orders:read' },
      schema: {
        tags: ['cart'],
        operationId: 'getCart',
        summary: 'Get my cart',
        description: 'Lines with current prices and stock from the catalog; `problems` lists lines that cannot be checked out as they are.',
        security: requiresToken,
        querystring: NoFields,
        response: { 200: Type.Ref('Cart'), ...problemResponses(401, 403, 503) },
      },
    },
    async (request) => carts.view(userId(request.principal)),
  );

  app.put(
    '/api/cart/items/:productId',
    {
      bodyLimit: bodyLimits.small,
      config: { permission: 'orders:write' },
      schema: {
        tags: ['cart'],
        operationId: 'setCartItem',
        summary: 'Set the quantity of a product (or one of its variants) in my cart',
        description: 'Each variant of a product is a line of its own: two sizes of one shirt are two lines.',
        security: requiresToken,
        params: ProductIdParam,
        body: SetCartItem,
        response: { 200: Type.Ref('Cart'), ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => carts.setItem(userId(request.principal), request.params.productId, request.body),
  );

  app.delete(
    '/api/cart/items/:productId',
    {
      config: { permission: 'orders:write' },
      schema: {
        tags: ['cart'],
        operationId: 'removeCartItem',
        summary: 'Remove a product, or one variant of it, from my cart',
        security: requiresToken,
        params: ProductIdParam,
        querystring: RemoveQuery,
        response: { 200: Type.Ref('Cart'), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => carts.removeItem(userId(request.principal), request.params.productId, request.query.variantId),
  );

  app.delete(
    '/api/cart',
    {
      config: { permission: 'orders:write' },
      schema: {
        tags: ['cart'],
        operationId: 'emptyCart',
        summary: 'Empty my cart',
        security: requiresToken,
        response: { 204: Type.Null(), ...problemResponses(401, 403, 503) },
      },
    },
    async (request, reply) => {
      await carts.clear(userId(request.principal));
      return reply.status(204).send(null);
    },
  );
}
