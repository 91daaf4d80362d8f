import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { type ReactNode, useState } from 'react';
import { createHttpApi } from '../lib/api.ts';
import { ApiProvider } from '../lib/api-context.tsx';
import { demaClient } from '../lib/auth/dema-client.ts';
import { SessionProvider, useSession } from '../lib/auth/session.tsx';
import { apiBaseUrl } from '../lib/config.ts';
import { createQueryClient, QueryProvider } from '../lib/query.tsx';

// The session's access token (kept by the typed client's auth strategy) for the calls not yet on the typed client.
const api = createHttpApi({ baseUrl: apiBaseUrl, accessToken: async () => (await demaClient.auth?.accessToken()) ?? null });

function SessionApi({ children }: { children: ReactNode }) {
  const signedIn = useSession().state.status === 'signed-in';
  return <ApiProvider value={{ api, signedIn }}>{children}</ApiProvider>;
}

export default function RootLayout() {
  const [client] = useState(() => createQueryClient());
  return (
    <QueryProvider client={client} persist>
      <SessionProvider client={demaClient}>
        <SessionApi>
          <StatusBar style="auto" />
          <Stack>
            <Stack.Screen name="(tabs)" options={{ headerShown: false }} />
            <Stack.Screen name="product/[id]" options={{ title: 'Product' }} />
            <Stack.Screen name="checkout" options={{ title: 'Checkout' }} />
            <Stack.Screen name="login" options={{ title: 'Sign in' }} />
            <Stack.Screen name="signup" options={{ title: 'Create account' }} />
            <Stack.Screen name="orders/[id]" options={{ title: 'Order' }} />
          </Stack>
        </SessionApi>
      </SessionProvider>
    </QueryProvider>
  );
}
