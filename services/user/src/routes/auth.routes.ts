import Type from 'typebox';
import { LoginBody, RefreshBody, SignupBody } from '@dema/contracts';
import { bodyLimits, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { Identity } from '../identity.ts';
import type { KeyRing } from '../keys.ts';

const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) });

/** The seed's Authentication Flow: signup, login, refresh, logout, and the public keys. */
export async function authRoutes(app: DemaApp, identity: Identity, keys: KeyRing): Promise<void> {
  // "  Ann@Example.com " is an address typed with stray spaces, not an invalid one.
  const trimEmail = async (request: { body: unknown }) => {
    const body = request.body as { email?: unknown } | null;
    if (body && typeof body.email === 'string') body.email = body.email.trim();
  };

  app.post(
    '/api/auth/signup',
    {
      bodyLimit: bodyLimits.small,
      preValidation: trimEmail,
      schema: {
        tags: ['auth'],
        operationId: 'signup',
        summary: 'Create a customer account and sign in',
        body: SignupBody,
        response: { 201: Type.Ref('Session'), ...problemResponses(400, 409, 429) },
      },
    },
    async (request, reply) => reply.status(201).send(await identity.signup(request.body, request.ip)),
  );

  app.post(
    '/api/auth/login',
    {
      bodyLimit: bodyLimits.small,
      preValidation: trimEmail,
      schema: {
        tags: ['auth'],
        operationId: 'login',
        summary: 'Sign in: an access token (15 min) and a refresh token',
        body: LoginBody,
        response: { 200: Type.Ref('Session'), ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => identity.login(request.body.email, request.body.password, request.ip),
  );

  app.post(
    '/api/auth/refresh',
    {
      bodyLimit: bodyLimits.small,
      schema: {
        tags: ['auth'],
        operationId: 'refreshTokens',
        summary: 'Exchange a refresh token for a new pair (each refresh token works once)',
        body: RefreshBody,
        response: { 200: Type.Ref('TokenPair'), ...problemResponses(400, 401) },
      },
    },
    async (request) => identity.refresh(request.body.refreshToken),
  );

  app.post(
    '/api/auth/logout',
    {
      config: { authenticated: true },
      schema: {
        tags: ['auth'],
        operationId: 'logout',
        summary: 'End this session now',
        security: requiresToken,
        response: { 204: Type.Null(), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      await identity.logout(request.principal);
      return reply.status(204).send(null);
    },
  );

  const jwksRoutes = [
    { url: '/.well-known/jwks.json', operationId: 'getWellKnownJwks' },
    { url: '/api/auth/jwks.json', operationId: 'getJwks' },
  ];
  for (const { url, operationId } of jwksRoutes) {
    app.get(
      url,
      { schema: { tags: ['auth'], operationId, summary: 'Public keys that verify access tokens (JWKS)', response: { 200: Jwks } } },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return keys.jwks();
      },
    );
  }
}
