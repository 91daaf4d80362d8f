import AsyncStorage from '@react-native-async-storage/async-storage';
import { createAsyncStoragePersister } from '@tanstack/query-async-storage-persister';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { PersistQueryClientProvider } from '@tanstack/react-query-persist-client';
import type { ReactNode } from 'react';
import { isOffline, isSignedOut } from './api.ts';

const day = 24 * 60 * 60 * 1000;
/** What is kept on the device: what the shopper browsed, so the last catalog stays readable offline. Never the cart. */
const persistedKeys = new Set(['catalog', 'categories', 'product']);
const isPersisted = (query: { queryKey: readonly unknown[] }) => persistedKeys.has(String(query.queryKey[0]));

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

export function QueryProvider({ client, persist, children }: { client: QueryClient; persist: boolean; children: ReactNode }) {
  if (!persist) return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  const persister = createAsyncStoragePersister({ storage: AsyncStorage, key: 'dema-query-cache' });
  return (
    <PersistQueryClientProvider
      client={client}
      persistOptions={{
        persister,
        maxAge: 7 * day,
        dehydrateOptions: { shouldDehydrateQuery: (query) => query.state.status === 'success' && isPersisted(query) },
      }}
      // What a previous start kept is shown at once but asked for again, however recent: a failure to
      // reach the store is what tells the screens to mark it as offline.
      onSuccess={() => void client.invalidateQueries({ predicate: isPersisted })}
    >
      {children}
    </PersistQueryClientProvider>
  );
}
