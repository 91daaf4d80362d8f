import { accessTokenTtl } from '@dema/contracts';
import type { Logger } from 'pino';
import type { HealingRedis } from '../cache/redis.ts';
import { unavailable } from '../http/errors.ts';

/**
 * The User DB's own record of ended sessions, which the session store falls back on when Redis
 * cannot answer: the User service's database in its own process, its `/internal/sessions` route
 * in any other.
 */
export interface SessionStateSource {
  /** Whether the session `sid` has ended. Throws when the record cannot be read. */
  isEnded(sid: string): Promise<boolean>;
  /** Sessions ended in the last `seconds`, each with the seconds an access token of it may still live. */
  endedWithin(seconds: number): Promise<Array<{ sid: string; ttlSeconds: number }>>;
}

/**
 * The seed's Session Store: which login sessions have ended before their access tokens expire
 * (logout, password change, a disabled user, refresh-token reuse, a promotion). Every service
 * consults it on each authenticated request, so ending a session takes effect at once everywhere,
 * not at token expiry.
 *
 * Entries live as long as an access token can (after that the token itself is dead). With Redis
 * they are shared by every instance; without Redis this process is the whole store. It never fails
 * open: when a configured Redis cannot answer, the User DB's session state does (see
 * `SessionStateSource`), and when neither can, the request gets a 503, not a pass. Revocations Redis missed are written again once it is back, and the process that hosts the
 * User service loads recent ones from its database at start (an embedded restart forgets none).
 */
export class SessionStore {
  /** Sessions this process knows have ended, until when. */
  private readonly local = new Map<string, number>();
  /** Revocations Redis has not stored yet: written again when it is back. */
  private readonly pending = new Set<string>();
  private source: SessionStateSource | undefined;
  /** The source is this process's own User DB, which it loads from at start and on every reconnect. */
  private authoritative = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: HealingRedis | undefined,
    private readonly log: Logger,
  ) {
    redis?.onReady(() => void this.reconnected());
    // A cluster master that died may take revocations along that its replica had not received.
    redis?.onNodeLost(() => void this.reconnected());
  }

  /**
   * Where the state of a session is read when Redis cannot answer. The User service sets its
   * database; it then also loads the sessions ended recently (the embedded store lives in memory,
   * and Redis may have lost them) and keeps them in Redis whenever it reconnects.
   */
  async useSource(source: SessionStateSource, options: { authoritative?: boolean } = {}): Promise<void> {
    this.source = source;
    if (!options.authoritative) return;
    this.authoritative = true;
    await this.load();
    await this.flush();
  }

  /** Ends the sessions `sids` for the next `ttlSeconds` (the longest an access token lives). */
  async revoke(sids: string[], ttlSeconds: number): Promise<void> {
    if (sids.length === 0) return;
    const until = Date.now() + ttlSeconds * 1000;
    for (const sid of sids) this.remember(sid, until);
    this.prune();
    if (!this.redis) return;
    for (const sid of sids) this.pending.add(sid);
    if (!this.redis.isReady) {
      this.log.warn({ sessions: sids.length }, 'session store: redis unreachable, revocation kept to write when it is back');
      return;
    }
    await this.flush();
  }

  /**
   * Whether the session `sid` has ended. Answers from this process's own knowledge, then Redis, then
   * the User DB; throws a 503 when none of them can answer, because "not revoked" is not a safe guess.
   */
  async isRevoked(sid: string): Promise<boolean> {
    const until = this.local.get(sid);
    if (until !== undefined && until > Date.now()) return true;
    // Without Redis this process is the store: the User service's own (which loaded what ended before it started).
    if (!this.redis) return false;
    if (this.redis.isReady) {
      try {
        return (await this.redis.client.exists(key(sid))) === 1;
      } catch (error) {
        this.log.warn({ err: error }, 'session store: redis read failed, asking the User DB');
      }
    }
    return this.fromSource(sid);
  }

  private async fromSource(sid: string): Promise<boolean> {
    if (!this.source) throw sessionsUnavailable();
    try {
      return await this.source.isEnded(sid);
    } catch (error) {
      this.log.error({ err: error }, 'session store: neither redis nor the User DB can tell whether a session has ended');
      throw sessionsUnavailable();
    }
  }

  /** Takes in the sessions ended within an access token's lifetime (start, and every Redis reconnect). */
  private async load(): Promise<void> {
    if (!this.source) return;
    const ended = await this.source.endedWithin(accessTokenTtl);
    const now = Date.now();
    for (const { sid, ttlSeconds } of ended) {
      this.remember(sid, now + ttlSeconds * 1000);
      if (this.redis) this.pending.add(sid);
    }
    if (ended.length > 0) this.log.info({ sessions: ended.length }, 'session store: loaded the sessions ended recently');
  }

  /** Redis may have lost entries or missed revocations made elsewhere meanwhile: write them again. */
  private async reconnected(): Promise<void> {
    if (this.authoritative)
      await this.load().catch((error: unknown) => this.log.warn({ err: error }, 'session store: could not read the ended sessions from the User DB'));
    await this.flush();
  }

  /**
   * Writes the pending revocations to Redis, each for the rest of its lifetime, and keeps those that
   * fail for the next reconnect. Runs one at a time; each run takes whatever is pending by then.
   */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  private async writePending(): Promise<void> {
    try {
      if (!this.redis?.isReady || this.pending.size === 0) return;
      const redis = this.redis;
      const now = Date.now();
      const writes: Array<Promise<void>> = [];
      // One write per session rather than one pipeline: on a Redis Cluster the keys live on different
      // nodes. Then one wait for the replicas per master, not per write (a wait holds the connection).
      for (const sid of this.pending) {
        const ttlMs = (this.local.get(sid) ?? 0) - now;
        if (ttlMs <= 0) {
          this.pending.delete(sid);
          continue;
        }
        writes.push(redis.client.set(key(sid), '1', 'PX', ttlMs).then(() => void this.pending.delete(sid)));
      }
      if (writes.length === 0) return;
      await Promise.allSettled(writes);
      await redis.confirmReplicated();
      if (this.pending.size > 0)
        this.log.warn({ sessions: this.pending.size }, 'session store: redis did not take every revocation; writing them again when it is back');
    } catch (error) {
      this.log.warn({ err: error, sessions: this.pending.size }, 'session store: writing revocations to redis failed; writing them again when it is back');
    }
  }

  private remember(sid: string, until: number): void {
    if ((this.local.get(sid) ?? 0) < until) this.local.set(sid, until);
  }

  private prune(): void {
    if (this.local.size < 10_000) return;
    const now = Date.now();
    for (const [sid, until] of this.local) if (until <= now) this.local.delete(sid);
  }
}

const key = (sid: string) => `session:revoked:${sid}`;

const sessionsUnavailable = () => unavailable('Sessions cannot be checked right now; try again shortly', 5);
