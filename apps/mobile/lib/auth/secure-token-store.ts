import * as SecureStore from 'expo-secure-store';
import type { StoredTokens, TokenStore } from '@dema/client';

const key = 'dema.session.tokens';
// Readable after the first unlock, so a refresh in the background still works; never leaves the device in backups.
const options: SecureStore.SecureStoreOptions = { keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY };

/**
 * The session's tokens in the platform's secure storage (iOS Keychain, Android Keystore), for the
 * client's `tokenAuth`. A value that cannot be read back (an older app's format) counts as no session.
 */
export function secureTokenStore(): TokenStore {
  return {
    async get() {
      const raw = await SecureStore.getItemAsync(key, options);
      if (raw === null) return undefined;
      try {
        return JSON.parse(raw) as StoredTokens;
      } catch {
        await SecureStore.deleteItemAsync(key, options);
        return undefined;
      }
    },
    async set(tokens: StoredTokens) {
      await SecureStore.setItemAsync(key, JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }), options);
    },
    async clear() {
      await SecureStore.deleteItemAsync(key, options);
    },
  };
}
