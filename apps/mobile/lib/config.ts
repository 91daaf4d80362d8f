/**
 * The only file that reads the environment. Expo inlines `EXPO_PUBLIC_*` variables at bundle time, so the address
 * is fixed when the app is started (`EXPO_PUBLIC_DEMA_API_URL=http://192.168.1.20:3000 npm run mobile`) or built.
 */
export const apiBaseUrl: string = (process.env.EXPO_PUBLIC_DEMA_API_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
