'use client';

import { useSyncExternalStore } from 'react';
import type { Permission, User } from '@dema/contracts';
import { createDemaClient, DemaApiError, login, logout, signup, type AuthStrategy, type DemaClient } from '@dema/client';
import type { BrowserSession } from './bff-session.ts';
import { uncachedFetch } from './uncached-fetch.ts';

/**
 * The browser's session: the access token in this module's memory only (never in storage, never
 * in a cookie a script can read), renewed through `/auth/refresh` — before a call when it is about
 * to expire, and once more when the API answers 401 (`bffAuth`, the client's auth strategy) — so
 * an expired token never shows. Tabs take turns refreshing (Web Locks), because each refresh token
 * works only once.
 */
export type SessionState = { status: 'loading' } | { status: 'anonymous' } | { status: 'signed-in'; user: User; can: Record<Permission, boolean> };

const loading: SessionState = { status: 'loading' };
let state: SessionState = loading;
let token: { value: string; expiresAt: number } | null = null;
const listeners = new Set<() => void>();
// Renew this long before expiry, so a request never leaves with a token about to lapse in flight.
const renewMarginMs = 30_000;

function publish(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

function adopt(session: BrowserSession): User {
  token = { value: session.accessToken, expiresAt: Date.now() + session.expiresIn * 1000 };
  publish({ status: 'signed-in', user: session.user, can: session.can });
  return session.user;
}

function forget(): void {
  token = null;
  publish({ status: 'anonymous' });
}

/** The current session, re-rendering on sign-in, sign-out and renewal. */
export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
    () => loading,
  );
}

/** The current session outside React. */
export const currentSession = (): SessionState => state;

const hasSessionHint = (): boolean => document.cookie.split('; ').some((c) => c === 'dema_signed_in=1');

let started = false;
/** Learns whether the visitor is signed in (once per page load). */
export function startSession(): void {
  if (started) return;
  started = true;
  if (!hasSessionHint()) {
    forget();
    return;
  }
  void renewSession();
}

async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('dema-session-refresh', work) : work();
}

let renewal: Promise<boolean> | null = null;
/**
 * Trades the refresh cookie for a new access token; false when there is no session any more or the
 * web app could not be reached. Single-flight in this tab (callers share the refresh under way) and
 * across tabs (the Web Lock), because each refresh token works only once.
 */
function renewSession(): Promise<boolean> {
  renewal ??= withRefreshLock(async () => {
    try {
      adopt(await api.transport.send<BrowserSession>('POST', '/auth/refresh'));
      return true;
    } catch (error) {
      if (error instanceof DemaApiError && (error.status === 401 || error.status === 403)) {
        forget();
        return false;
      }
      // The API is down: keep whatever we had; the caller sees its own request fail clearly.
      if (state.status === 'loading') publish({ status: 'anonymous' });
      return false;
    }
  }).finally(() => {
    renewal = null;
  });
  return renewal;
}

/**
 * The backend-for-frontend session as an `AuthStrategy` of `@dema/client`: sign-in, sign-up,
 * refresh and logout go to the web app's own `/auth/*` routes (which keep the refresh token in their
 * httpOnly cookie), the access token stays in this module's memory.
 */
const bffAuth: AuthStrategy = {
  credentials: 'same-origin',
  /** A valid access token, renewed first when it is about to expire; none when signed out. */
  async accessToken() {
    // A refresh under way replaces the token: wait for it rather than send the one it replaces.
    if (renewal) await renewal;
    if (token && token.expiresAt - renewMarginMs > Date.now()) return token.value;
    if (state.status === 'anonymous') return undefined;
    await renewSession();
    return token?.value;
  },
  /** The token may have been revoked or lapsed between the check and the API: renew once (unless another call already did). */
  async refresh(sent) {
    if (sent === undefined) return false;
    if (token && token.value !== sent) return true;
    return (await renewSession()) && token !== null;
  },
  login: async (transport, body) => adopt(await transport.send<BrowserSession>('POST', '/auth/login', { body })),
  signup: async (transport, body) => void (await transport.send('POST', '/auth/signup', { body })),
  async logout(transport) {
    try {
      // Authorized, so the route can end the session at the API with this tab's access token.
      await transport.send('POST', '/auth/logout', { authorized: true });
    } finally {
      forget();
    }
  },
};

/**
 * The browser's one client of the API: same-origin (`/api/*` goes through the web app's proxy, so
 * the browser needs no CORS and never learns the API's address), signed in as the session's user.
 * Not retried on 429/503: the page says at once what failed and how long to wait (`describeFailure`)
 * rather than keep a spinner for the seconds a Retry-After asks.
 */
export const api: DemaClient = createDemaClient({ baseUrl: globalThis.location?.origin ?? '', auth: bffAuth, retry: false, fetch: uncachedFetch() });

/** Signs in; rejects with a DemaApiError (INVALID_CREDENTIALS, RATE_LIMITED, …) on failure. */
export const signIn = (email: string, password: string): Promise<User> => login(api, { email, password });

/** Creates a customer account and signs in; rejects with a DemaApiError naming bad fields on failure. */
export const signUp = (name: string, email: string, password: string): Promise<User> => signup(api, { name, email, password });

/** Ends the session everywhere it counts: at the API and in this browser. */
export const signOut = (): Promise<void> => logout(api);
