import { createDemaClient } from '@dema/client';
import { apiBaseUrl } from '../config.ts';
import { createAuth } from './auth.ts';

/** The app's one typed client of the API, signed in through this platform's auth strategy. */
export const demaClient = createDemaClient({ baseUrl: apiBaseUrl, auth: createAuth() });
