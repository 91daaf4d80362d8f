import { createHash, randomBytes } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import {
  ErrorCode,
  permissions,
  principalCan,
  problemContentType,
  problemType,
  type Permission,
  type Problem,
  type TokenPair,
  type User,
} from '@dema/contracts';
import { DemaApiError, type DemaClient } from '@dema/client';
import { forwardingHeaders } from './api-proxy.ts';
import { serverApi } from './api-server.ts';

/**
 * The web app's side of the login sequence (a thin backend-for-frontend). The refresh token lives
 * only in an httpOnly, Secure, SameSite=Strict cookie limited to `/auth`, where no script can read
 * it and no other path receives it; the access token goes to the page, which keeps it in memory.
 */
export const refreshCookie = 'dema_refresh';
/** Not a secret: tells the page a session may exist, so anonymous visitors skip a refresh call. */
export const hintCookie = 'dema_signed_in';
/**
 * A random id of the browser, set beside the refresh cookie and never sent to the API: whoever
 * learns a refresh token (from a log, a proxy, the API's side) still lacks it, so the refresh grace
 * below shares a refresh's outcome only with the browser that made it.
 */
export const browserCookie = 'dema_browser';
const browserIdPattern = /^[A-Za-z0-9_-]{22,64}$/;
const refreshCookiePath = '/auth';
/** The User service's refresh-token lifetime (30 days); the cookie ends with it. */
const refreshMaxAge = 30 * 24 * 3600;

/** What the page receives after login, signup or refresh. */
export interface BrowserSession {
  user: User;
  accessToken: string;
  /** Seconds the access token is valid from now. */
  expiresIn: number;
  /** The seed's permission table evaluated for this user, for showing or hiding UI. */
  can: Record<Permission, boolean>;
}

/** The permission table (`principalCan`) applied to `user`: the page never re-derives it. */
export function capabilities(user: User): Record<Permission, boolean> {
  const principal = { kind: 'user', userId: user.id, role: user.role, sessionId: '' } as const;
  const entries = (Object.keys(permissions) as Permission[]).map((permission) => [permission, principalCan(principal, permission)]);
  return Object.fromEntries(entries) as Record<Permission, boolean>;
}

/** The id this browser was given (see `browserCookie`), if it sent a well-formed one. */
export function browserIdOf(request: NextRequest): string | null {
  const value = request.cookies.get(browserCookie)?.value;
  return value !== undefined && browserIdPattern.test(value) ? value : null;
}

/** This browser's id, or a new one for a browser that has none yet. */
export const browserIdFor = (request: NextRequest): string => browserIdOf(request) ?? randomBytes(24).toString('base64url');

/** A JSON success carrying the session, with the refresh cookie, the browser id and the hint set. */
export function sessionResponse(status: number, user: User, tokens: TokenPair, browserId: string): NextResponse {
  const body: BrowserSession = { user, accessToken: tokens.accessToken, expiresIn: tokens.expiresIn, can: capabilities(user) };
  const response = NextResponse.json(body, { status, headers: { 'cache-control': 'no-store' } });
  response.cookies.set(refreshCookie, tokens.refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: refreshCookiePath,
    maxAge: refreshMaxAge,
  });
  response.cookies.set(browserCookie, browserId, { httpOnly: true, secure: true, sameSite: 'strict', path: refreshCookiePath, maxAge: refreshMaxAge });
  response.cookies.set(hintCookie, '1', { httpOnly: false, secure: true, sameSite: 'lax', path: '/', maxAge: refreshMaxAge });
  return response;
}

/** Removes both cookies from the browser. */
export function clearSessionCookies(response: NextResponse): NextResponse {
  response.cookies.set(refreshCookie, '', { httpOnly: true, secure: true, sameSite: 'strict', path: refreshCookiePath, maxAge: 0 });
  response.cookies.set(browserCookie, '', { httpOnly: true, secure: true, sameSite: 'strict', path: refreshCookiePath, maxAge: 0 });
  response.cookies.set(hintCookie, '', { httpOnly: false, secure: true, sameSite: 'lax', path: '/', maxAge: 0 });
  return response;
}

