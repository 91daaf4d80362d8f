import { retryAfterSeconds } from './errors.ts';

/** How the client retries an answer of 429 (rate limited) or 503 (unavailable). */
export interface RetryOptions {
  /** Sends in all, the first included (default 3). */
  tries?: number;
  /** The longest wait before one retry, whatever Retry-After asks (default 5 000 ms). */
  maxDelayMs?: number;
  /** The wait when the answer has no Retry-After: this, doubled on each retry (default 500 ms). */
  baseDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const defaultRetry: RetryPolicy = { tries: 3, maxDelayMs: 5_000, baseDelayMs: 500 };

const retriedStatuses = new Set([429, 503]);
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * Whether `request` may be sent again after a 429 or 503: an idempotent method, or one carrying an
 * Idempotency-Key (the server answers a repeat with the first outcome instead of acting twice).
 */
export function mayRetry(request: Request): boolean {
  return idempotentMethods.has(request.method.toUpperCase()) || request.headers.has('idempotency-key');
}

/** The milliseconds to wait before try `attempt + 1` after `response`, or undefined when it is not to be retried. */
export function retryDelayMs(response: Response, attempt: number, policy: RetryPolicy, now = Date.now()): number | undefined {
  if (!retriedStatuses.has(response.status) || attempt >= policy.tries) return undefined;
  const asked = retryAfterSeconds(response.headers.get('retry-after'), now);
  const wanted = asked === undefined ? policy.baseDelayMs * 2 ** (attempt - 1) : asked * 1000;
  return Math.min(wanted, policy.maxDelayMs);
}
