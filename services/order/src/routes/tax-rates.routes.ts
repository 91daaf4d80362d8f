import Type from 'typebox';
import { CreateTaxRate, IdParam, NoFields, UpdateTaxRate } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { CheckoutConfiguration } from '../checkout-configuration.ts';

const manage = { permission: 'checkout:manage' as const };

/** Tax rates per country and region (admins: checkout:manage). */
export async function taxRateRoutes(app: DemaApp, configuration: CheckoutConfiguration): Promise<void> {
  app.get(
    '/api/tax-rates',
    {
      config: manage,
      schema: {
        tags: ['tax'],
        operationId: 'listTaxRates',
        summary: 'List tax rates',
        description: 'By country, the whole-country rate before its regions.',
        security: requiresToken,
        querystring: NoFields,
        response: { 200: Type.Ref('TaxRateList'), ...problemResponses(401, 403) },
      },
    },
    async () => ({ items: await configuration.listTaxRates() }),
  );

  app.post(
    '/api/tax-rates',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['tax'],
        operationId: 'createTaxRate',
        summary: 'Create a tax rate',
        description:
          'For a whole country (no `region`) or one region of it (`region` without the country prefix: `CA`). An address is taxed at its ' +
          "region's rate, else its country's, else not at all. One rate per country and region: another is a 409.",
        security: requiresToken,
        body: CreateTaxRate,
        response: { 201: Type.Ref('TaxRate'), ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const rate = await configuration.createTaxRate(request.body);
      return reply.status(201).header('location', `/api/tax-rates/${rate.id}`).send(rate);
    },
  );

  // What a new rate's Location names.
  app.get(
    '/api/tax-rates/:id',
    {
      config: manage,
      schema: {
        tags: ['tax'],
        operationId: 'getTaxRate',
        summary: 'Get a tax rate',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('TaxRate'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => configuration.taxRate(request.params.id),
  );

  app.patch(
    '/api/tax-rates/:id',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['tax'],
        operationId: 'updateTaxRate',
        summary: 'Change a tax rate',
        description: '`region: null` makes it the whole-country rate.',
        security: requiresToken,
        params: IdParam,
        body: UpdateTaxRate,
        response: { 200: Type.Ref('TaxRate'), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => configuration.updateTaxRate(request.params.id, request.body),
  );

  app.delete(
    '/api/tax-rates/:id',
    {
      config: manage,
      schema: {
        tags: ['tax'],
        operationId: 'deleteTaxRate',
        summary: 'Delete a tax rate',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await configuration.deleteTaxRate(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
