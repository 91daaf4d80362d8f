import Type from 'typebox';
import { CreatePromotion, IdParam, NoFields, PromotionListQuery, UpdatePromotion } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { CheckoutConfiguration } from '../checkout-configuration.ts';

const manage = { permission: 'checkout:manage' as const };

/** Promotion codes (admins: checkout:manage). */
export async function promotionRoutes(app: DemaApp, configuration: CheckoutConfiguration): Promise<void> {
  app.get(
    '/api/promotions',
    {
      config: manage,
      schema: {
        tags: ['promotions'],
        operationId: 'listPromotions',
        summary: 'List promotions',
        description: 'Newest first, with how often each was used.',
        security: requiresToken,
        querystring: PromotionListQuery,
        response: { 200: Type.Ref('PromotionPage'), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => configuration.listPromotions(request.query),
  );

  app.post(
    '/api/promotions',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['promotions'],
        operationId: 'createPromotion',
        summary: 'Create a promotion code',
        description:
          'A percentage off each line (`value: "10"`), a fixed amount off the order (`value: 5`), or free shipping (no value); optionally a ' +
          'minimum subtotal, start and end, a total and a per-customer usage limit. Codes are unique whatever their case: another is a 409.',
        security: requiresToken,
        body: CreatePromotion,
        response: { 201: Type.Ref('Promotion'), ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const promotion = await configuration.createPromotion(request.body);
      return reply.status(201).header('location', `/api/promotions/${promotion.id}`).send(promotion);
    },
  );

  app.get(
    '/api/promotions/:id',
    {
      config: manage,
      schema: {
        tags: ['promotions'],
        operationId: 'getPromotion',
        summary: 'Get a promotion',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('Promotion'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => configuration.promotion(request.params.id),
  );

  app.patch(
    '/api/promotions/:id',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['promotions'],
        operationId: 'updatePromotion',
        summary: 'Change a promotion',
        description:
          'What is sent replaces (`null` clears a date, a limit or the minimum); the result must still fit together (a value of its kind, an end after the start).',
        security: requiresToken,
        params: IdParam,
        body: UpdatePromotion,
        response: { 200: Type.Ref('Promotion'), ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => configuration.updatePromotion(request.params.id, request.body),
  );

  app.delete(
    '/api/promotions/:id',
    {
      config: manage,
      schema: {
        tags: ['promotions'],
        operationId: 'deletePromotion',
        summary: 'Delete a promotion',
        description: 'Orders that used it keep what they were charged; to stop a code being used while keeping its record, set `active: false`.',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await configuration.deletePromotion(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
