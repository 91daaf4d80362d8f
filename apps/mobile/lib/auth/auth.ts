import { Platform } from 'react-native';
import { cookieAuth, tokenAuth, type AuthStrategy, type TokenStore } from '@dema/client';
import { secureTokenStore } from './secure-token-store.ts';

type Listener = () => void;
const endedListeners = new Set<Listener>();

/** Calls `listener` whenever the client gives up on the session (its refresh was refused): the app shows itself signed out. */
export function onSessionEnded(listener: Listener): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

/** Tells the app the session is over; the auth strategy calls it when its refresh is refused. */
export const notifySessionEnded = (): void => {
  for (const listener of endedListeners) listener();
};

/**
 * What the app knows at start about a session to restore: tokens are `stored` on this device, there
 * are `none`, or only the API can say (`ask`: on the web the session is an httpOnly cookie no script can read).
 */
export type SessionHint = 'stored' | 'none' | 'ask';

export interface PlatformAuth {
  /** The client's auth strategy. */
  auth: AuthStrategy;
  sessionHint(): Promise<SessionHint>;
}

/**
 * The auth of the platform `os` runs on. On a device the tokens live in the secure store
 * (tokenAuth, `store` being expo-secure-store unless a test gives another). On the web no token
 * touches storage a script could read: the access token stays in memory and the refresh token in the
 * API's httpOnly cookie at /api/auth/cookie (cookieAuth), so the API must list the app's origin in
 * DEMA_CORS_ORIGINS.
 */
export function platformAuth(os: typeof Platform.OS = Platform.OS, store?: TokenStore): PlatformAuth {
  if (os === 'web') return { auth: cookieAuth({ onSessionEnded: notifySessionEnded }), sessionHint: async () => 'ask' };
  const tokens = store ?? secureTokenStore();
  return {
    auth: tokenAuth({ store: tokens, onSessionEnded: notifySessionEnded }),
    sessionHint: async () => ((await tokens.get()) === undefined ? 'none' : 'stored'),
  };
}
