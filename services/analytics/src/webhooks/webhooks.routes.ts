import Type from 'typebox';
import { CreateWebhookEndpoint, IdParam, NoFields, UpdateWebhookEndpoint, WebhookDeliveryParams, WebhookDeliveryQuery } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { WebhookEndpoints } from './webhook-endpoints.ts';

const manage = { permission: 'webhooks:manage' as const };
const signing =
  'Each delivery is a POST of `{ type, timestamp, data }` signed as Standard Webhooks specifies: `webhook-id` (the event id, the same on every retry), ' +
  '`webhook-timestamp` (seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the bytes of the secret after `whsec_`).';

/** Webhook endpoints and their delivery log (admins: webhooks:manage). */
export async function webhookRoutes(app: DemaApp, endpoints: WebhookEndpoints): Promise<void> {
  app.get(
    '/api/webhooks',
    {
      config: manage,
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhookEndpoints',
        summary: 'List webhook endpoints',
        description: 'Oldest first, without their secrets (GET one endpoint for its secret).',
        security: requiresToken,
        querystring: NoFields,
        response: { 200: Type.Ref('WebhookEndpointList'), ...problemResponses(401, 403) },
      },
    },
    async () => ({ items: await endpoints.list() }),
  );

  app.post(
    '/api/webhooks',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['webhooks'],
        operationId: 'createWebhookEndpoint',
        summary: 'Register a webhook endpoint',
        description:
          'Events that happen from now on are delivered to `url`. Without `secret`, one is generated (`whsec_` + base64). A URL whose host ' +
          'does not resolve, or resolves to a private, loopback or link-local address, is a 422 unless DEMA_WEBHOOKS_ALLOW_PRIVATE=true; ' +
          'so is a URL with a user name or password (receivers authenticate deliveries by their signature). ' +
          signing,
        security: requiresToken,
        body: CreateWebhookEndpoint,
        response: { 201: Type.Ref('WebhookEndpointWithSecret'), ...problemResponses(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const endpoint = await endpoints.create(request.body);
      return reply.status(201).header('location', `/api/webhooks/${endpoint.id}`).send(endpoint);
    },
  );

  app.get(
    '/api/webhooks/:id',
    {
      config: manage,
      schema: {
        tags: ['webhooks'],
        operationId: 'getWebhookEndpoint',
        summary: 'Read a webhook endpoint with its secret',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('WebhookEndpointWithSecret'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => endpoints.get(request.params.id),
  );

  app.patch(
    '/api/webhooks/:id',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['webhooks'],
        operationId: 'updateWebhookEndpoint',
        summary: 'Change a webhook endpoint',
        description:
          '`enabled: true` enables an endpoint that was disabled for failing: its `disabledReason` is cleared and its pending deliveries resume. ' +
          'A new `url` is checked as on creation.',
        security: requiresToken,
        params: IdParam,
        body: UpdateWebhookEndpoint,
        response: { 200: Type.Ref('WebhookEndpointWithSecret'), ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => endpoints.update(request.params.id, request.body),
  );

  app.delete(
    '/api/webhooks/:id',
    {
      config: manage,
      schema: {
        tags: ['webhooks'],
        operationId: 'deleteWebhookEndpoint',
        summary: 'Delete a webhook endpoint and its delivery log',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await endpoints.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/webhooks/:id/deliveries',
    {
      config: manage,
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: "An endpoint's delivery log",
        description:
          'Newest first: each event delivered to the endpoint, its status (pending while retried with exponential back-off, for a day by default; ' +
          'then failed) and every attempt with the response code.',
        security: requiresToken,
        params: IdParam,
        querystring: WebhookDeliveryQuery,
        response: { 200: Type.Ref('WebhookDeliveryList'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({ items: await endpoints.deliveries(request.params.id, request.query) }),
  );

  app.post(
    '/api/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      bodyLimit: bodyLimits.small,
      config: manage,
      schema: {
        tags: ['webhooks'],
        operationId: 'redeliverWebhook',
        summary: 'Send a delivery again',
        description:
          'Due at once, with the same `webhook-id`, and retried again if it fails. 409 when the endpoint is disabled. ' +
          'Takes no body, or an empty object: any field is a 400 naming it.',
        security: requiresToken,
        params: WebhookDeliveryParams,
        body: Type.Optional(NoFields),
        response: { 202: Type.Ref('WebhookDelivery'), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(202).send(await endpoints.redeliver(request.params.id, request.params.deliveryId)),
  );
}
