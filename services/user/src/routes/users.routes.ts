import { pipeline, Readable } from 'node:stream';
import Type from 'typebox';
import { stringify } from 'csv-stringify';
import { DeleteMe, IdParam, NoFields, UpdateMe, UpdateUser, UserQuery } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Identity } from '../identity.ts';

/** The columns of a user export, in order. */
const userCsvColumns = ['id', 'email', 'name', 'role', 'disabled', 'created_at'] as const;

/** The caller's own account, and the admin's user management (users:read / users:write). */
export async function userRoutes(app: DemaApp, identity: Identity): Promise<void> {
  app.get(
    '/api/users/me',
    {
      config: { authenticated: true },
      schema: {
        tags: ['users'],
        operationId: 'getMyAccount',
        summary: 'Your account',
        security: requiresToken,
        querystring: NoFields,
        response: { 200: Type.Ref('User'), ...problemResponses(401) },
      },
    },
    async (request) => identity.me(request.principal),
  );

  app.put(
    '/api/users/me',
    {
      bodyLimit: bodyLimits.small,
      config: { authenticated: true },
      schema: {
        tags: ['users'],
        operationId: 'updateMyAccount',
        summary: 'Change your name or password (needs the current one; ends your other sessions)',
        security: requiresToken,
        body: UpdateMe,
        response: { 200: Type.Ref('User'), ...problemResponses(400, 401, 422, 429) },
      },
    },
    async (request) => identity.updateMe(request.principal, request.body, request.ip),
  );

  app.delete(
    '/api/users/me',
    {
      bodyLimit: bodyLimits.small,
      config: { authenticated: true },
      schema: {
        tags: ['users'],
        operationId: 'deleteMyAccount',
        summary: 'Delete your account (needs your password): your personal data is erased and every session ends; your orders stay',
        security: requiresToken,
        body: DeleteMe,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      await identity.deleteMe(request.principal, request.body.password, request.ip);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/users',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['users'],
        operationId: 'listUsers',
        summary: 'List users, newest first; search by email',
        security: requiresToken,
        querystring: UserQuery,
        response: { 200: Type.Ref('UserPage'), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => identity.listUsers(request.query),
  );

  app.get(
    '/api/users/export',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['users'],
        operationId: 'exportUsers',
        summary: 'Export users as CSV',
        description: `Every account (customers and admins, \`role\` says which) whose email contains \`email\`, streamed; columns ${userCsvColumns.join(', ')}.`,
        security: requiresToken,
        // Omit drops additionalProperties: a misspelt filter must be a 400, not every account.
        querystring: Type.Omit(UserQuery, ['limit', 'offset', 'ids'], { additionalProperties: false }),
        response: {
          200: { description: 'CSV, a header row then one row per user', content: { 'text/csv': { schema: Type.String() } } },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const csv = stringify({ header: true, columns: [...userCsvColumns] });
      pipeline(Readable.from(identity.exportUsers(request.query.email)), csv, (error) => {
        if (error) request.log.error({ err: error }, 'user export failed midway');
      });
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="users.csv"').send(csv);
    },
  );

  app.get(
    '/api/users/:id',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['users'],
        operationId: 'getUser',
        summary: 'Get a user',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('User'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => identity.user(request.params.id),
  );

  app.put(
    '/api/users/:id',
    {
      bodyLimit: bodyLimits.small,
      config: { permission: 'users:write' },
      schema: {
        tags: ['users'],
        operationId: 'updateUser',
        summary: "Change a user's name, role or disabled state (a new role or disabling ends their sessions; never the last active admin's, 409)",
        security: requiresToken,
        params: IdParam,
        body: UpdateUser,
        response: { 200: Type.Ref('User'), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => identity.updateUser(request.params.id, request.body),
  );

  app.delete(
    '/api/users/:id',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['users'],
        operationId: 'disableUser',
        summary: 'Disable a user and end every session (their orders stay)',
        security: requiresToken,
        params: IdParam,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await identity.deleteUser(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
