import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { CacheConfig } from '@dema/contracts';
import type { HealingRedis } from './redis.ts';

export type CacheOutcome = 'hit' | 'stale' | 'miss' | 'bypass';

export type CacheObserver = (cache: string, outcome: CacheOutcome) => void;

export interface CacheOptions {
  /** Shared store and invalidation channel; absent → this process's memory only. */
  redis?: { commands: HealingRedis; subscriber: HealingRedis } | undefined;
  enabled: boolean;
  /** Every tag any config uses: after a Redis outage they are all bumped (see `onRedisReconnect`). */
  tags: string[];
  log: Logger;
  observe?: CacheObserver;
  /** Bytes of values held in this process. */
  memoryBytes?: number;
  /** The clock entries age by, in ms since the epoch (tests move it instead of sleeping); `Date.now` by default. */
  now?: () => number;
}

interface LocalEntry {
  value: string;
  storedAt: number;
  /** Local tag epochs when the value was loaded; any later bump makes the entry invalid. */
  epochs: number[];
  /** Invalidation-channel generation: a dropped subscription may have missed bumps. */
  generation: number;
}

// Every tag's version in one hash slot (`{cache-tags}`): an invalidation bumps all of its tags in
// one pipeline and a read takes all of its versions in one MGET, which a Redis Cluster allows only
// within a slot. The entries themselves spread over the cluster.
// Stryker disable next-line all: Redis transport (key names)
const tagKey = (tag: string) => `tag:{cache-tags}:${tag}`;

/**
 * The seed's caching strategy (`CacheConfig`): a value is fresh for `ttl` seconds; with
 * `staleWhileRevalidate` it is then served stale for up to another `ttl` while a single background
 * load refreshes it; invalidating a tag drops every entry under it on every instance.
 *
 * Two layers: this process's memory, and Redis shared by every instance. Each tag has a version
 * (a Redis counter, and a local epoch); an entry remembers the versions it was loaded under and is
 * dead once any moved. Versions are read before loading, so a write racing a load can never leave
 * the older value looking current. A write's own instance sees it on the very next read; others as
 * soon as the invalidation message arrives (the memory layer is used only while that subscription is
 * up). One load per key runs at a time in a process. Redis down or slow: values come from the
 * loader, never an error, and everything is re-versioned when Redis returns.
 */
export class Cache {
  private readonly local: LRUCache<string, LocalEntry>;
  // One per tag ever invalidated here, entry tags included (a catalog's product ids), and never
  // forgotten: a tag whose epoch went back to 0 would make an entry loaded before its bumps current.
  private readonly epochs = new Map<string, number>();
  private readonly inflight = new Map<string, { promise: Promise<string>; stamp: string }>();
  private generation = 0;
  // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
  private subscribed = false;
  /** Set while Redis was unreachable: its entries may predate writes made meanwhile. */
  private mustReversion = false;
  /** The next attempt at the re-versioning an invalidation that could not be sent owes the other instances. */
  private reversionRetry: NodeJS.Timeout | undefined;
  /** Tags invalidated while a send to Redis was in flight: they go in `nextSend`. */
  private readonly unsentTags = new Set<string>();
  private nextSend: Promise<void> | undefined;
  private lastSend: Promise<void> = Promise.resolve();
  /** keyPrefix does not apply to pub/sub channels, so the channel carries the prefix itself. */
  private readonly channel: string;
  // Stryker restore all
  private readonly now: () => number;

  constructor(private readonly options: CacheOptions) {
    this.now = options.now ?? Date.now;
    this.local = new LRUCache<string, LocalEntry>({
      maxSize: options.memoryBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (entry) => entry.value.length + 64,
    });
    // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
    const redis = options.redis;
    this.channel = `${redis?.commands.client.options.keyPrefix ?? ''}cache:invalidate`;
    if (redis) {
      redis.commands.onReady((reconnect) => {
        if (!reconnect) return;
        // Eagerly, so instances that never lost Redis stop serving what changed during the outage.
        this.owePeersReversion();
      });
      // A cluster node lost may take tag bumps its replica never received: re-version as after an outage.
      redis.commands.onNodeLost(() => {
        this.owePeersReversion();
      });
      redis.subscriber.client.on('message', (_channel: string, message: string) => this.onInvalidation(message));
      redis.subscriber.onReady(() => this.subscribe());
      redis.subscriber.client.on('close', () => this.setSubscribed(false));
      // Messages published while the cluster moves the subscription to another node are lost.
      redis.subscriber.onNodeLost(() => {
        this.setSubscribed(false);
        this.subscribe();
      });
    }
    // Stryker restore all
  }

  // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
  private subscribe(): void {
    const subscriber = this.options.redis!.subscriber;
    subscriber.client.subscribe(this.channel).then(
      () => this.setSubscribed(true),
      () => {
        this.setSubscribed(false);
        // A cluster may still be choosing the node to subscribe on; a single Redis resubscribes on ready.
        if (subscriber.isCluster && subscriber.client.status !== 'end') setTimeout(() => this.subscribe(), 1_000).unref();
      },
    );
  }
  // Stryker restore all

  /** Where values are kept right now, for /health/ready. */
  get state(): 'disabled' | 'memory' | 'redis' | 'redis-unavailable' {
    if (!this.options.enabled) return 'disabled';
    if (!this.options.redis) return 'memory';
    // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
    return this.options.redis.commands.isReady ? 'redis' : 'redis-unavailable';
    // Stryker restore all
  }

  /**
   * The value cached under `config.key` + `id`, loading it with `load` on a miss. `load` returns
   * the serialized value (already-encoded response bytes are what make a hit cheap).
   *
   * `entryTags` are this entry's own besides its config's (one product's, say), so that a change
   * to one thing drops the entries showing it and no others. They narrow, never replace: the
   * config's tags still drop the entry, and they are the ones re-versioned after an outage.
   */
  async get(config: CacheConfig & { name: string }, id: string, load: () => Promise<string>, entryTags: readonly string[] = []): Promise<string> {
    if (!this.options.enabled) return this.record(config.name, 'bypass', load());
    const key = `${config.key}:${id}`;
    const tags = [...(config.tags ?? []), ...entryTags];
    const now = this.now();

    const localEntry = this.localUsable() ? this.local.get(key) : undefined;
    if (localEntry && this.isCurrent(localEntry, tags)) {
      const age = now - localEntry.storedAt;
      if (age < config.ttl * 1000) return this.record(config.name, 'hit', localEntry.value);
      if (config.staleWhileRevalidate && age < config.ttl * 2000) {
        this.refreshInBackground(config, key, tags, load);
        return this.record(config.name, 'stale', localEntry.value);
      }
    }

    const before = this.stamp(tags);
    const shared = await this.readShared(key, tags);
    // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
    if (shared.entry) {
      const age = now - shared.entry.storedAt;
      const fresh = age < config.ttl * 1000;
      // The stale window is bounded here too, not only by the key's expiry in Redis: that runs on
      // Redis's clock from when the value was written, this on the cache's clock from when it was loaded.
      if (fresh || (config.staleWhileRevalidate && age < config.ttl * 2000)) {
        this.remember(key, shared.entry, tags, before);
        if (!fresh) this.refreshInBackground(config, key, tags, load);
        return this.record(config.name, fresh ? 'hit' : 'stale', shared.entry.value);
      }
    }
    // Stryker restore all
    return this.record(config.name, shared.usable || !this.options.redis ? 'miss' : 'bypass', this.loadOnce(config, key, tags, load, shared.versions));
  }

  /**
   * Drops every entry stored under any of `tags`, here at once and on other instances: when it
   * resolves, Redis has the new tag versions and the other instances have been told. Calls made
   * while a send to Redis is in flight go together in the next one (one INCR per distinct tag and
   * one PUBLISH for all of them), so a write per order does not cost Redis a round trip per order.
   */
  async invalidate(tags: string[]): Promise<void> {
    if (!this.options.enabled || tags.length === 0) return;
    for (const tag of tags) this.bumpLocal(tag);
    // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
    const redis = this.options.redis;
    if (!redis) return;
    if (!redis.commands.isReady) {
      this.owePeersReversion();
      return;
    }
    for (const tag of tags) this.unsentTags.add(tag);
    this.nextSend ??= this.lastSend.then(() => {
      const batch = [...this.unsentTags];
      this.unsentTags.clear();
      this.nextSend = undefined;
      return this.sendInvalidation(batch);
    });
    this.lastSend = this.nextSend;
    await this.nextSend;
  }

