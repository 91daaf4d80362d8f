import { memoryTokenStore, type StoredTokens, tokenAuth } from '@dema/client';
import { useSyncExternalStore } from 'react';

/**
 * The shopper's session. The sign-in screens keep the tokens (in the platform's secure storage on a device); the
 * catalog, cart and checkout only ask whether someone is signed in.
 */
const store = memoryTokenStore();
let signedIn = false;
const listeners = new Set<() => void>();

function publish(next: boolean): void {
  signedIn = next;
  for (const listener of listeners) listener();
}

export const auth = tokenAuth({ store, onSessionEnded: () => publish(false) });

export async function keepSession(tokens: StoredTokens | null): Promise<void> {
  if (tokens) await store.set(tokens);
  else await store.clear();
  publish(tokens !== null);
}

export function useSignedIn(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => signedIn,
  );
}
