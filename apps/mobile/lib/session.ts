import { useSyncExternalStore } from 'react';

/**
 * The signed-in shopper's access token, in memory. The sign-in screens set it (and keep it in the platform's secure
 * storage); the catalog, cart and checkout only read it.
 */
let accessToken: string | null = null;
const listeners = new Set<() => void>();

export const currentAccessToken = (): string | null => accessToken;

export function setAccessToken(token: string | null): void {
  accessToken = token;
  for (const listener of listeners) listener();
}

export function useSignedIn(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => accessToken !== null,
  );
}
