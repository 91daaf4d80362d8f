import type { AuthTransport } from './auth.ts';
import { DemaApiError } from './errors.ts';

/** The refresh of a session, as one strategy makes it: resolves true when a newer access token is there, false when the session is over. */
export type Renew = (sent: string | undefined, transport: AuthTransport) => Promise<boolean>;

export interface SingleFlightRefresh {
  /** `AuthStrategy.refresh`: starts `renew` unless a refresh is under way, in which case the caller shares it. */
  refresh: Renew;
  /** Waits for the refresh under way, if any; its failure is left to the callers that share it. */
  settled(): Promise<void>;
}

/**
 * One refresh at a time, for both strategies: every 401 answered while a refresh is under way joins
 * it instead of spending the refresh token (or cookie) again, which the API would count as reuse.
 */
export function singleFlightRefresh(renew: Renew): SingleFlightRefresh {
  let refreshing: Promise<boolean> | undefined;
  return {
    refresh(sent, transport) {
      // Set before any await, so that every 401 arriving during the refresh joins this one.
      if (!refreshing) {
        const started = renew(sent, transport).finally(() => {
          if (refreshing === started) refreshing = undefined;
        });
        refreshing = started;
      }
      return refreshing;
    },
    async settled() {
      if (refreshing) await refreshing.catch(() => undefined);
    },
  };
}

/** The refresh token itself was refused (expired, revoked, already used), as opposed to the API failing to answer. */
export function isRefusal(error: unknown): error is DemaApiError {
  return error instanceof DemaApiError && (error.status === 400 || error.status === 401 || error.status === 403);
}
