import Type from 'typebox';
import { ErrorCode, LoginBody, NoFields, RefreshBody, SignupBody } from '@dema/contracts';
import { bodyLimits, credentialsRefused, forbidden, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import { clearedRefreshCookie, originMayUseCookie, readRefreshCookie, refreshCookie, refreshCookieName } from '../domain/refresh-cookie.ts';
import { refreshTokenTtl, type Identity } from '../identity.ts';
import type { KeyRing } from '../keys.ts';

/** What the cookie routes read of a request: its headers, and how the client reached the API. */
type CookieRequest = { headers: { origin?: string; cookie?: string }; protocol: string; host: string };

// "  Ann@Example.com " is an address typed with stray spaces, not an invalid one.
export const trimEmail = async (request: { body: unknown }) => {
  const body = request.body as { email?: unknown } | null;
  if (body && typeof body.email === 'string') body.email = body.email.trim();
};

/** The one answer to every signup that passed validation, so it tells nobody whether the email was registered. */
const signupAccepted = {
  message: 'Sign in with this email and password next. If the email already had an account, nothing was created and its inbox has a message about it.',
};
const signupDescription =
  'Answers 202 alike for a new and an already-registered email. A new email gets the account (unverified; a verification link is emailed); a registered one gets nothing created and an "account exists" email with a reset link. Sign in next with the same credentials: a refusal means the email was taken, and its inbox says what to do.';

const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) });

/** The seed's Authentication Flow: signup, login, refresh, logout, and the public keys. */
export async function authRoutes(app: DemaApp, identity: Identity, keys: KeyRing): Promise<void> {
  app.post(
    '/api/auth/signup',
    {
      bodyLimit: bodyLimits.small,
      preValidation: trimEmail,
      schema: {
        tags: ['auth'],
        operationId: 'signup',
        summary: 'Ask for a customer account, then sign in with the same credentials',
        description: signupDescription,
        body: SignupBody,
        response: { 202: Type.Ref('Accepted'), ...problemResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await identity.signup(request.body, request.ip);
      return reply.status(202).send(signupAccepted);
    },
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
      bodyLimit: bodyLimits.small,
      config: { authenticated: true },
      schema: {
        tags: ['auth'],
        operationId: 'logout',
        summary: 'End this session now',
        description: 'Takes no body, or an empty object: any field is a 400 naming it.',
        security: requiresToken,
        body: Type.Optional(NoFields),
        response: { 204: Type.Null(), ...problemResponses(400, 401) },
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
      { schema: { tags: ['auth'], operationId, summary: 'Public keys that verify access tokens (JWKS)', querystring: NoFields, response: { 200: Jwks } } },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return keys.jwks();
      },
    );
  }
}

/**
 * The cookie flow for browsers: the same login, throttles and refresh-token rotation as above, but
 * the refresh token travels only in an httpOnly cookie (`refresh-cookie.ts`) and the body carries
 * the access token alone. Every route refuses a request whose Origin is neither the API's own nor
 * one of `origins` (DEMA_CORS_ORIGINS) with a 403, before the cookie is read.
 */
export async function cookieAuthRoutes(app: DemaApp, identity: Identity, origins: ReadonlySet<string>): Promise<void> {
  const checkOrigin = async (request: CookieRequest) => {
    const origin = request.headers.origin;
    if (!originMayUseCookie(origin, origins, `${request.protocol}://${request.host}`)) {
      throw forbidden(`Origin ${origin} may not use the session cookie (DEMA_CORS_ORIGINS)`);
    }
  };
  const cookieOptions = (request: CookieRequest) => ({ secure: request.protocol === 'https', maxAgeSeconds: refreshTokenTtl });
  const cookieSecurity = [{ refreshCookie: [] }];

  app.post(
    '/api/auth/cookie',
    {
      bodyLimit: bodyLimits.small,
      onRequest: checkOrigin,
      preValidation: trimEmail,
      schema: {
        tags: ['auth'],
        operationId: 'loginWithCookie',
        summary: 'Sign in from a browser: the access token in the body, the refresh token in an httpOnly cookie',
        security: [],
        body: LoginBody,
        response: { 200: Type.Ref('CookieSession'), ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { user, tokens } = await identity.login(request.body.email, request.body.password, request.ip);
      reply.header('set-cookie', refreshCookie(tokens.refreshToken, cookieOptions(request)));
      return { user, tokens: { accessToken: tokens.accessToken, tokenType: tokens.tokenType, expiresIn: tokens.expiresIn } };
    },
  );

  app.post(
    '/api/auth/cookie/signup',
    {
      bodyLimit: bodyLimits.small,
      onRequest: checkOrigin,
      preValidation: trimEmail,
      schema: {
        tags: ['auth'],
        operationId: 'signupWithCookie',
        summary: 'Ask for a customer account from a browser, then sign in with the cookie login',
        description: signupDescription,
        security: [],
        body: SignupBody,
        response: { 202: Type.Ref('Accepted'), ...problemResponses(400, 403, 429) },
      },
    },
    async (request, reply) => {
      await identity.signup(request.body, request.ip);
      return reply.status(202).send(signupAccepted);
    },
  );

  app.post(
    '/api/auth/cookie/refresh',
    {
      bodyLimit: bodyLimits.small,
      onRequest: checkOrigin,
      schema: {
        tags: ['auth'],
        operationId: 'refreshCookieSession',
        summary: 'A new access token for the refresh cookie, which is replaced (each cookie value works once)',
        description: 'The body is an empty JSON object: its content type makes a cross-origin call need a CORS preflight.',
        security: cookieSecurity,
        body: NoFields,
        response: { 200: Type.Ref('AccessToken'), ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const presented = readRefreshCookie(request.headers.cookie);
      // A cookie that no longer works is forgotten, so the page knows to show the login.
      reply.header('set-cookie', clearedRefreshCookie(cookieOptions(request)));
      if (presented === undefined) throw credentialsRefused(ErrorCode.INVALID_REFRESH_TOKEN, `No ${refreshCookieName} cookie: log in first`);
      const tokens = await identity.refresh(presented);
      reply.header('set-cookie', refreshCookie(tokens.refreshToken, cookieOptions(request)));
      return { accessToken: tokens.accessToken, tokenType: tokens.tokenType, expiresIn: tokens.expiresIn };
    },
  );

  app.delete(
    '/api/auth/cookie',
    {
      onRequest: checkOrigin,
      schema: {
        tags: ['auth'],
        operationId: 'logoutCookieSession',
        summary: 'Log out from a browser: the session of the refresh cookie ends now and the cookie is cleared',
        description: 'Answers 204 with or without a working cookie: afterwards this browser has no session either way.',
        security: cookieSecurity,
        response: { 204: Type.Null(), ...problemResponses(403, 429) },
      },
    },
    async (request, reply) => {
      const presented = readRefreshCookie(request.headers.cookie);
      if (presented !== undefined) await identity.endSessionOf(presented);
      return reply
        .status(204)
        .header('set-cookie', clearedRefreshCookie(cookieOptions(request)))
        .send(null);
    },
  );
}
