import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import type { ReactNode } from 'react';
import { createClientApi } from '../lib/api.ts';
import { ApiProvider } from '../lib/api-context.tsx';
import { appAuth, demaClient } from '../lib/auth/dema-client.ts';
import { SessionProvider, useSession } from '../lib/auth/session.tsx';
import { createQueryClient, QueryProvider } from '../lib/query.tsx';

// One client for every screen: the session's auth strategy (secure store on devices, cookie on the web) signs the shop's calls too.
const api = createClientApi(demaClient);

// One cache for the app's whole run, outside the tree: on the web the browser's Back can rebuild the
// whole navigation tree, this layout included (expo-router 57, expo/expo#45588), and a client made in
// here would then start over from what was last written to storage, without what the screens just
// showed (offline, nothing could replace it).
const queryClient = createQueryClient();

function SessionApi({ children }: { children: ReactNode }) {
  const { status } = useSession().state;
  return <ApiProvider value={{ api, signedIn: status === 'signed-in', restoring: status === 'restoring' }}>{children}</ApiProvider>;
}

export default function RootLayout() {
  return (
    <QueryProvider client={queryClient} persist>
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
