import type { LoginBody, SignupBody, User } from '@dema/contracts';
import type { AuthStrategy } from './auth.ts';
import type { DemaClient } from './client.ts';

function strategyOf(client: DemaClient): AuthStrategy {
  if (!client.auth) throw new Error('This client has no auth strategy: create it with `auth: tokenAuth(…)` or `cookieAuth()`');
  return client.auth;
}

/** Signs in with email and password; the client's auth strategy keeps the session. Rejects with `DemaApiError` (401 INVALID_CREDENTIALS). */
export function login(client: DemaClient, body: LoginBody): Promise<User> {
  return strategyOf(client).login(client.transport, body);
}

/** Creates a customer account and signs it in. Rejects with `DemaApiError` (400 with `fieldErrors()`, 409 EMAIL_TAKEN). */
export function signup(client: DemaClient, body: SignupBody): Promise<User> {
  return strategyOf(client).signup(client.transport, body);
}

/** Ends the session on the server and forgets its credentials here (even when the server cannot be told). */
export function logout(client: DemaClient): Promise<void> {
  return strategyOf(client).logout(client.transport);
}
