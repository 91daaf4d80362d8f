import { Cluster, Redis, type ChainableCommander, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisSettings } from '../config.ts';
import { isRedisAuthFailure } from '../startup-errors.ts';

/** The seed's `redisConfig`, verbatim but for where host, port, password (and prefix) come from. */
export function redisConfig(settings: RedisSettings): RedisOptions {
  return {
    host: settings.host,
    port: settings.port,
    password: settings.password,
    db: 0,
    keyPrefix: settings.keyPrefix,
    maxRetriesPerRequest: 3,
    retryStrategy: (times: number) => {
      if (times > 3) return null;
      return Math.min(times * 100, 3000);
    },
  };
}

/** How long to wait, after the seed's retryStrategy gives up, before dialling Redis again. */
const healIntervalMs = 2_000;

/**
 * How long a write that must survive a failover waits for a replica to confirm it: long enough for
 * a healthy replica on the same network, short enough that a dead one costs a request little.
 */
const replicaAckMs = 250;

/** A connection to one Redis, or to a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

function connectRedis(settings: RedisSettings, options: Partial<RedisOptions>, name: string): RedisClient {
  // A stalled Redis must cost a request milliseconds, not hang it.
  const connection = { commandTimeout: 500, connectTimeout: 2_000, connectionName: name, ...options };
  const seed = redisConfig(settings);
  if (!settings.clusterNodes) return new Redis({ ...seed, ...connection, lazyConnect: true });
  return new Cluster(settings.clusterNodes, {
    keyPrefix: seed.keyPrefix,
    lazyConnect: true,
    // The seed's retry budget, for the cluster as a whole; each node's connection is the cluster's to redial.
    clusterRetryStrategy: seed.retryStrategy!,
    // While a replica takes over a dead master's slots, commands retry briefly instead of failing at once.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    slotsRefreshTimeout: 2_000,
    redisOptions: { password: seed.password, maxRetriesPerRequest: seed.maxRetriesPerRequest, ...connection },
  });
}

/**
 * A Redis connection with the seed's options that heals: the seed's retryStrategy stops after three
 * tries, which would leave the process without Redis for good; here a new attempt starts every few
 * seconds until Redis answers again. Callers check `isReady` and fall back when it is false.
 */
export class HealingRedis {
  readonly client: RedisClient;
  private closing = false;
  private healTimer: NodeJS.Timeout | undefined;
  private readonly readyListeners: Array<(reconnect: boolean) => void> = [];
  private everReady = false;
  private refusal: Error | undefined;
  private readonly nodeLostListeners: Array<() => void> = [];

  constructor(
    settings: RedisSettings,
    options: Partial<RedisOptions>,
    private readonly log: Logger,
    name: string,
  ) {
    this.client = connectRedis(settings, options, name);
    // A cluster stays ready while one node dies and its replica takes over: nothing else tells
    // callers that writes the dead master had not yet passed on may be gone.
    this.client.on('-node', (node: Redis) => {
      this.log.warn({ redis: name, node: `${node.options.host}:${node.options.port}` }, 'redis cluster node lost');
      for (const listener of this.nodeLostListeners) listener();
    });
    this.client.on('error', (error: Error) => {
      if (isRedisAuthFailure(error)) this.refusal ??= error;
      this.log.debug({ err: error, redis: name }, 'redis error');
    });
    // A cluster reports a refused password per node; its own error only says no node answered.
    this.client.on('node error', (error: Error) => {
      if (isRedisAuthFailure(error)) this.refusal ??= error;
    });
    this.client.on('ready', () => {
      const reconnect = this.everReady;
      this.everReady = true;
      this.log.info({ redis: name, reconnect }, 'redis ready');
      for (const listener of this.readyListeners) listener(reconnect);
    });
    this.client.on('end', () => {
      if (this.closing) return;
      this.log.warn({ redis: name }, 'redis unreachable; serving without it and retrying');
      this.scheduleHeal();
    });
  }

  get isReady(): boolean {
    return this.client.status === 'ready';
  }

  /** Called on every transition to ready; `reconnect` is false the first time. */
  onReady(listener: (reconnect: boolean) => void): void {
    this.readyListeners.push(listener);
  }

  /** Whether this is a Redis Cluster connection. */
  get isCluster(): boolean {
    return this.client instanceof Cluster;
  }

  /** Called when a cluster node goes away (never on a single Redis, which reports through `onReady`). */
  onNodeLost(listener: () => void): void {
    this.nodeLostListeners.push(listener);
  }

  /**
   * Runs the commands `build` queues, all on keys of one slot, and on a cluster then waits (WAIT)
   * until a replica holds them too, so that a master failing over right after does not lose them
   * (replication is otherwise asynchronous). A replica that does not confirm in time is logged, not
   * an error: the write stands on the master. Returns the replies of the commands `build` queued.
   */
  async execReplicated(build: (pipeline: ChainableCommander) => ChainableCommander): Promise<Array<[Error | null, unknown]>> {
    const pipeline = build(this.client.pipeline());
    if (!this.isCluster) return (await pipeline.exec()) ?? [];
    const results = (await pipeline.wait(1, replicaAckMs).exec()) ?? [];
    const [waitError, replicas] = results.pop() ?? [null, 0];
    if (waitError || replicas === 0)
      this.log.warn({ err: waitError ?? undefined }, 'redis cluster: no replica confirmed a write in time; it is on the master only');
    return results;
  }

  /**
   * On a cluster, waits (one WAIT per master, at once) until a replica of each master holds every
   * write sent to it so far: for many writes spread over the masters, one wait per master rather
   * than one per write, which would hold each master's connection a wait at a time. Meant for rare
   * writes that must not be lost (revocations): a master's wait is asked again up to `attempts`
   * times, for a replica slowed by a busy machine; one that still does not confirm is logged, not an
   * error, as in `execReplicated`.
   */
  async confirmReplicated(attempts = 4): Promise<void> {
    if (!(this.client instanceof Cluster)) return;
    const confirm = async (node: Redis): Promise<boolean> => {
      for (let attempt = 0; attempt < attempts; attempt++) if (((await node.call('WAIT', 1, replicaAckMs).catch(() => 0)) as number) > 0) return true;
      return false;
    };
    const confirmed = await Promise.all(this.client.nodes('master').map(confirm));
    if (confirmed.includes(false)) this.log.warn('redis cluster: no replica confirmed a write in time; it is on the master only');
  }

  /**
   * Connects, without failing when Redis is down at start: the process runs degraded and heals. It
   * fails when Redis refuses the password, which no retry mends (the operator has to).
   */
  async connect(): Promise<void> {
    await this.client.connect().catch(() => undefined);
    if (this.refusal) throw this.refusal;
  }

  private scheduleHeal(): void {
    clearTimeout(this.healTimer);
    this.healTimer = setTimeout(() => {
      if (this.closing || this.client.status !== 'end') return;
      this.client.connect().catch(() => undefined);
    }, healIntervalMs);
    this.healTimer.unref();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.healTimer);
    if (this.client.status === 'end') return;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** The two connections a cache runs on: one for commands, one held in subscriber mode for invalidations. */
export function cacheConnections(settings: RedisSettings, log: Logger, name: string): { commands: HealingRedis; subscriber: HealingRedis } {
  return {
    commands: new HealingRedis(settings, {}, log, `${name}:commands`),
    // The cache subscribes again on every ready itself. ioredis's own resubscribe leaves its promise
    // unhandled, so a connection that dropped again right after it came back ended the process.
    subscriber: new HealingRedis(settings, { autoResubscribe: false }, log, `${name}:subscriber`),
  };
}
