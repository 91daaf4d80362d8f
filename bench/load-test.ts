import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

export interface LoadTestOptions {
  url: string;
  method?: string;
  concurrentUsers: number;
  /** Seconds. */
  duration: number;
  headers?: Record<string, string>;
  body?: string;
  /** Seconds of unmeasured load before the measured run (default 0). */
  warmup?: number;
  /** Per-request variation (a token per connection, a body per request); see autocannon's `requests`. */
  requests?: autocannon.Options['requests'];
}

export interface LoadTestResult {
  endpoint: string;
  method: string;
  concurrentUsers: number;
  duration: number;
  metrics: {
    avgResponseTime: number;
    p95ResponseTime: number;
    p99ResponseTime: number;
    errorRate: number;
    throughput: number;
  };
  /** What the errors were: a rate says that something failed, this says what to look at. */
  failures: {
    /** Connection errors, timeouts included. */
    errors: number;
    timeouts: number;
    non2xx: number;
    /** Responses by status code, when any was not 2xx. */
    statusCodes?: Record<string, number>;
  };
}

/**
 * Every response time of a run, so that any percentile is exact. autocannon's own histogram is
 * reduced to fixed percentiles (p90, p97.5, p99 — no p95) and destroyed before the run resolves,
 * so the bench records the times itself from the `response` event. Memory is 8 bytes a response
 * (about 10 MB for 40 000 req/s over 30 s).
 */
class LatencyRecorder {
  private values = new Float64Array(1 << 16);
  private count = 0;

  add(ms: number): void {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
  }

  summary(): { mean: number; p95: number; p99: number } {
    const sorted = this.values.subarray(0, this.count).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      mean: this.count === 0 ? 0 : sum / this.count,
      p95: nearestRank(sorted, 95),
      p99: nearestRank(sorted, 99),
    };
  }
}

/** The smallest value with at least p % of the samples at or below it (same rule as HDR). */
function nearestRank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[index] ?? 0;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Runs one autocannon load in this process's main thread. `workers: 2` was measured on this
 * 2-core machine and gave no more throughput: the extra generator thread takes its CPU from the
 * server under test. Worker threads also do not forward the per-response events that the
 * percentiles come from.
 */
export async function runLoadTest(opts: LoadTestOptions): Promise<LoadTestResult> {
  const method = (opts.method ?? 'GET').toUpperCase();
  const latencies = new LatencyRecorder();
  const instance = autocannon({
    url: opts.url,
    method,
    connections: opts.concurrentUsers,
    duration: opts.duration,
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    ...(opts.warmup ? { warmup: { duration: opts.warmup } } : {}),
    ...(opts.requests ? { requests: opts.requests } : {}),
  });
  // Latency of every completed response, whatever its status, as autocannon's own mean/p99 do.
  instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.add(responseTimeMs));
  const result = await instance;

  const { mean, p95, p99 } = latencies.summary();
  const completed = result.requests.total ?? 0;
  // `errors` already includes `timeouts`; adding both would count a timeout twice.
  const failed = result.errors + result.non2xx;
  const attempted = completed + result.errors;
  const url = new URL(opts.url);
  return {
    endpoint: url.pathname + url.search,
    method,
    concurrentUsers: opts.concurrentUsers,
    duration: opts.duration,
    metrics: {
      avgResponseTime: round2(mean),
      p95ResponseTime: round2(p95),
      p99ResponseTime: round2(p99),
      errorRate: attempted === 0 ? 1 : failed / attempted,
      throughput: round2(result['2xx'] / result.duration),
    },
    failures: {
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      ...(result.non2xx > 0
        ? { statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count])) }
        : {}),
    },
  };
}

function parseCli(argv: string[]): LoadTestOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      method: { type: 'string', default: 'GET' },
      connections: { type: 'string', default: '100' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '0' },
      header: { type: 'string', multiple: true, default: [] },
      body: { type: 'string' },
    },
  });
  if (!values.url)
    throw new Error('usage: load-test.ts --url URL [--method GET] [--connections N] [--duration S] [--warmup S] [--header "k: v"]... [--body STR]');
  return {
    url: values.url,
    method: values.method,
    concurrentUsers: positiveInt(values.connections, '--connections'),
    duration: positiveInt(values.duration, '--duration'),
    warmup: Number(values.warmup),
    headers: parseHeaders(values.header),
    ...(values.body !== undefined ? { body: values.body } : {}),
  };
}

export function positiveInt(raw: string | undefined, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new Error(`--header must look like "name: value", got ${line}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** True when this file is the script node/tsx was asked to run, not an import. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

if (isMain(import.meta.url)) {
  runLoadTest(parseCli(process.argv.slice(2))).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
