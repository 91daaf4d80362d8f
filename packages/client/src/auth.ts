import type { LoginBody, SignupBody, User } from '@dema/contracts';

/**
 * How an auth strategy reaches the API: the client's base URL, fetch and headers. `authorized` calls
 * go through the client's own pipeline (the strategy's token, refresh on 401); the others are sent
 * once, as they are. Rejects with a `DemaApiError`.
 */
export interface AuthTransport {
  send<T>(method: string, path: string, options?: { body?: unknown; authorized?: boolean }): Promise<T>;
}

/**
 * Where a client's credentials come from and how a session is started, renewed and ended. The
 * client asks `accessToken()` before each request and calls `refresh()` when one is answered 401.
 */
export interface AuthStrategy {
  /** `credentials` of every request (`'include'` when the session lives in a cookie). */
  readonly credentials?: RequestCredentials;
  /** The access token to send now; waits for a refresh in progress rather than sending a stale one. */
  accessToken(): Promise<string | undefined>;
  /**
   * After a 401 to a request sent with `sent`: makes sure a newer access token is there. Resolves
   * true when the request may be sent again, false when the session is over. One refresh at a time:
   * a caller arriving during a refresh shares it, and one whose token was already replaced refreshes nothing.
   */
  refresh(sent: string | undefined, transport: AuthTransport): Promise<boolean>;
  /** Signs in and keeps the session; resolves to the user. */
  login(transport: AuthTransport, body: LoginBody): Promise<User>;
  /** Asks for a customer account (answered alike for a registered email); `signup` of the client signs in next. */
  signup(transport: AuthTransport, body: SignupBody): Promise<void>;
  /**
   * Ends the session on the server and forgets it here. The credentials are forgotten even when the
   * server cannot be told; then it rejects with that failure (a 401, the session already over, is no failure).
   */
  logout(transport: AuthTransport): Promise<void>;
}

/**
 * The auth routes a strategy calls itself: they get no access token and no refresh on 401 (a wrong
 * password is 401 too, and refreshing for it would only spend the refresh token).
 */
export const sessionRoutes: ReadonlySet<string> = new Set([
  'POST /api/auth/login',
  'POST /api/auth/signup',
  'POST /api/auth/refresh',
  'POST /api/auth/cookie',
  'POST /api/auth/cookie/signup',
  'POST /api/auth/cookie/refresh',
]);
