import type { ApplicationMetrics } from '@dema/contracts';
import type { Metrics } from './metrics.ts';

/**
 * Cumulative counts of one process, read from its Prometheus registry, so the JSON the dashboard
 * reads and the /metrics text Prometheus scrapes can never disagree.
 */
export interface ApplicationReading {
  at: number;
  requests: { total: number; failed: number; latencySeconds: number };
  database: { connections: number; poolSize: number; queries: number; querySeconds: number };
  cache: { hits: number; misses: number };
}

/** Cache outcomes that served a value from the cache; `miss` and `bypass` went to the database. */
const cacheHitOutcomes = new Set(['hit', 'stale']);

function histogramTotals(values: { value: number; metricName?: string }[]): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (v.metricName?.endsWith('_sum')) sum += v.value;
    else if (v.metricName?.endsWith('_count')) count += v.value;
  }
  return { sum, count };
}

/** Reads the process's request, database and cache series as they are now. */
export async function readApplication(metrics: Metrics): Promise<ApplicationReading> {
  const [requests, durations, queries, cache, pools] = await Promise.all([
    metrics.httpRequests.get(),
    metrics.httpDuration.get(),
    metrics.dbQueryDuration.get(),
    metrics.cacheRequests.get(),
    metrics.registry.getSingleMetric('db_pool_connections')?.get(),
  ]);
  let total = 0;
  let failed = 0;
  for (const { value, labels } of requests.values) {
    total += value;
    if (Number(labels.status_code) >= 500) failed += value;
  }
  let hits = 0;
  let misses = 0;
  for (const { value, labels } of cache.values) {
    if (cacheHitOutcomes.has(String(labels.outcome))) hits += value;
    else misses += value;
  }
  let connections = 0;
  let poolSize = 0;
  for (const { value, labels } of pools?.values ?? []) {
    if (labels.state === 'in_use') connections += value;
    else if (labels.state === 'total') poolSize += value;
  }
  const queryTotals = histogramTotals(queries.values);
  return {
    at: Date.now(),
    requests: { total, failed, latencySeconds: histogramTotals(durations.values).sum },
    database: { connections, poolSize, queries: queryTotals.count, querySeconds: queryTotals.sum },
    cache: { hits, misses },
  };
}

const zero: ApplicationReading = {
  at: 0,
  requests: { total: 0, failed: 0, latencySeconds: 0 },
  database: { connections: 0, poolSize: 0, queries: 0, querySeconds: 0 },
  cache: { hits: 0, misses: 0 },
};

/**
 * The seed's ApplicationMetrics: counts since `since` (process start when absent), means over the
 * same span. A mean or ratio over nothing is `empty`: 0 for the dashboard, NaN for alert conditions
 * (so `cache.ratio < 0.5` does not fire on a process that has not used its cache yet).
 */
export function applicationMetrics(now: ApplicationReading, since: ApplicationReading = zero, empty = 0): ApplicationMetrics {
  const total = Math.max(0, now.requests.total - since.requests.total);
  const failed = Math.max(0, now.requests.failed - since.requests.failed);
  const queries = now.database.queries - since.database.queries;
  const hits = Math.max(0, now.cache.hits - since.cache.hits);
  const misses = Math.max(0, now.cache.misses - since.cache.misses);
  return {
    requests: {
      total,
      success: total - failed,
      failed,
      latency: total > 0 ? (1000 * (now.requests.latencySeconds - since.requests.latencySeconds)) / total : empty,
    },
    database: {
      connections: now.database.connections,
      queryTime: queries > 0 ? (1000 * (now.database.querySeconds - since.database.querySeconds)) / queries : empty,
      poolSize: now.database.poolSize,
    },
    cache: { hits, misses, ratio: hits + misses > 0 ? hits / (hits + misses) : empty },
  };
}
