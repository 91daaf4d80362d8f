import Type from 'typebox';
import { CreateShippingMethod, CreateShippingZone, IdParam, NoFields, UpdateShippingMethod, UpdateShippingZone } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { CheckoutConfiguration } from '../checkout-configuration.ts';

const manage = { permission: 'checkout:manage' as const };

/** Shipping zones and their methods (admins: checkout:manage). */
export async function shippingRoutes(app: DemaApp, configuration: CheckoutConfiguration): Promise<void> {
  app.get(
    '/api/shipping-zones',
    {
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'listShippingZones',
        summary: 'List shipping zones',
        description: 'By name.',
        security: requiresToken,
        querystring: NoFields,
        response: { 200: Type.Ref('ShippingZoneList'), ...problemResponses(401, 403) },
      },
    },
    async () => ({ items: await configuration.listZones() }),
  );

  app.post(
    '/api/shipping-zones',
    {
      bodyLimit: bodyLimits.medium,
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'createShippingZone',
        summary: 'Create a shipping zone',
        description: 'Countries (at least one) and, optionally, regions of them (`US-CA`): a country with regions listed is covered only there.',
        security: requiresToken,
        body: CreateShippingZone,
        response: { 201: Type.Ref('ShippingZone'), ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const zone = await configuration.createZone(request.body);
      return reply.status(201).header('location', `/api/shipping-zones/${zone.id}`).send(zone);
    },
  );

  app.get(
    '/api/shipping-zones/:id',
    {
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'getShippingZone',
        summary: 'Get a shipping zone',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('ShippingZone'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => configuration.zone(request.params.id),
  );

  app.patch(
    '/api/shipping-zones/:id',
    {
      bodyLimit: bodyLimits.medium,
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'updateShippingZone',
        summary: 'Change a shipping zone',
        description: 'What is sent replaces; `countries` and `regions` replace whole.',
        security: requiresToken,
        params: IdParam,
        body: UpdateShippingZone,
        response: { 200: Type.Ref('ShippingZone'), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => configuration.updateZone(request.params.id, request.body),
  );

  app.delete(
    '/api/shipping-zones/:id',
    {
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'deleteShippingZone',
        summary: 'Delete a shipping zone and its methods',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await configuration.deleteZone(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/shipping-zones/:id/methods',
    {
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'listShippingMethods',
        summary: "List a zone's shipping methods",
        description: 'In the order they were created, inactive ones included.',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('ShippingMethodList'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: await configuration.listMethods(request.params.id) }),
  );

  app.post(
    '/api/shipping-zones/:id/methods',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'createShippingMethod',
        summary: 'Add a shipping method to a zone',
        description: 'Priced flat, free above a subtotal (after discounts), or by weight (brackets ascending by `maxWeightGrams`).',
        security: requiresToken,
        params: IdParam,
        body: CreateShippingMethod,
        response: { 201: Type.Ref('ShippingMethod'), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const method = await configuration.createMethod(request.params.id, request.body);
      return reply.status(201).header('location', `/api/shipping-methods/${method.id}`).send(method);
    },
  );

  // What a new method's Location names.
  app.get(
    '/api/shipping-methods/:id',
    {
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'getShippingMethod',
        summary: 'Get a shipping method',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('ShippingMethod'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => configuration.method(request.params.id),
  );

  app.patch(
    '/api/shipping-methods/:id',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'updateShippingMethod',
        summary: 'Change a shipping method',
        description: 'What is sent replaces; `rate` replaces whole.',
        security: requiresToken,
        params: IdParam,
        body: UpdateShippingMethod,
        response: { 200: Type.Ref('ShippingMethod'), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => configuration.updateMethod(request.params.id, request.body),
  );

  app.delete(
    '/api/shipping-methods/:id',
    {
      config: manage,
      schema: {
        tags: ['shipping'],
        operationId: 'deleteShippingMethod',
        summary: 'Delete a shipping method',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await configuration.deleteMethod(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
