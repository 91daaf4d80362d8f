import { createDemaClient } from '@dema/client';
import { apiBaseUrl } from '../config.ts';
import { platformAuth } from './auth.ts';

/** This platform's auth: the secure store on a device, the API's httpOnly cookie on the web. */
export const appAuth = platformAuth();

/** The app's one typed client of the API, signed in through this platform's auth strategy. */
export const demaClient = createDemaClient({ baseUrl: apiBaseUrl, auth: appAuth.auth });
