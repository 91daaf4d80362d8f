import Type from 'typebox';
import { cacheConfigs, CreateProduct, IdParam, NoFields, ProductQuery, StockAdjustment, UpdateProduct } from '@dema/contracts';
import { ErrorCode } from '@dema/contracts';
import { bodyLimits, notFound, problemResponses, requiresToken, sendRepresentation, type DemaApp } from '@dema/platform';
import type { Catalog } from '../catalog.ts';

const notModified = Type.Null({ description: 'Not Modified: If-None-Match names the current answer (its ETag), which is not sent again' });

/** The seed's Product Service routes, plus stock adjustments. Reads are public; writes need products:write. */
export async function productRoutes(app: DemaApp, catalog: Catalog): Promise<void> {
  app.get(
    '/api/products',
    {
      schema: {
        tags: ['products'],
        operationId: 'listProducts',
        summary: 'List products',
        description: 'Paginated (limit ≤ 100), filtered by category (id or slug), price range, stock and text, sorted by price, name or newest.',
        querystring: ProductQuery,
        response: { 200: Type.Ref('ProductPage'), 304: notModified, ...problemResponses(400) },
      },
    },
    async (request, reply) => sendRepresentation(request, reply, await catalog.listProducts(request.query), cacheConfigs['product-list'].public),
  );

  app.get(
    '/api/products/:id',
    {
      schema: {
        tags: ['products'],
        operationId: 'getProduct',
        summary: 'Get a product',
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('Product'), 304: notModified, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const product = await catalog.productRepresentation(request.params.id);
      if (product === undefined) throw notFound(ErrorCode.PRODUCT_NOT_FOUND, `No product ${request.params.id}`);
      return sendRepresentation(request, reply, product, cacheConfigs['product-detail'].public);
    },
  );

  const write = { permission: 'products:write' as const };

  app.post(
    '/api/products',
    {
      config: write,
      schema: {
        tags: ['products'],
        operationId: 'createProduct',
        summary: 'Create a product',
        security: requiresToken,
        body: CreateProduct,
        response: { 201: Type.Ref('Product'), ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const product = await catalog.createProduct(request.body);
      return reply.status(201).header('location', `/api/products/${product.id}`).send(product);
    },
  );

  app.put(
    '/api/products/:id',
    {
      config: write,
      schema: {
        tags: ['products'],
        operationId: 'updateProduct',
        summary: 'Update a product',
        description: 'Fields present replace the current ones; `variants`, `images` and `specifications` are replaced whole.',
        security: requiresToken,
        params: IdParam,
        body: UpdateProduct,
        response: { 200: Type.Ref('Product'), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => catalog.updateProduct(request.params.id, request.body),
  );

  app.delete(
    '/api/products/:id',
    {
      config: write,
      schema: {
        tags: ['products'],
        operationId: 'deleteProduct',
        summary: 'Delete a product',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await catalog.deleteProduct(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/products/:id/stock-adjustments',
    {
      bodyLimit: bodyLimits.small,
      config: write,
      schema: {
        tags: ['products'],
        operationId: 'adjustStock',
        summary: 'Adjust stock (reason MANUAL)',
        description: 'Adds or removes units atomically; never below zero (409). Emits STOCK_UPDATED in the same transaction.',
        security: requiresToken,
        params: IdParam,
        body: StockAdjustment,
        response: { 200: Type.Ref('StockLevel'), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => catalog.adjustStock(request.params.id, request.body),
  );
}
