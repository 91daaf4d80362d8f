import Type from 'typebox';
import { IdParam, UpdateMe, UpdateUser, UserQuery } from '@dema/contracts';
import { bodyLimits, type DemaApp } from '@dema/platform';
import type { Identity } from '../identity.ts';

const problem = Type.Ref('Problem');
const security = [{ bearer: [] }];

/** The caller's own account, and the admin's user management (users:read / users:write). */
export async function userRoutes(app: DemaApp, identity: Identity): Promise<void> {
  app.get(
    '/api/users/me',
    { config: { authenticated: true }, schema: { tags: ['users'], summary: 'Your account', security, response: { 200: Type.Ref('User'), 401: problem } } },
    async (request) => identity.me(request.principal),
  );

  app.put(
    '/api/users/me',
    {
      bodyLimit: bodyLimits.small,
      config: { authenticated: true },
      schema: {
        tags: ['users'],
        summary: 'Change your name or password (needs the current one; ends your other sessions)',
        security,
        body: UpdateMe,
        response: { 200: Type.Ref('User'), 400: problem, 401: problem, 422: problem, 429: problem },
      },
    },
    async (request) => identity.updateMe(request.principal, request.body, request.ip),
  );

  app.get(
    '/api/users',
    {
      config: { permission: 'users:read' },
      schema: { tags: ['users'], summary: 'List users, newest first; search by email', security, querystring: UserQuery, response: { 200: Type.Ref('UserPage'), 400: problem, 401: problem, 403: problem } },
    },
    async (request) => identity.listUsers(request.query),
  );

  app.get(
    '/api/users/:id',
    {
      config: { permission: 'users:read' },
      schema: { tags: ['users'], summary: 'Get a user', security, params: IdParam, response: { 200: Type.Ref('User'), 400: problem, 401: problem, 403: problem, 404: problem } },
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
        summary: "Change a user's name, role or disabled state (a new role or disabling ends their sessions; never the last active admin's, 409)",
        security,
        params: IdParam,
        body: UpdateUser,
        response: { 200: Type.Ref('User'), 400: problem, 401: problem, 403: problem, 404: problem, 409: problem },
      },
    },
    async (request) => identity.updateUser(request.params.id, request.body),
  );

  app.delete(
    '/api/users/:id',
    {
      config: { permission: 'users:write' },
      schema: { tags: ['users'], summary: 'Disable a user and end every session (their orders stay)', security, params: IdParam, response: { 204: Type.Null(), 400: problem, 401: problem, 403: problem, 404: problem, 409: problem } },
    },
    async (request, reply) => {
      await identity.deleteUser(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
