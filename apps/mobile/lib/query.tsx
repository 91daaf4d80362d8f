import AsyncStorage from '@react-native-async-storage/async-storage';
import { createAsyncStoragePersister } from '@tanstack/query-async-storage-persister';
import { dehydrate, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { PersistQueryClientProvider } from '@tanstack/react-query-persist-client';
import { type ReactNode, useEffect } from 'react';
import { AppState, Platform } from 'react-native';
import { isOffline, isSignedOut } from './api.ts';

const day = 24 * 60 * 60 * 1000;
/** What is kept on the device: what the shopper browsed, so the last catalog stays readable offline. Never the cart. */
const persistedKeys = new Set(['catalog', 'categories', 'product']);
const isPersisted = (query: { queryKey: readonly unknown[] }) => persistedKeys.has(String(query.queryKey[0]));
const storageKey = 'dema-query-cache';

const dehydrateOptions = {
  // Kept while it has something to show: a refetch that failed (offline) leaves the query in error with
  // the answer it had, which is still what the shopper saw; dropping it would empty the kept catalog
  // the first time the app starts offline, so the next offline start would have nothing.
  shouldDehydrateQuery: (query: { queryKey: readonly unknown[]; state: { data: unknown } }) => isPersisted(query) && query.state.data !== undefined,
};
// Written at most once a second while the shopper browses…
const persister = createAsyncStoragePersister({ storage: AsyncStorage, key: storageKey });
// …and at once when the app is left (the page closed or reloaded, the app sent to the background):
// a write still waiting for its second would be lost with the page, and with it what was just seen.
const persisterNow = createAsyncStoragePersister({ storage: AsyncStorage, key: storageKey, throttleTime: 0 });

/**
 * Drops every cached answer that was the signed-in shopper's (cart, orders, account) and keeps the
 * shop's own (catalog, categories, products): the same for anyone, and what the app shows offline.
 */
export function forgetShopper(client: QueryClient): void {
  client.removeQueries({ predicate: (query) => !isPersisted(query) });
}

export function createQueryClient(options: { retry?: boolean } = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Cached pages show at once and offline; a fetch that fails keeps them on screen.
        networkMode: 'offlineFirst',
        gcTime: day,
        staleTime: 30_000,
        retry: options.retry === false ? false : (count, error) => !isOffline(error) && !isSignedOut(error) && count < 2,
      },
      mutations: { networkMode: 'always', retry: false },
    },
  });
}

/** Saves the kept queries at once whenever the app is left. */
function useSaveOnLeave(client: QueryClient, enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    const save = () => void persisterNow.persistClient({ buster: '', timestamp: Date.now(), clientState: dehydrate(client, dehydrateOptions) });
    if (Platform.OS === 'web') {
      // The page's last word: the storage write runs before it goes (the web's AsyncStorage is localStorage, synchronous).
      window.addEventListener('pagehide', save);
      return () => window.removeEventListener('pagehide', save);
    }
    const subscription = AppState.addEventListener('change', (state) => {
      if (state !== 'active') save();
    });
    return () => subscription.remove();
  }, [client, enabled]);
}

export function QueryProvider({ client, persist, children }: { client: QueryClient; persist: boolean; children: ReactNode }) {
  useSaveOnLeave(client, persist);
  if (!persist) return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  return (
    <PersistQueryClientProvider
      client={client}
      persistOptions={{ persister, maxAge: 7 * day, dehydrateOptions }}
      // What a previous start kept is shown at once but asked for again, however recent: a failure to
      // reach the store is what tells the screens to mark it as offline.
      onSuccess={() => void client.invalidateQueries({ predicate: isPersisted })}
    >
      {children}
    </PersistQueryClientProvider>
  );
}
