/**
 * The only module of the web app that reads the environment. Read at request time (never inlined
 * at build time), so one production build serves any installation.
 */

/** Where the API (the gateway) answers: `DEMA_API_URL`, default the embedded `npm start` address. */
export function apiBaseUrl(): string {
  return (process.env.DEMA_API_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
}

/** The storefront's public origin for absolute links (sitemap, canonical URLs), if configured. */
export function publicWebUrl(): string | undefined {
  const url = process.env.DEMA_WEB_URL?.trim();
  return url ? url.replace(/\/+$/, '') : undefined;
}

/** The shop's name as shown in titles and the header. */
export function storeName(): string {
  return process.env.DEMA_STORE_NAME?.trim() || 'Dema Store';
}

/**
 * The largest body the API accepts (`DEMA_BODY_LIMIT`, as the API reads it; default 1 MiB): the
 * same-origin proxy refuses anything larger itself instead of reading it only to hear the API's 413.
 */
export function apiBodyLimit(): number {
  const value = Number(process.env.DEMA_BODY_LIMIT);
  return Number.isInteger(value) && value > 0 ? value : 1_048_576;
}

/**
 * The largest catalog file the API imports (`DEMA_IMPORT_BODY_LIMIT`, as the API reads it; default
 * 64 MiB): the one body the proxy takes past `apiBodyLimit`, passing it on as it arrives.
 */
export function importBodyLimit(): number {
  const value = Number(process.env.DEMA_IMPORT_BODY_LIMIT);
  return Number.isInteger(value) && value > 0 ? value : 64 * 1_048_576;
}

/**
 * Where the checkout's card form loads Stripe.js from (`DEMA_STRIPE_JS_URL`, default Stripe's own
 * https://js.stripe.com/v3/; the browser tests point it at the fake Stripe's stand-in).
 */
export function stripeJsUrl(): string {
  return process.env.DEMA_STRIPE_JS_URL?.trim() || 'https://js.stripe.com/v3/';
}
