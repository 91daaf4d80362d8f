import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { type ReactNode, useState } from 'react';
import { createClientApi } from '../lib/api.ts';
import { ApiProvider } from '../lib/api-context.tsx';
import { appAuth, demaClient } from '../lib/auth/dema-client.ts';
import { SessionProvider, useSession } from '../lib/auth/session.tsx';
import { createQueryClient, QueryProvider } from '../lib/query.tsx';

// One client for every screen: the session's auth strategy (secure store on devices, cookie on the web) signs the shop's calls too.
const api = createClientApi(demaClient);

function SessionApi({ children }: { children: ReactNode }) {
  const { status } = useSession().state;
  return <ApiProvider value={{ api, signedIn: status === 'signed-in', restoring: status === 'restoring' }}>{children}</ApiProvider>;
}

export default function RootLayout() {
  const [client] = useState(() => createQueryClient());
  return (
    <QueryProvider client={client} persist>
      <SessionProvider client={demaClient} sessionHint={appAuth.sessionHint}>
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
