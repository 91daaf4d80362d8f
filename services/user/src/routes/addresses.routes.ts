import Type from 'typebox';
import { CreateSavedAddress, IdParam, NoFields, UpdateSavedAddress } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { AddressBook } from '../address-book.ts';

const mine = { authenticated: true } as const;

/** The caller's own address book (any signed-in user). */
export async function addressRoutes(app: DemaApp, book: AddressBook): Promise<void> {
  app.get(
    '/api/users/me/addresses',
    {
      config: mine,
      schema: {
        tags: ['users'],
        operationId: 'listMyAddresses',
        summary: 'Your saved addresses',
        security: requiresToken,
        querystring: NoFields,
        response: { 200: Type.Ref('SavedAddressList'), ...problemResponses(401) },
      },
    },
    async (request) => book.list(request.principal),
  );

  app.post(
    '/api/users/me/addresses',
    {
      bodyLimit: bodyLimits.small,
      config: mine,
      schema: {
        tags: ['users'],
        operationId: 'addMyAddress',
        summary: 'Save an address',
        description: 'Checked against its country’s rules as checkout checks it (422 names the field). A new default takes the place of the one before.',
        security: requiresToken,
        body: CreateSavedAddress,
        response: { 201: Type.Ref('SavedAddress'), ...problemResponses(400, 401, 422) },
      },
    },
    async (request, reply) => {
      const saved = await book.add(request.principal, request.body);
      return reply.status(201).header('location', `/api/users/me/addresses/${saved.id}`).send(saved);
    },
  );

  // What a new address's Location names: one saved address, another customer's absent (404).
  app.get(
    '/api/users/me/addresses/:id',
    {
      config: mine,
      schema: {
        tags: ['users'],
        operationId: 'getMyAddress',
        summary: 'One of your saved addresses',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('SavedAddress'), ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => book.get(request.principal, request.params.id),
  );

  app.patch(
    '/api/users/me/addresses/:id',
    {
      bodyLimit: bodyLimits.small,
      config: mine,
      schema: {
        tags: ['users'],
        operationId: 'updateMyAddress',
        summary: 'Change a saved address, its label or whether it is a default',
        security: requiresToken,
        params: IdParam,
        body: UpdateSavedAddress,
        response: { 200: Type.Ref('SavedAddress'), ...problemResponses(400, 401, 404, 422) },
      },
    },
    async (request) => book.update(request.principal, request.params.id, request.body),
  );

  app.delete(
    '/api/users/me/addresses/:id',
    {
      config: mine,
      schema: {
        tags: ['users'],
        operationId: 'deleteMyAddress',
        summary: 'Delete a saved address',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await book.remove(request.principal, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
