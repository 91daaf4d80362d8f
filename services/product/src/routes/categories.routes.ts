import Type from 'typebox';
import { CreateCategory, IdOrSlugParam, IdParam, NoFields, UpdateCategory } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Catalog } from '../catalog.ts';

/** Categories: public reads (with product counts), admin writes. */
export async function categoryRoutes(app: DemaApp, catalog: Catalog): Promise<void> {
  app.get(
    '/api/categories',
    {
      schema: {
        tags: ['categories'],
        operationId: 'listCategories',
        summary: 'List categories',
        querystring: NoFields,
        response: { 200: Type.Ref('CategoryList') },
      },
    },
    async () => ({
      items: await catalog.listCategories(),
    }),
  );

  app.get(
    '/api/categories/:id',
    {
      schema: {
        tags: ['categories'],
        operationId: 'getCategory',
        summary: 'Get a category by id or slug, with its product count',
        params: IdOrSlugParam,
        querystring: NoFields,
        response: { 200: Type.Ref('Category'), ...problemResponses(404) },
      },
    },
    async (request) => catalog.category(request.params.id),
  );

  const write = { permission: 'products:write' as const };

  app.post(
    '/api/categories',
    {
      bodyLimit: bodyLimits.medium,
      config: write,
      schema: {
        tags: ['categories'],
        operationId: 'createCategory',
        summary: 'Create a category',
        security: requiresToken,
        body: CreateCategory,
        response: { 201: Type.Ref('Category'), ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const category = await catalog.createCategory(request.body);
      return reply.status(201).header('location', `/api/categories/${category.id}`).send(category);
    },
  );

  app.put(
    '/api/categories/:id',
    {
      bodyLimit: bodyLimits.medium,
      config: write,
      schema: {
        tags: ['categories'],
        operationId: 'updateCategory',
        summary: 'Update a category',
        security: requiresToken,
        params: IdParam,
        body: UpdateCategory,
        response: { 200: Type.Ref('Category'), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => catalog.updateCategory(request.params.id, request.body),
  );

  app.delete(
    '/api/categories/:id',
    {
      config: write,
      schema: {
        tags: ['categories'],
        operationId: 'deleteCategory',
        summary: 'Delete an empty category (never the default one)',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await catalog.deleteCategory(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
