import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { useState } from 'react';
import { createHttpApi } from '../lib/api.ts';
import { ApiProvider } from '../lib/api-context.tsx';
import { apiBaseUrl } from '../lib/config.ts';
import { createQueryClient, QueryProvider } from '../lib/query.tsx';
import { currentAccessToken, useSignedIn } from '../lib/session.ts';

const api = createHttpApi({ baseUrl: apiBaseUrl, accessToken: currentAccessToken });

export default function RootLayout() {
  const [client] = useState(() => createQueryClient());
  const signedIn = useSignedIn();
  return (
    <ApiProvider value={{ api, signedIn }}>
      <QueryProvider client={client} persist>
        <StatusBar style="auto" />
        <Stack>
          <Stack.Screen name="(tabs)" options={{ headerShown: false }} />
          <Stack.Screen name="product/[id]" options={{ title: 'Product' }} />
          <Stack.Screen name="checkout" options={{ title: 'Checkout' }} />
        </Stack>
      </QueryProvider>
    </ApiProvider>
  );
}