  private async sendInvalidation(tags: string[]): Promise<void> {
    const redis = this.options.redis!;
    try {
      const pipeline = redis.commands.client.pipeline();
      for (const tag of tags) pipeline.incr(tagKey(tag));
      pipeline.publish(this.channel, JSON.stringify(tags));
      await pipeline.exec();
    } catch (error) {
      this.options.log.warn({ err: error }, 'cache invalidation did not reach redis; re-versioning once it answers');
      this.owePeersReversion();
    }
  }

  /**
   * After Redis came back, a cluster node was lost, or an invalidation did not reach Redis (not
   * connected, or a cluster between masters), every instance may hold entries older than a change:
   * their memory layers leave an entry only on a message. Re-versions every tag (which publishes) as
   * soon as Redis takes commands, retrying until it does — not on this instance's next read, which
   * may never come.
   */
  private owePeersReversion(): void {
    this.mustReversion = true;
    if (this.reversionRetry) return;
    const commands = this.options.redis!.commands;
    const attempt = () => {
      this.reversionRetry = undefined;
      if (!this.mustReversion || commands.client.status === 'end') return;
      const retry = () => {
        this.reversionRetry ??= setTimeout(attempt, 500).unref();
      };
      if (!commands.isReady) return retry();
      this.reversionAll().catch((error: unknown) => {
        this.options.log.warn({ err: error }, 'cache re-versioning did not reach redis; retrying');
        retry();
      });
    };
    this.reversionRetry = setTimeout(attempt, 0).unref();
  }
  // Stryker restore all

  // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
  private async readShared(key: string, tags: string[]): Promise<{ usable: boolean; versions?: string[]; entry?: { value: string; storedAt: number } }> {
    const redis = this.options.redis;
    if (!redis?.commands.isReady) return { usable: false };
    try {
      if (this.mustReversion) await this.reversionAll();
      // Two reads, since the entry's slot is not the tags' (see `tagKey`). Versions only grow, so
      // when they equal the entry's the entry was current between the two reads.
      const client = redis.commands.client;
      const [raw, versions] = await Promise.all([client.get(key), tags.length > 0 ? client.mget(tags.map(tagKey)) : Promise.resolve([])]);
      const current = versions.map((v) => v ?? '0');
      if (!raw) return { usable: true, versions: current };
      const entry = decodeEntry(raw);
      if (!entry || entry.versions !== current.join(',')) return { usable: true, versions: current };
      return { usable: true, versions: current, entry };
    } catch (error) {
      this.options.log.debug({ err: error }, 'cache read from redis failed; loading directly');
      return { usable: false };
    }
  }
  // Stryker restore all

  private loadOnce(config: CacheConfig, key: string, tags: string[], load: () => Promise<string>, versions?: string[]): Promise<string> {
    // Versions are captured before loading: a write during the load bumps them, so the value is
    // born stale instead of masquerading as current. For the same reason a read only joins a load
    // that started under the versions it sees now, never one from before an invalidation.
    const stamp = this.stamp(tags);
    const running = this.inflight.get(key);
    if (running && running.stamp === stamp.id) return running.promise;
    const promise = (async () => {
      const value = await load();
      const storedAt = this.now();
      if (this.stamp(tags).id === stamp.id) this.local.set(key, { value, storedAt, epochs: stamp.epochs, generation: stamp.generation });
      // Stryker disable next-line all: Redis transport
      if (versions) await this.writeShared(config, key, value, storedAt, versions);
      return value;
    })().finally(() => {
      if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
    });
    this.inflight.set(key, { promise, stamp: stamp.id });
    return promise;
  }

  /** The local versions `tags` are at now; equal ids mean nothing was invalidated in between. */
  private stamp(tags: string[]): { epochs: number[]; generation: number; id: string } {
    const epochs = tags.map((tag) => this.epochs.get(tag) ?? 0);
    return { epochs, generation: this.generation, id: `${this.generation}:${epochs.join(',')}` };
  }

