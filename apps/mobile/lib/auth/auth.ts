import { Platform } from 'react-native';
import { memoryTokenStore, tokenAuth } from '@dema/client';
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

/** Where this platform keeps a session: none on the web (an httpOnly cookie the app cannot read), the secure store elsewhere. */
export const tokenStore = Platform.OS === 'web' ? null : secureTokenStore();

/**
 * The client's auth strategy for this platform. On a device the tokens live in the secure store
 * (tokenAuth). On the web no token touches storage a script could read: the access token stays in
 * memory and the refresh token in an httpOnly cookie (cookieAuth).
 */
export function createAuth() {
  // TODO(cookieAuth): until the client's cookie strategy lands, the web keeps both tokens in memory only (signed out on reload).
  return tokenAuth({ store: tokenStore ?? memoryTokenStore(), onSessionEnded: notifySessionEnded });
}

/** Whether a session may exist to restore: on a device, tokens are stored; on the web only the API knows (the cookie is unreadable), so ask. */
export async function maySessionExist(): Promise<boolean> {
  return tokenStore ? (await tokenStore.get()) !== undefined : true;
}
