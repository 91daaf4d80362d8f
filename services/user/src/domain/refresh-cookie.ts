/**
 * The browser's refresh token as an httpOnly cookie (the cookie flow under `/api/auth/cookie`): no
 * script can read it, so a cross-site script that runs in the store's page cannot carry it away; the
 * page keeps only the short-lived access token, in memory.
 */

export const refreshCookieName = 'dema_refresh';

/**
 * The cookie goes only to the cookie flow's own routes (login, refresh, logout), never with the
 * other API requests, which authenticate with the bearer access token.
 */
export const refreshCookiePath = '/api/auth/cookie';

export interface RefreshCookieOptions {
  /** Whether the client reached the API over HTTPS: a cookie marked Secure would never come back over plain HTTP. */
  secure: boolean;
  /** How long the browser keeps it: the refresh token's own lifetime. */
  maxAgeSeconds: number;
}

/**
 * The Set-Cookie value that hands `token` to the browser. SameSite=Lax: a page of another site
 * cannot make the browser send it with a cross-site POST or DELETE (and the routes check Origin
 * too, for sites that count as the same site).
 */
export function refreshCookie(token: string, options: RefreshCookieOptions): string {
  return [
    `${refreshCookieName}=${token}`,
    `Max-Age=${options.maxAgeSeconds}`,
    `Path=${refreshCookiePath}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The Set-Cookie value that makes the browser forget the cookie (logout, a refused refresh). */
export function clearedRefreshCookie(options: Pick<RefreshCookieOptions, 'secure'>): string {
  return refreshCookie('', { ...options, maxAgeSeconds: 0 });
}

// The tokens the User service issues are base64url; anything else is not one of them.
const tokenPattern = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * The refresh token in a request's Cookie header, or undefined when there is none (or only a value
 * that cannot be a refresh token). Several cookies of that name (one set on another path by
 * something else) → the first, which RFC 6265 §5.4 orders as the one of the longest path.
 */
export function readRefreshCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== refreshCookieName) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return tokenPattern.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * Whether a request that carries the cookie may be acted on, by its Origin: none (a client other
 * than a browser, or a browser's same-origin navigation), the API's own origin, or one of the
 * configured origins exactly (DEMA_CORS_ORIGINS). Browsers send Origin on every POST and DELETE, so
 * a page of any other origin — another subdomain of the same site included, which SameSite=Lax lets
 * through — is refused before the cookie is used.
 */
export function originMayUseCookie(origin: string | undefined, allowed: ReadonlySet<string>, ownOrigin: string): boolean {
  if (origin === undefined) return true;
  return origin === ownOrigin || allowed.has(origin);
}
