import { ErrorCode, type LoginBody, type SignupBody, type User } from '@dema/contracts';
import type { AuthStrategy } from './auth.ts';
import type { DemaClient } from './client.ts';
import { DemaApiError } from './errors.ts';

function strategyOf(client: DemaClient): AuthStrategy {
  if (!client.auth) throw new Error('This client has no auth strategy: create it with `auth: tokenAuth(…)` or `cookieAuth()`');
  return client.auth;
}

/** Signs in with email and password; the client's auth strategy keeps the session. Rejects with `DemaApiError` (401 INVALID_CREDENTIALS). */
export function login(client: DemaClient, body: LoginBody): Promise<User> {
  return strategyOf(client).login(client.transport, body);
}

/**
 * Asks for a customer account, then signs in with the same credentials. The API answers a signup
 * alike whether or not the email is registered; when the sign-in is then refused (the email had an
 * account with another password), this rejects with 401 `SIGNUP_CHECK_EMAIL`, whose detail tells the
 * person to check their inbox. Other refusals are `DemaApiError`s too (400 with `fieldErrors()`, 429).
 */
export async function signup(client: DemaClient, body: SignupBody): Promise<User> {
  const strategy = strategyOf(client);
  await strategy.signup(client.transport, body);
  try {
    return await strategy.login(client.transport, { email: body.email, password: body.password });
  } catch (error) {
    if (!(error instanceof DemaApiError && error.code === ErrorCode.INVALID_CREDENTIALS)) throw error;
    throw new DemaApiError(401, {
      type: 'about:blank',
      title: 'Check your email',
      status: 401,
      code: ErrorCode.SIGNUP_CHECK_EMAIL,
      detail: 'Check your email: if this address already has an account, we sent it a message with a link to sign in or reset the password.',
    });
  }
}

/** Ends the session on the server and forgets its credentials here (even when the server cannot be told). */
export function logout(client: DemaClient): Promise<void> {
  return strategyOf(client).logout(client.transport);
}
