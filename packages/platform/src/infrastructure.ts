import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { cacheConfigs, eventConsumers } from '@dema/contracts';
import type { Logger } from 'pino';
import { databaseUrlVariable, type DemaConfig, type ServiceName } from './config.ts';
import { createLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import type { Db, ReplicaProbe } from './db/db.ts';
import { PgliteHost } from './db/pglite.ts';
import { PostgresDb } from './db/postgres.ts';
import { type HealingRedis, cacheConnections } from './cache/redis.ts';
import { Cache } from './cache/cache.ts';
import type { EventBus } from './bus/bus.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { RabbitMqBus } from './bus/rabbitmq-bus.ts';
import { DeadLetterRegistry } from './bus/dead-letters.ts';
import { OutboxRelay } from './bus/outbox.ts';
import type { CheckStatus, ReadinessCheck } from './http/health.ts';
import { SessionStore } from './auth/session-store.ts';
import { HttpSessionSource } from './auth/http-session-source.ts';
import { RateLimiter } from './auth/rate-limiter.ts';
import { amqpStartupError, postgresStartupError, redisStartupError } from './startup-errors.ts';

// Half of readiness's second, so a hanging replica reads as such rather than as a check that did not answer.
const replicaProbeMs = 500;

/** What readiness says of a read replica after each probe. */
const replicaCheck: Record<ReplicaProbe, { status: CheckStatus; detail: string }> = {
  answers: { status: 'up', detail: 'postgres replica' },
  unreachable: { status: 'degraded', detail: 'read replica unreachable: reads fall back to the primary' },
  slow: { status: 'degraded', detail: `read replica slow: no answer within ${replicaProbeMs} ms` },
};

/**
 * Everything a service runs on, chosen from configuration: PGlite or PostgreSQL per service,
 * in-memory or Redis cache, in-process bus or RabbitMQ. In the all-in-one process every service shares one
 * set (one PGlite instance, one Redis connection pair); a service started alone gets its own.
 */
export interface Infrastructure {
  readonly config: DemaConfig;
  /** The embedded database lives in memory only (tests): nothing is written to the data dir. */
  readonly inMemory: boolean;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly cache: Cache;
  /** Redis commands connection, when configured: for data that lives in Redis (carts). */
  readonly redis: HealingRedis | undefined;
  readonly bus: EventBus;
  /** Where events a consumer kept failing on wait: each service registers its outbox relay here. */
  readonly deadLetters: DeadLetterRegistry;
  /** The service's database, opened once (migrations are the service's to run). */
  database(service: ServiceName): Promise<Db>;
  /**
   * The relay of a service's outbox in `db`, publishing on this bus, counted in these metrics,
   * keeping published events as long as the configuration says, its dead letters registered here.
   */
  outboxRelay(db: Db, log: Logger): OutboxRelay;
  readiness(): ReadinessCheck[];
  /** The seed's Session Store: ended sessions, consulted on every authenticated request. */
  readonly sessions: SessionStore;
  /** Counters for throttling, shared through Redis when configured. */
  readonly limiter: RateLimiter;
  close(): Promise<void>;
}

export interface InfrastructureOptions {
  /** Process name in logs and metrics. */
  name: string;
  /** Keep the embedded database in memory instead of the data dir (tests). */
  inMemory?: boolean;
  log?: Logger;
}

export async function createInfrastructure(config: DemaConfig, options: InfrastructureOptions): Promise<Infrastructure> {
  const log = options.log ?? createLogger(config.logLevel, { name: options.name }, config.logFormat);
  const metrics = new Metrics();
  const databases = new Map<ServiceName, Promise<Db>>();
  let host: Promise<PgliteHost> | undefined;

  const redis = config.redis ? cacheConnections(config.redis, log, options.name) : undefined;
  const cache = new Cache({
    redis,
    enabled: config.cacheEnabled,
    tags: [...new Set(Object.values(cacheConfigs).flatMap((c) => c.tags ?? []))],
    log,
    observe: metrics.observeCache(),
  });
  // Redis or RabbitMQ down at start is not fatal (the cache serves from the database, events wait in
  // the outboxes until the broker answers); refused credentials are, as no retry would mend them.
  const closeRedis = async () => {
    if (redis) await Promise.all([redis.commands.close(), redis.subscriber.close()]);
  };
  if (redis) {
    await Promise.all([redis.commands.connect(), redis.subscriber.connect()]).catch(async (error: unknown) => {
      await closeRedis();
      throw redisStartupError(error, config.redis!) ?? error;
    });
  }
  const amqpUrl = config.amqpUrl;
  const rabbit = amqpUrl
    ? await RabbitMqBus.open(amqpUrl, log, {
        connectionName: options.name,
        namespace: config.amqpNamespace,
        expiresMs: config.amqpQueueExpiresMs,
        queueType: config.amqpQueueType,
        consumers: eventConsumers,
      }).catch(async (error: unknown) => {
        await closeRedis();
        throw amqpStartupError(error, amqpUrl) ?? error;
      })
    : undefined;
  const bus: EventBus = rabbit ?? new MemoryBus(log);
  const deadLetters = new DeadLetterRegistry();
  if (rabbit) deadLetters.add(rabbit);
  metrics.trackDeadLetters(() => deadLetters.all);

  const openHost = async () => {
    if (options.inMemory) return PgliteHost.open();
    const dir = path.join(config.dataDir, 'pgdata');
    await mkdir(dir, { recursive: true });
    log.info({ dir }, 'opening the embedded database');
    return PgliteHost.open(dir);
  };

  const open = async (service: ServiceName): Promise<Db> => {
    const url = config.databaseUrls[service];
    const observe = metrics.observeQuery(service);
    let db: Db;
    if (url) {
      const readUrl = config.databaseReadUrls[service];
      const replica = readUrl && { url: readUrl, observe: metrics.observeReplicaRead(service), log: log.child({ service }) };
      const postgres = new PostgresDb(url, service, config.dbPoolSize, observe, replica || undefined);
      // Where the server is and who may use it are checked once here, so that a wrong URL stops the
      // start with what to fix rather than with the first migration's error.
      await postgres.check().catch(async (error: unknown) => {
        await postgres.close().catch(() => undefined);
        throw postgresStartupError(error, databaseUrlVariable(service), url) ?? error;
      });
      db = postgres;
    } else {
      host ??= openHost();
      db = (await host).database(service, observe);
    }
    metrics.trackPool(service, () => db.poolStats());
    const replica = db.replica;
    if (replica) metrics.trackPool(service, () => replica.poolStats(), 'replica');
    return db;
  };

  const sessions = new SessionStore(redis?.commands, log);
  // Without the User service here, its instances answer for the User DB when Redis cannot; the User
  // service, when it runs in this process, sets its database instead.
  const userInstances = config.upstreams.user ?? [];
  if (userInstances.length > 0) await sessions.useSource(new HttpSessionSource(userInstances, config.serviceToken));

  return {
    config,
    inMemory: options.inMemory ?? false,
    log,
    metrics,
    cache,
    redis: redis?.commands,
    bus,
    deadLetters,
    sessions,
    limiter: new RateLimiter(redis?.commands, log),
    outboxRelay(db, relayLog) {
      const relay = new OutboxRelay(db, bus, relayLog, metrics, { retainPublishedMs: config.outboxRetentionDays * 86_400_000 });
      deadLetters.add(relay);
      return relay;
    },
    database(service) {
      let db = databases.get(service);
      if (!db) {
        db = open(service);
        databases.set(service, db);
      }
      return db;
    },
    readiness() {
      const checks: ReadinessCheck[] = [...databases.entries()].map(([service, db]) => ({
        name: `database:${service}`,
        check: async () => {
          await (await db).query('SELECT 1');
          return { status: 'up' as const, detail: (await db).kind };
        },
      }));
      for (const [service, db] of databases) {
        if (!config.databaseUrls[service] || !config.databaseReadUrls[service]) continue;
        checks.push({
          name: `database-replica:${service}`,
          // Never down for a replica out of reach: `reader` then sends its reads to the primary,
          // which the check above vouches for.
          check: async () => replicaCheck[(await (await db).replica?.probe(replicaProbeMs)) ?? 'unreachable'],
        });
      }
      checks.push({
        name: 'cache',
        check: async () => {
          const state = cache.state;
          return state === 'redis-unavailable'
            ? { status: 'degraded' as const, detail: 'redis unreachable: serving from the database' }
            : { status: 'up' as const, detail: state };
        },
      });
      if (rabbit) {
        checks.push({
          name: 'bus',
          check: async () =>
            rabbit.isReady
              ? { status: 'up' as const, detail: 'rabbitmq' }
              : { status: 'degraded' as const, detail: 'rabbitmq unreachable: events wait in the outbox' },
        });
      }
      return checks;
    },
    async close() {
      await bus.close();
      await Promise.all([...databases.values()].map(async (db) => (await db).close()));
      if (host) await (await host).close();
      await closeRedis();
    },
  };
}
