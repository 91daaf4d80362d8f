import client from 'prom-client';
import type { CacheOutcome } from './cache/cache.ts';
import type { PoolStats, ReplicaReadOutcome } from './db/db.ts';
import { registerSystemSeries } from './system-metrics.ts';
import type { DeadLetterSource } from './bus/dead-letters.ts';
import type { Compressor } from './http/representation.ts';

/** Which of a service's servers a connection pool reaches: writes and reads, or the read replica. */
export type PoolRole = 'primary' | 'replica';

/**
 * The Prometheus metrics one process exposes at /metrics. A registry per process (not the global
 * one) so that tests can build several apps side by side.
 */
export class Metrics {
  readonly registry = new client.Registry();
  readonly httpRequests: client.Counter<'method' | 'route' | 'status_code' | 'service'>;
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status_code' | 'service'>;
  readonly dbQueryDuration: client.Histogram<'service' | 'outcome'>;
  readonly replicaReads: client.Counter<'service' | 'outcome'>;
  readonly cacheRequests: client.Counter<'cache' | 'outcome'>;
  readonly cacheCompressions: client.Counter<'cache' | 'coding'>;
  readonly eventsPublished: client.Counter<'type' | 'outcome'>;
  readonly outboxPending: client.Gauge<'service'>;
  private readonly pools = new Map<string, { service: string; role: PoolRole; stats: () => PoolStats }>();

  constructor(defaultLabels: Record<string, string> = {}) {
    this.registry.setDefaultLabels(defaultLabels);
    client.collectDefaultMetrics({ register: this.registry });
    // The machine's CPU, memory, disk and network, which the exported alerting rules read.
    registerSystemSeries(this.registry);
    const registers = [this.registry];
    this.httpRequests = new client.Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status_code', 'service'],
      registers,
    });
    this.httpDuration = new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route', 'status_code', 'service'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.dbQueryDuration = new client.Histogram({
      name: 'db_query_duration_seconds',
      help: 'Time of one database statement',
      labelNames: ['service', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.replicaReads = new client.Counter({
      name: 'db_replica_reads_total',
      help: 'Reads that may use the read replica, by who answered: replica, or the primary because the replica was behind or unavailable',
      labelNames: ['service', 'outcome'],
      registers,
    });
    this.cacheRequests = new client.Counter({
      name: 'cache_requests_total',
      help: 'Cache look-ups by outcome: hit, stale (served while refreshing), miss, bypass (cache unavailable or off)',
      labelNames: ['cache', 'outcome'],
      registers,
    });
    this.cacheCompressions = new client.Counter({
      name: 'cache_compressions_total',
      help: 'Cached answers compressed, by coding: once per cache fill, never per request',
      labelNames: ['cache', 'coding'],
      registers,
    });
    this.eventsPublished = new client.Counter({
      name: 'events_published_total',
      help: 'Outbox events handed to the bus, by outcome: ok, error (refused, retried later), dead_lettered (a consumer kept failing)',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.outboxPending = new client.Gauge({
      name: 'outbox_pending_events',
      help: 'Events written but not yet confirmed by the bus',
      labelNames: ['service'],
      registers,
    });
    const pools = this.pools;
    new client.Gauge({
      name: 'db_pool_connections',
      help: 'Database connections by state, for the primary and the read replica (role) of each service',
      labelNames: ['service', 'role', 'state'],
      registers,
      collect() {
        for (const { service, role, stats } of pools.values()) {
          const { size, idle, waiting } = stats();
          this.set({ service, role, state: 'total' }, size);
          this.set({ service, role, state: 'idle' }, idle);
          this.set({ service, role, state: 'in_use' }, size - idle);
          this.set({ service, role, state: 'waiting' }, waiting);
        }
      },
    });
  }

  /** Counts one answered HTTP request and its time (`http_requests_total`, `http_request_duration_seconds`). */
  observeRequest(method: string, route: string, statusCode: number, service: string, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode), service };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  observeQuery(service: string) {
    return (seconds: number, ok: boolean) => this.dbQueryDuration.observe({ service, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  observeReplicaRead(service: string) {
    return (outcome: ReplicaReadOutcome) => this.replicaReads.inc({ service, outcome });
  }

  observeCache() {
    return (cache: string, outcome: CacheOutcome) => this.cacheRequests.inc({ cache, outcome });
  }

  /** `compressor`, counting each call in `cache_compressions_total` under `cache`. */
  countCompressions(cache: string, compressor: Compressor): Compressor {
    return (coding, bytes) => {
      this.cacheCompressions.inc({ cache, coding });
      return compressor(coding, bytes);
    };
  }

  /** Reports `stats` in `db_pool_connections` under `service` and `role` at every scrape. */
  trackPool(service: string, stats: () => PoolStats, role: PoolRole = 'primary'): void {
    this.pools.set(`${service}:${role}`, { service, role, stats });
  }

  /** `graphql_subscriptions_open`: live subscriptions this process serves, read at scrape time. */
  trackSubscriptions(open: () => number): void {
    new client.Gauge({
      name: 'graphql_subscriptions_open',
      help: 'GraphQL subscriptions (orderStatusChanged) open on this process',
      registers: [this.registry],
      collect() {
        this.set(open());
      },
    });
  }

  /**
   * `events_dead_letters{source}`: the dead letters waiting in each of `sources` at scrape time, so
   * that an alert can fire while any is left (a source that cannot answer is left out of the scrape).
   */
  trackDeadLetters(sources: () => readonly DeadLetterSource[]): void {
    new client.Gauge({
      name: 'events_dead_letters',
      help: 'Events a consumer kept failing on, waiting to be retried from the admin, by where they wait',
      labelNames: ['source'],
      registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(
          sources().map(async (source) => {
            const n = await source.countDeadLetters().catch(() => undefined);
            if (n !== undefined) this.set({ source: source.name }, n);
          }),
        );
      },
    });
  }
}
