import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { DemaApiError, login, logout, signup, type DemaClient } from '@dema/client';
import type { LoginBody, SignupBody, User } from '@dema/contracts';
import { forgetShopper } from '../query.tsx';
import { onSessionEnded, type SessionHint } from './auth.ts';

/** Whether someone is signed in. `user` is null while their account is being read (or cannot be, offline). */
export type SessionState = { status: 'restoring' } | { status: 'signed-out' } | { status: 'signed-in'; user: User | null; userError: unknown };

export interface Session {
  state: SessionState;
  /** Signs in; rejects with the API's error (INVALID_CREDENTIALS, RATE_LIMITED, …). */
  signIn(credentials: LoginBody): Promise<User>;
  /** Creates a customer account and signs in; rejects with the API's error naming bad fields. */
  signUp(account: SignupBody): Promise<User>;
  /** Ends the session at the API (when reachable) and forgets it here in any case, with every cached answer of the signed-in user. */
  signOut(): Promise<void>;
  /** The account as the API answered a change of it. */
  replaceUser(user: User): void;
  /** Reads the account again (after a failure). */
  reloadUser(): void;
}

export const meQueryKey = ['session', 'me'] as const;
const SessionContext = createContext<Session | null>(null);

/**
 * Holds the session for the app: restores it at start, and notices when the client gives up on it.
 * `sessionHint` says whether there is one to restore (the platform's, from `platformAuth`). When only
 * the API can say (the web's cookie), the session stays `restoring` until the account is read: a
 * 401 is being signed out, a failure to reach the API leaves it signed in with the account unread.
 */
export function SessionProvider({ client, sessionHint, children }: { client: DemaClient; sessionHint: () => Promise<SessionHint>; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<'restoring' | 'asking' | 'signed-out' | 'signed-in'>('restoring');

  useEffect(() => {
    let current = true;
    sessionHint().then(
      (hint) => current && setPhase(hint === 'stored' ? 'signed-in' : hint === 'ask' ? 'asking' : 'signed-out'),
      () => current && setPhase('signed-out'),
    );
    return () => {
      current = false;
    };
  }, [sessionHint]);

  const forget = useCallback(() => {
    // Another user may sign in next on this device: nothing of this one's may show. The catalog is no
    // one's: it stays, also because a session found over when the store answers again (a 401 after an
    // offline start) would otherwise take the catalog kept for offline with it.
    forgetShopper(queryClient);
    setPhase('signed-out');
  }, [queryClient]);

  useEffect(() => onSessionEnded(forget), [forget]);

  const me = useQuery({
    queryKey: meQueryKey,
    queryFn: (): Promise<User> => client.GET('/api/users/me'),
    enabled: phase === 'signed-in' || phase === 'asking',
    // The client already retried what is worth retrying (429, 503) and refreshed on 401; the screen offers "Try again".
    retry: false,
  });
  const unauthenticated = me.error instanceof DemaApiError && me.error.status === 401;
  const answered = me.data !== undefined || me.error !== null;
  useEffect(() => {
    if (phase === 'asking' && answered) setPhase(unauthenticated ? 'signed-out' : 'signed-in');
    else if (phase === 'signed-in' && unauthenticated) forget();
  }, [phase, answered, unauthenticated, forget]);

  const adopt = useCallback(
    (user: User) => {
      queryClient.setQueryData(meQueryKey, user);
      setPhase('signed-in');
      return user;
    },
    [queryClient],
  );

  const session = useMemo<Session>(() => {
    const state: SessionState =
      phase === 'signed-in' ? { status: 'signed-in', user: me.data ?? null, userError: me.error } : { status: phase === 'asking' ? 'restoring' : phase };
    return {
      state,
      signIn: async (credentials) => adopt(await login(client, credentials)),
      signUp: async (account) => adopt(await signup(client, account)),
      signOut: async () => {
        try {
          await logout(client);
        } catch {
          // The API could not be told (offline): the tokens are gone from this device all the same, and the
          // refresh token, never sent again, lapses on the server.
        } finally {
          forget();
        }
      },
      replaceUser: (user) => queryClient.setQueryData(meQueryKey, user),
      reloadUser: () => void me.refetch(),
    };
  }, [phase, me.data, me.error, me.refetch, client, adopt, forget, queryClient]);

  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The app's session; only inside SessionProvider. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionProvider above it');
  return session;
}
