import type { Logger } from 'pino';
import type { HealingRedis } from '../cache/redis.ts';

/**
 * The seed's Session Store: which login sessions have ended before their access tokens expire
 * (logout, password change, a disabled user, refresh-token reuse). Every service consults it on each
 * authenticated request, so ending a session takes effect at once everywhere, not at token expiry.
 *
 * Entries live as long as an access token can (after that the token itself is dead). With Redis
 * they are shared by every instance; this process also remembers the ones it wrote, so a Redis
 * outage never forgets a logout made here.
 */
export class SessionStore {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly redis: HealingRedis | undefined,
    private readonly log: Logger,
  ) {}

  /** Ends the sessions `sids` for the next `ttlSeconds` (the longest an access token lives). */
  async revoke(sids: string[], ttlSeconds: number): Promise<void> {
    if (sids.length === 0) return;
    const until = Date.now() + ttlSeconds * 1000;
    for (const sid of sids) this.local.set(sid, until);
    this.prune();
    if (!this.redis?.isReady) {
      if (this.redis) this.log.warn({ sessions: sids.length }, 'session store: redis unreachable, revocation kept in this process only');
      return;
    }
    const pipeline = this.redis.client.pipeline();
    for (const sid of sids) pipeline.set(key(sid), '1', 'EX', ttlSeconds);
    await pipeline.exec();
  }

  async isRevoked(sid: string): Promise<boolean> {
    const until = this.local.get(sid);
    if (until !== undefined && until > Date.now()) return true;
    if (!this.redis?.isReady) return false;
    try {
      return (await this.redis.client.exists(key(sid))) === 1;
    } catch (error) {
      this.log.warn({ err: error }, 'session store: redis read failed, using what this process knows');
      return false;
    }
  }

  private prune(): void {
    if (this.local.size < 10_000) return;
    const now = Date.now();
    for (const [sid, until] of this.local) if (until <= now) this.local.delete(sid);
  }
}

const key = (sid: string) => `session:revoked:${sid}`;
