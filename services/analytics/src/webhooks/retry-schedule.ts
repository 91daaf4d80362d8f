/** The longest wait between two attempts: past a few hours, waiting longer only delays a recovered receiver. */
export const maxRetryDelayMs = 4 * 3_600_000;

/**
 * How long to wait after the `failedAttempts`-th failed attempt (1 for the first): `baseMs`, doubled
 * after each further failure, at most `maxRetryDelayMs`. With the default 5 s that is 5 s, 10 s,
 * 20 s … about 17 attempts in a day.
 */
export function retryDelayMs(failedAttempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, failedAttempts - 1), maxRetryDelayMs);
}
