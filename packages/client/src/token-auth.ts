import type { LoginBody, Session, SignupBody, TokenPair, User } from '@dema/contracts';
import type { AuthStrategy, AuthTransport } from './auth.ts';
import { DemaApiError } from './errors.ts';
import { isRefusal, singleFlightRefresh } from './refresh.ts';

/** A session's two tokens as a `TokenStore` keeps them. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * Where `tokenAuth` keeps the tokens. Asynchronous so that a platform's secure storage fits
 * (expo-secure-store on a phone); `memoryTokenStore()` keeps them for the life of the process.
 */
export interface TokenStore {
  get(): Promise<StoredTokens | undefined>;
  set(tokens: StoredTokens): Promise<void>;
  clear(): Promise<void>;
}

/** Tokens in memory only: gone when the process (or page) is. */
export function memoryTokenStore(initial?: StoredTokens): TokenStore {
  let tokens = initial;
  return {
    get: async () => tokens,
    set: async (next) => {
      tokens = { ...next };
    },
    clear: async () => {
      tokens = undefined;
    },
  };
}

export interface TokenAuthOptions {
  store: TokenStore;
  /** Called once the session is over without a logout: the refresh token was refused (expired, revoked, already used). */
  onSessionEnded?: () => void;
}

/**
 * Bearer tokens from `/api/auth/login`, renewed through `/api/auth/refresh`.
 * Refresh is single-flight: however many requests are answered 401 at once, one refresh is made, the
 * new pair (a rotated refresh token) stored, and each of them sent again once; requests that start
 * meanwhile wait for it. A refused refresh clears the store and calls `onSessionEnded`; one that
 * could not be made (API unreachable, 5xx) keeps the tokens and rejects the request with its error.
 */
export function tokenAuth({ store, onSessionEnded }: TokenAuthOptions): AuthStrategy {
  const renew = async (sent: string | undefined, transport: AuthTransport): Promise<boolean> => {
    const current = await store.get();
    if (!current) return false;
    // Another request's refresh replaced the token this one was sent with: just send it again.
    if (current.accessToken !== sent) return true;
    try {
      const pair = await transport.send<TokenPair>('POST', '/api/auth/refresh', { body: { refreshToken: current.refreshToken } });
      await store.set({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
      return true;
    } catch (error) {
      if (!isRefusal(error)) throw error;
      await store.clear();
      onSessionEnded?.();
      return false;
    }
  };
  const { refresh, settled } = singleFlightRefresh(renew);

  const keep = async (session: Session): Promise<User> => {
    await store.set({ accessToken: session.tokens.accessToken, refreshToken: session.tokens.refreshToken });
    return session.user;
  };

  return {
    async accessToken() {
      await settled();
      return (await store.get())?.accessToken;
    },
    refresh,
    login: async (transport, body: LoginBody) => keep(await transport.send<Session>('POST', '/api/auth/login', { body })),
    signup: async (transport, body: SignupBody) => void (await transport.send('POST', '/api/auth/signup', { body })),
    async logout(transport) {
      try {
        if (await store.get()) await transport.send('POST', '/api/auth/logout', { authorized: true });
      } catch (error) {
        if (!(error instanceof DemaApiError && error.status === 401)) throw error;
      } finally {
        await store.clear();
      }
    },
  };
}
