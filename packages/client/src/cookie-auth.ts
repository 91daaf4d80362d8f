import type { AccessToken, CookieSession, LoginBody, SignupBody, User } from '@dema/contracts';
import type { AuthStrategy, AuthTransport } from './auth.ts';
import { isRefusal, singleFlightRefresh } from './refresh.ts';

export interface CookieAuthOptions {
  /** Called once the session is over without a logout: the refresh cookie was refused (expired, revoked, already used). */
  onSessionEnded?: () => void;
}

/**
 * For browsers: the refresh token stays in the API's httpOnly cookie (`/api/auth/cookie`), out of
 * reach of any script; the access token is kept in memory only. Every request is sent with
 * `credentials: 'include'`. After a reload there is no access token yet: the first request answered
 * 401 refreshes through the cookie. Refresh is single-flight, as `tokenAuth`'s: one
 * `POST /api/auth/cookie/refresh` however many requests are answered 401 at once (a second one with
 * the rotated-away cookie would count as reuse and end the session).
 */
export function cookieAuth({ onSessionEnded }: CookieAuthOptions = {}): AuthStrategy {
  let access: string | undefined;

  const renew = async (sent: string | undefined, transport: AuthTransport): Promise<boolean> => {
    if (access !== undefined && access !== sent) return true;
    try {
      access = (await transport.send<AccessToken>('POST', '/api/auth/cookie/refresh', { body: {} })).accessToken;
      return true;
    } catch (error) {
      if (!isRefusal(error)) throw error;
      const hadSession = access !== undefined;
      access = undefined;
      if (hadSession) onSessionEnded?.();
      return false;
    }
  };
  const { refresh, settled } = singleFlightRefresh(renew);

  const keep = (session: CookieSession): User => {
    access = session.tokens.accessToken;
    return session.user;
  };

  return {
    credentials: 'include',
    async accessToken() {
      await settled();
      return access;
    },
    refresh,
    login: async (transport, body: LoginBody) => keep(await transport.send<CookieSession>('POST', '/api/auth/cookie', { body })),
    signup: async (transport, body: SignupBody) => void (await transport.send('POST', '/api/auth/cookie/signup', { body })),
    async logout(transport) {
      try {
        await transport.send('DELETE', '/api/auth/cookie');
      } finally {
        access = undefined;
      }
    },
  };
}