  private refreshInBackground(config: CacheConfig, key: string, tags: string[], load: () => Promise<string>): void {
    if (this.inflight.has(key)) return;
    void (async () => {
      const shared = await this.readShared(key, tags);
      await this.loadOnce(config, key, tags, load, shared.usable ? shared.versions : undefined);
    })().catch((error: unknown) => this.options.log.warn({ err: error, key }, 'background cache refresh failed'));
  }

  // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
  private async writeShared(config: CacheConfig, key: string, value: string, storedAt: number, versions: string[]): Promise<void> {
    const redis = this.options.redis;
    if (!redis?.commands.isReady) return;
    const keepFor = config.ttl * (config.staleWhileRevalidate ? 2 : 1);
    await redis.commands.client
      .set(key, encodeEntry(value, storedAt, versions.join(',')), 'PX', Math.round(keepFor * 1000))
      .catch((error: unknown) => this.options.log.debug({ err: error }, 'cache write to redis failed'));
  }
  // Stryker restore all

  // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
  /** Keeps a value read from Redis in memory, unless an invalidation arrived while it was read. */
  private remember(
    key: string,
    entry: { value: string; storedAt: number },
    tags: string[],
    before: { epochs: number[]; generation: number; id: string },
  ): void {
    if (!this.localUsable() || this.stamp(tags).id !== before.id) return;
    this.local.set(key, { value: entry.value, storedAt: entry.storedAt, epochs: before.epochs, generation: before.generation });
  }

  // Stryker restore all
  private isCurrent(entry: LocalEntry, tags: string[]): boolean {
    return entry.generation === this.generation && tags.every((tag, i) => entry.epochs[i] === (this.epochs.get(tag) ?? 0));
  }

  /** The memory layer is trustworthy alone, or with Redis while invalidations are being received. */
  private localUsable(): boolean {
    // Stryker disable next-line all: Redis transport (subscription state)
    return !this.options.redis || this.subscribed;
  }

  // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
  private setSubscribed(subscribed: boolean): void {
    if (subscribed !== this.subscribed) {
      // Either way the memory layer may have missed bumps: start it afresh.
      this.generation += 1;
      this.local.clear();
    }
    this.subscribed = subscribed;
  }

  private onInvalidation(message: string): void {
    try {
      const tags = JSON.parse(message) as unknown;
      if (Array.isArray(tags)) for (const tag of tags) if (typeof tag === 'string') this.bumpLocal(tag);
    } catch {
      this.options.log.warn({ message }, 'ignored a malformed cache invalidation message');
    }
  }
  // Stryker restore all

  private bumpLocal(tag: string): void {
    this.epochs.set(tag, (this.epochs.get(tag) ?? 0) + 1);
  }

  /** After an outage, writes made meanwhile could not bump the shared versions: bump them all now. */
  // Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
  private async reversionAll(): Promise<void> {
    const redis = this.options.redis!;
    const pipeline = redis.commands.client.pipeline();
    for (const tag of this.options.tags) pipeline.incr(tagKey(tag));
    pipeline.publish(this.channel, JSON.stringify(this.options.tags));
    await pipeline.exec();
    this.mustReversion = false;
  }
  // Stryker restore all

  private record<T>(cache: string, outcome: CacheOutcome, value: T): T {
    this.options.observe?.(cache, outcome);
    return value;
  }
}

// Stryker disable all: Redis transport, proven against a real Redis by test/cache.test.ts (npm run mutate runs embedded only)
function encodeEntry(value: string, storedAt: number, versions: string): string {
  return `${storedAt}|${versions}|${value}`;
}

function decodeEntry(raw: string): { value: string; storedAt: number; versions: string } | undefined {
  const first = raw.indexOf('|');
  const second = raw.indexOf('|', first + 1);
  if (first < 0 || second < 0) return undefined;
  const storedAt = Number(raw.slice(0, first));
  if (!Number.isFinite(storedAt)) return undefined;
  return { storedAt, versions: raw.slice(first + 1, second), value: raw.slice(second + 1) };
}
// Stryker restore all
