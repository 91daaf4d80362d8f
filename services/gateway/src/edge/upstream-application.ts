import { readApplication, type ApplicationReading, type Logger, type Metrics, type ServiceName } from '@dema/platform';
import type { UpstreamPool } from './upstream-pool.ts';

/** What an instance answers at `/internal/metrics/application`: its reading, and when its process started. */
export interface InstanceReading extends ApplicationReading {
  process: number;
}

type Counter = 'queries' | 'querySeconds' | 'hits' | 'misses';
const counters: Counter[] = ['queries', 'querySeconds', 'hits', 'misses'];

/**
 * The database and cache counters of many instances as running totals that only grow. Each
 * instance's counters start from zero when its process starts again; as Prometheus's `rate()` does,
 * a new process (or a counter lower than before) is counted from zero rather than subtracted. An
 * instance's reading older than one already counted (two reads crossing) is ignored.
 */
export class InstanceTotals {
  private readonly last = new Map<string, { process: number; at: number; values: Record<Counter, number> }>();
  readonly totals: Record<Counter, number> = { queries: 0, querySeconds: 0, hits: 0, misses: 0 };

  add(instance: string, reading: InstanceReading): void {
    const values: Record<Counter, number> = {
      queries: reading.database.queries,
      querySeconds: reading.database.querySeconds,
      hits: reading.cache.hits,
      misses: reading.cache.misses,
    };
    const before = this.last.get(instance);
    const sameProcess = before !== undefined && before.process === reading.process;
    if (sameProcess && reading.at < before.at) return;
    const continued = sameProcess && counters.every((c) => values[c] >= before.values[c]);
    for (const c of counters) this.totals[c] += continued ? values[c] - before!.values[c] : values[c];
    this.last.set(instance, { process: reading.process, at: reading.at, values });
  }
}

export interface UpstreamApplicationOptions {
  /** The shared DEMA_SERVICE_TOKEN that `/internal` routes ask for; without it only the gateway is read. */
  serviceToken: string | undefined;
  metrics: Metrics;
  log: Logger;
  /** Longest wait for one instance's reading (1 s): a slow instance must not hold up alert rules. */
  timeoutMs?: number;
}

/**
 * The ApplicationMetrics source of a gateway in front of instances: requests as the gateway counts
 * them (every client request passes it, with the latency and failures clients saw), and database and
 * cache summed over every instance of every service, read from each at
 * `/internal/metrics/application`. The gateway itself has no database or cache; without this its
 * dashboard and alert rules would read zeros there. Connections and pool size are those of the
 * instances that answered this time; an instance that does not answer adds nothing until it does.
 */
export function upstreamApplication(pools: Partial<Record<ServiceName, UpstreamPool>>, options: UpstreamApplicationOptions): () => Promise<ApplicationReading> {
  const { serviceToken, metrics, log } = options;
  const timeoutMs = options.timeoutMs ?? 1_000;
  if (!serviceToken) {
    log.warn('DEMA_SERVICE_TOKEN is not set: the monitoring figures for database and cache cover only the gateway itself, which has neither');
    return () => readApplication(metrics);
  }
  const totals = new InstanceTotals();
  const unreachable = new Set<string>();

  const readInstance = async (url: string): Promise<InstanceReading | undefined> => {
    try {
      const response = await fetch(`${url}/internal/metrics/application`, {
        headers: { 'x-dema-service-token': serviceToken },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        // Read to the end, so that its connection is free again rather than held until collected.
        await response.arrayBuffer();
        throw new Error(`answered ${response.status}`);
      }
      const reading = (await response.json()) as InstanceReading;
      if (unreachable.delete(url)) log.info({ upstream: url }, 'monitoring reads this instance again');
      return reading;
    } catch (error) {
      if (!unreachable.has(url))
        log.warn({ upstream: url, err: error }, 'monitoring could not read this instance; its database and cache figures are left out until it answers');
      unreachable.add(url);
      return undefined;
    }
  };

  return async () => {
    const urls = Object.values(pools).flatMap((pool) => pool.instances.map((instance) => instance.url));
    const [own, readings] = await Promise.all([readApplication(metrics), Promise.all(urls.map(readInstance))]);
    let connections = 0;
    let poolSize = 0;
    readings.forEach((reading, i) => {
      if (!reading) return;
      totals.add(urls[i]!, reading);
      connections += reading.database.connections;
      poolSize += reading.database.poolSize;
    });
    const sum = totals.totals;
    return {
      at: own.at,
      requests: own.requests,
      database: { connections, poolSize, queries: sum.queries, querySeconds: sum.querySeconds },
      cache: { hits: sum.hits, misses: sum.misses },
    };
  };
}
