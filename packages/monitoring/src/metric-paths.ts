/**
 * Each metric path a condition may read, as PromQL over the series every Dema process exposes at
 * /metrics, per scraped instance (`by (instance)`), with the in-process evaluator's meaning:
 * counters are counted over the evaluation window `w`, cpu.usage is the busy share over `w`,
 * the rest are current values.
 */
export const pathQueries: Record<string, (w: string) => string> = {
  'cpu.usage': (w) =>
    `100 * (1 - sum by (instance) (rate(system_cpu_seconds_total{mode=~"idle|iowait"}[${w}])) / sum by (instance) (rate(system_cpu_seconds_total[${w}])))`,
  'cpu.load[0]': () => 'max by (instance) (system_load_average{period="1m"})',
  'cpu.load[1]': () => 'max by (instance) (system_load_average{period="5m"})',
  'cpu.load[2]': () => 'max by (instance) (system_load_average{period="15m"})',
  'memory.total': () => 'max by (instance) (system_memory_bytes{state="total"})',
  'memory.used': () => 'max by (instance) (system_memory_bytes{state="used"})',
  'memory.free': () => 'max by (instance) (system_memory_bytes{state="free"})',
  'disk.total': () => 'max by (instance) (system_disk_bytes{state="total"})',
  'disk.used': () => 'max by (instance) (system_disk_bytes{state="used"})',
  'disk.free': () => 'max by (instance) (system_disk_bytes{state="free"})',
  'network.bytesIn': (w) => `sum by (instance) (increase(system_network_bytes_total{direction="in"}[${w}]))`,
  'network.bytesOut': (w) => `sum by (instance) (increase(system_network_bytes_total{direction="out"}[${w}]))`,
  'network.connections': () => 'max by (instance) (system_network_connections)',
  'requests.total': (w) => `sum by (instance) (increase(http_requests_total[${w}]))`,
  'requests.success': (w) => `sum by (instance) (increase(http_requests_total{status_code!~"5.."}[${w}]))`,
  'requests.failed': (w) => `sum by (instance) (increase(http_requests_total{status_code=~"5.."}[${w}]))`,
  'requests.latency': (w) =>
    `1000 * sum by (instance) (rate(http_request_duration_seconds_sum[${w}])) / sum by (instance) (rate(http_request_duration_seconds_count[${w}]))`,
  'database.connections': () => 'sum by (instance) (db_pool_connections{state="in_use"})',
  'database.queryTime': (w) =>
    `1000 * sum by (instance) (rate(db_query_duration_seconds_sum[${w}])) / sum by (instance) (rate(db_query_duration_seconds_count[${w}]))`,
  'database.poolSize': () => 'sum by (instance) (db_pool_connections{state="total"})',
  'cache.hits': (w) => `sum by (instance) (increase(cache_requests_total{outcome=~"hit|stale"}[${w}]))`,
  'cache.misses': (w) => `sum by (instance) (increase(cache_requests_total{outcome=~"miss|bypass"}[${w}]))`,
  'cache.ratio': (w) =>
    `sum by (instance) (increase(cache_requests_total{outcome=~"hit|stale"}[${w}])) / sum by (instance) (increase(cache_requests_total[${w}]))`,
};

/** The metric paths an alert condition may read. */
export const metricPaths: ReadonlySet<string> = new Set(Object.keys(pathQueries));