/** A problem+json response in the API's shape, for failures the web app itself decides. */
export function problemResponse(status: number, code: string, title: string, detail: string): NextResponse {
  const problem: Problem = { type: problemType(code), title, status, code, detail };
  return NextResponse.json(problem, { status, headers: { 'content-type': problemContentType, 'cache-control': 'no-store' } });
}

/**
 * Whether a state-changing request comes from this site's own pages. The SameSite=Strict cookie
 * already keeps other sites' requests cookie-less; this also refuses them outright.
 */
export function isSameOrigin(request: NextRequest): boolean {
  const origin = request.headers.get('origin');
  if (origin === null) return request.headers.get('sec-fetch-site') !== 'cross-site';
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function crossOriginRefused(): NextResponse {
  return problemResponse(403, ErrorCode.FORBIDDEN, 'Forbidden', 'Sign-in requests are accepted from this site only.');
}

/** The API's client for a sign-in route answering `request` (its client address forwarded). */
export const bffApi = (request: NextRequest): DemaClient => serverApi(forwardingHeaders(request), 15_000);

/**
 * Relays a failed call of the API to the page as it was (status, problem, Retry-After); an API that
 * could not be reached is the web app's own 503.
 */
export function relayFailure(error: unknown): NextResponse {
  if (!(error instanceof DemaApiError) || error.status === 0) {
    return problemResponse(503, ErrorCode.UNAVAILABLE, 'Service Unavailable', 'The store is temporarily unavailable. Please try again in a moment.');
  }
  const problem: Problem = error.problem ?? { type: problemType(error.code), title: error.title, status: error.status, code: error.code };
  const response = NextResponse.json(problem, { status: error.status, headers: { 'content-type': problemContentType, 'cache-control': 'no-store' } });
  if (error.retryAfterSeconds !== undefined) response.headers.set('retry-after', String(error.retryAfterSeconds));
  return response;
}

export type RefreshOutcome = { ok: true; user: User; tokens: TokenPair } | { ok: false; error: DemaApiError };

// Two requests can present the same refresh token at nearly the same time (two tabs, a reload while
// a refresh is in flight). Each refresh token works once and reuse revokes the whole session, so
// the second must not reach the API: for a few seconds it shares the first one's outcome — if it
// comes from the same browser. Anyone else presenting that token goes to the API, which sees a
// reused token and ends the session, as it should for a stolen one.
const recentRefreshes = new Map<string, { at: number; browser: string; outcome: Promise<RefreshOutcome> }>();
const refreshGraceMs = 15_000;
const digestOf = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * Exchanges a refresh token for a new pair and the user it belongs to; at most once per token
 * and browser (`browserId`, see `browserCookie`) within the grace period.
 */
export function refreshSession(request: NextRequest, refreshToken: string, browserId: string): Promise<RefreshOutcome> {
  const now = Date.now();
  for (const [key, entry] of recentRefreshes) if (now - entry.at > refreshGraceMs) recentRefreshes.delete(key);
  const key = digestOf(refreshToken);
  const browser = digestOf(browserId);
  const known = recentRefreshes.get(key);
  if (known && known.browser === browser) return known.outcome;
  const outcome = (async (): Promise<RefreshOutcome> => {
    const api = bffApi(request);
    try {
      const tokens = await api.POST('/api/auth/refresh', { body: { refreshToken } });
      const user = await api.GET('/api/users/me', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
      return { ok: true, user, tokens };
    } catch (error) {
      return { ok: false, error: error instanceof DemaApiError ? error : DemaApiError.unreachable(error) };
    }
  })();
  // The first browser's refresh stays the one shared; another's attempt is answered, not remembered.
  if (!known) recentRefreshes.set(key, { at: now, browser, outcome });
  return outcome;
}
