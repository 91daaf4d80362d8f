'use client';

import { useSyncExternalStore } from 'react';
import type { Permission, User } from '@dema/contracts';
import { ApiError } from './problem.ts';

/**
 * The browser's session: the access token in this module's memory only (never in storage, never
 * in a cookie a script can read), renewed through `/auth/refresh` — before a call when it is about
 * to expire, and once more when the API answers 401 — so an expired token never shows. Tabs take
 * turns refreshing (Web Locks), because each refresh token works only once.
 */
export type SessionState = { status: 'loading' } | { status: 'anonymous' } | { status: 'signed-in'; user: User; can: Record<Permission, boolean> };

interface BrowserSession {
  user: User;
  accessToken: string;
  expiresIn: number;
  can: Record<Permission, boolean>;
}

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

function adopt(session: BrowserSession): void {
  token = { value: session.accessToken, expiresAt: Date.now() + session.expiresIn * 1000 };
  publish({ status: 'signed-in', user: session.user, can: session.can });
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
/** Trades the refresh cookie for a new access token; false when there is no session any more. */
export function renewSession(): Promise<boolean> {
  renewal ??= withRefreshLock(async () => {
    try {
      const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'same-origin' });
      if (response.ok) {
        adopt((await response.json()) as BrowserSession);
        return true;
      }
      if (response.status === 401 || response.status === 403) {
        forget();
        return false;
      }
      // The API is down: keep whatever we had; the caller sees its own request fail clearly.
      if (state.status === 'loading') publish({ status: 'anonymous' });
      return false;
    } catch {
      if (state.status === 'loading') publish({ status: 'anonymous' });
      return false;
    }
  }).finally(() => {
    renewal = null;
  });
  return renewal;
}

/** A valid access token, renewed first when it is about to expire; null when signed out. */
export async function accessToken(): Promise<string | null> {
  if (token && token.expiresAt - renewMarginMs > Date.now()) return token.value;
  if (state.status === 'anonymous') return null;
  await renewSession();
  return token?.value ?? null;
}

async function authenticate(path: '/auth/login' | '/auth/signup', body: unknown): Promise<User> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw ApiError.unreachable();
  }
  if (!response.ok) throw await ApiError.from(response);
  const session = (await response.json()) as BrowserSession;
  adopt(session);
  return session.user;
}

/** Signs in; throws an ApiError (INVALID_CREDENTIALS, RATE_LIMITED, …) on failure. */
export const signIn = (email: string, password: string): Promise<User> => authenticate('/auth/login', { email, password });

/** Creates a customer account and signs in; throws an ApiError naming bad fields on failure. */
export const signUp = (name: string, email: string, password: string): Promise<User> => authenticate('/auth/signup', { name, email, password });

/** Ends the session everywhere it counts: at the API and in this browser. */
export async function signOut(): Promise<void> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token.value}`;
  try {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers });
  } finally {
    forget();
  }
}

/** Options of `apiFetch`: `json` is sent as the body with the right content type. */
export interface ApiFetchInit extends Omit<RequestInit, 'body'> {
  json?: unknown;
}

/**
 * Calls the API (same-origin `/api/*`) as the signed-in user. Resolves to the parsed body (undefined
 * for 204); rejects with an ApiError carrying the problem the API sent.
 */
export async function apiFetch<T>(path: string, init: ApiFetchInit = {}): Promise<T> {
  const { json, headers: extra, ...rest } = init;
  const send = (bearer: string | null): Promise<Response> => {
    const headers = new Headers(extra);
    headers.set('accept', 'application/json');
    if (json !== undefined) headers.set('content-type', 'application/json');
    if (bearer) headers.set('authorization', `Bearer ${bearer}`);
    return fetch(path, { ...rest, headers, body: json === undefined ? null : JSON.stringify(json), cache: 'no-store' });
  };
  let response: Response;
  try {
    const bearer = await accessToken();
    response = await send(bearer);
    // The token may have been revoked or lapsed between the check and the API: renew once and retry.
    if (response.status === 401 && bearer && (await renewSession()) && token) response = await send(token.value);
  } catch {
    throw ApiError.unreachable();
  }
  if (!response.ok) throw await ApiError.from(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
