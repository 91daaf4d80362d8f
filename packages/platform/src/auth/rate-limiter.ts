import type { Logger } from 'pino';
import type { HealingRedis } from '../cache/redis.ts';

export interface RateLimitState {
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Seconds until the window ends. */
  resetSeconds: number;
}

// INCR and set the window's expiry on its first hit, atomically: a crash between the two can never
// leave a counter that lives forever.
const hitScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { count, ttl }`;

// Never below zero, and never on an expired window (a bare DECR would create a counter that never expires).
const releaseScript = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

/**
 * Fixed-window counters: login throttling now, the gateway's rate limits later. Shared by every
 * instance through Redis when it is configured; when Redis is away a counter in this process takes
 * over, so limits still hold (per instance) and nothing fails.
 */
export class RateLimiter {
  private readonly local = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly redis: HealingRedis | undefined,
    private readonly log: Logger,
  ) {}

  /** Counts one hit on `key` in a window of `windowSeconds`. */
  async hit(key: string, windowSeconds: number): Promise<RateLimitState> {
    if (this.redis?.isReady) {
      try {
        const [count, ttl] = (await this.redis.client.eval(hitScript, 1, `ratelimit:${key}`, windowSeconds * 1000)) as [number, number];
        return { count, resetSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
      } catch (error) {
        this.log.warn({ err: error }, 'rate limiter: redis failed, counting in this process');
      }
    }
    return this.hitLocally(key, windowSeconds);
  }

  /** Takes back one hit (an attempt that turned out not to count). */
  async release(key: string): Promise<void> {
    const entry = this.local.get(key);
    if (entry && entry.count > 0) entry.count -= 1;
    if (this.redis?.isReady) await this.redis.client.eval(releaseScript, 1, `ratelimit:${key}`).catch(() => undefined);
  }

  async reset(key: string): Promise<void> {
    this.local.delete(key);
    if (this.redis?.isReady) await this.redis.client.del(`ratelimit:${key}`).catch(() => undefined);
  }

  private hitLocally(key: string, windowSeconds: number): RateLimitState {
    const now = Date.now();
    let entry = this.local.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowSeconds * 1000 };
      this.local.set(key, entry);
      if (this.local.size > 100_000) for (const [k, e] of this.local) if (e.resetAt <= now) this.local.delete(k);
    }
    entry.count += 1;
    return { count: entry.count, resetSeconds: Math.ceil((entry.resetAt - now) / 1000) };
  }
}
