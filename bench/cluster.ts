import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ClusterError, serverNodeFlags, startCluster, type Cluster } from '../services/gateway/src/edge/cluster.ts';
import type { LoadTestResult } from './load-test.js';
import { freePort, installCleanup, loadOptionSpec, measure as measureUrl, readLoad, RESULTS_DIR, spawnTs, startListening, stopChild, waitUntilReady, wasInterrupted, type LoadOptions } from './processes.ts';

/**
 * `npm run bench:cluster`: the same endpoint through the gateway in cluster mode (gateway, one user
 * and two product instances as separate processes on PostgreSQL, Redis and RabbitMQ) and from the
 * embedded all-in-one process, one after the other in the same run, and their throughput ratio.
 * Target: cluster ≥ 0.6 × embedded, no errors. All load comes from this one address, so both modes
 * run with it on the rate-limit allowlist (DEMA_RATE_LIMIT_ALLOWLIST), which exists for this.
 */

const ALLOW_THIS_MACHINE = { DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1' };

interface BenchConfig extends LoadOptions {
  /** `both` measures the ratio; one mode alone is for looking into that mode (profiling, errors). */
  mode: 'both' | 'embedded' | 'cluster';
  /** Also measure the reference pair: a bare server, and a bare proxy in front of two of them. */
  reference: boolean;
}

function parseConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      // 10 s: long enough for the JIT and every cache of a freshly started process to be warm.
      ...loadOptionSpec(env, 10),
      mode: { type: 'string', default: 'both' },
      'no-reference': { type: 'boolean', default: false },
    },
  });
  if (!['both', 'embedded', 'cluster'].includes(values.mode)) throw new Error(`--mode must be both, embedded or cluster, got ${values.mode}`);
  return {
    ...readLoad(values),
    mode: values.mode as BenchConfig['mode'],
    reference: values.mode === 'both' && !values['no-reference'],
  };
}

let cluster: Cluster | undefined;

/**
 * What one proxy hop costs on this machine with nothing else in it: a bare server answering the
 * endpoint's bytes, then a bare proxy in front of two of them. Their ratio bounds the cluster's.
 */
async function measureReference(bodyFile: string, config: BenchConfig): Promise<{ bare: LoadTestResult; proxied: LoadTestResult; ratio: number }> {
  const servers = [await startListening('bare-server.ts', ['--body-file', bodyFile]), await startListening('bare-server.ts', ['--body-file', bodyFile])];
  const proxy = await startListening('bare-proxy.ts', servers.flatMap((server) => ['--upstream', server.url]));
  try {
    const bare = await measure('reference: bare server', servers[0]!.url, config);
    const proxied = await measure('reference: bare proxy → 2 bare servers', proxy.url, config);
    return { bare, proxied, ratio: Math.round((proxied.metrics.throughput / Math.max(1, bare.metrics.throughput)) * 1000) / 1000 };
  } finally {
    for (const { child } of [proxy, ...servers]) await stopChild(child);
  }
}

/** The all-in-one process (`npm start`) on embedded defaults, in a data dir of its own. */
async function startEmbedded(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const logPath = join(RESULTS_DIR, 'cluster-bench-embedded.log');
  const log = openSync(logPath, 'w');
  // The API alone: the web app beside it (DEMA_WEB) would take CPU from the process under load.
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...ALLOW_THIS_MACHINE, DEMA_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DEMA_CACHE: 'on', DEMA_WEB: 'false' };
  for (const name of Object.keys(env)) if (/DATABASE_URL$|^REDIS_|^AMQP_|^DEMA_UPSTREAM_/.test(name)) delete env[name];
  const child = spawnTs('services/gateway/src/main.ts', [], { env, stdio: ['ignore', log, log] }, serverNodeFlags);
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  console.error(`» starting the embedded all-in-one process on port ${port} (log: ${logPath})`);
  await waitUntilReady(`${url}/health/ready`, child, logPath);
  return { url, child };
}

/** Gateway + 1 user + 2 product instances on the real servers, on free ports from a random base. */
async function startBenchCluster(logDir: string, env: NodeJS.ProcessEnv): Promise<Cluster> {
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  for (let attempt = 0; ; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    try {
      console.error(`» starting the cluster: gateway on port ${base}, services from ${base + 1} (logs: ${logDir})`);
      return await startCluster({
        databaseUrl,
        redis: { host: env.REDIS_HOST ?? '127.0.0.1', port: Number(env.REDIS_PORT ?? 6379), password: env.REDIS_PASSWORD },
        amqpUrl: env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
        services: [
          { name: 'user', instances: 1 },
          { name: 'product', instances: 2 },
        ],
        gatewayPort: base,
        gatewayHost: '127.0.0.1',
        basePort: base + 1,
        databasePrefix: 'dema_bench_cluster',
        redisKeyPrefix: `dema-bench-${randomBytes(3).toString('hex')}:`,
        amqpNamespace: 'dema-bench.',
        logDir,
        env: { LOG_LEVEL: 'warn', DEMA_CACHE: 'on', AMQP_QUEUE_EXPIRES_MS: '600000' },
        // BENCH_GATEWAY_FLAGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to look inside the gateway.
        gatewayEnv: { ...ALLOW_THIS_MACHINE, ...(env.BENCH_GATEWAY_FLAGS ? { NODE_OPTIONS: env.BENCH_GATEWAY_FLAGS } : {}) },
        report: (line) => console.error(`» ${line}`),
      });
    } catch (error) {
      if (!(error instanceof ClusterError && /already in use/.test(error.message)) || attempt > 5) throw error;
    }
  }
}

async function dropBenchDatabases(env: NodeJS.ProcessEnv): Promise<void> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  for (const service of ['user', 'product']) await client.query(`DROP DATABASE IF EXISTS dema_bench_cluster_${service} WITH (FORCE)`);
  await client.end();
}

// ---- measuring and reporting ------------------------------------------------------------------

/** The configured endpoint of `url` under the configured load. */
const measure = (label: string, url: string, config: BenchConfig): Promise<LoadTestResult> => measureUrl(label, url + config.endpoint, config);

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env);
  const tempDir = mkdtempSync(join(tmpdir(), 'dema-bench-cluster-'));
  installCleanup(tempDir, () => cluster?.killNow());
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();

  // One mode at a time under load: each has both cores to share with the load generator.
  let embeddedResult: LoadTestResult | undefined;
  if (config.mode !== 'cluster') {
    const embedded = await startEmbedded(join(tempDir, 'data'));
    embeddedResult = await measure('embedded (all-in-one process)', embedded.url, config);
    if (config.reference) writeFileSync(join(tempDir, 'body.json'), Buffer.from(await (await fetch(embedded.url + config.endpoint)).arrayBuffer()));
    await stopChild(embedded.child);
  }
  const reference = config.reference ? await measureReference(join(tempDir, 'body.json'), config) : undefined;

  let clusterResult: LoadTestResult | undefined;
  if (config.mode !== 'embedded') {
    cluster = await startBenchCluster(join(RESULTS_DIR, 'cluster-logs'), process.env);
    try {
      clusterResult = await measure('cluster (gateway → 2 product instances)', cluster.gateway.url, config);
    } finally {
      await cluster.stop();
      cluster = undefined;
      await dropBenchDatabases(process.env);
    }
  }
  if (!embeddedResult || !clusterResult) return;

  const ratio = embeddedResult.metrics.throughput > 0 ? clusterResult.metrics.throughput / embeddedResult.metrics.throughput : 0;
  const targets = [
    { target: 'cluster: throughput >= 0.6 x embedded (same run)', actual: Math.round(ratio * 1000) / 1000, pass: ratio >= 0.6 },
    { target: 'cluster: errorRate = 0', actual: clusterResult.metrics.errorRate, pass: clusterResult.metrics.errorRate === 0 },
  ];
  const summary = { embedded: embeddedResult, cluster: clusterResult, ratio: targets[0]!.actual, reference, config, startedAt, node: process.version, targets };
  console.log(`--- summary ---\n${JSON.stringify(summary, null, 2)}`);
  const file = join(RESULTS_DIR, 'cluster-latest.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nwritten to ${file}\n`);
  console.log('| mode | throughput | p99 | errors |\n|---|---|---|---|');
  const rows: Array<[string, LoadTestResult]> = [['embedded', embeddedResult], ['cluster', clusterResult]];
  if (reference) rows.push(['reference: bare server', reference.bare], ['reference: bare proxy → 2 bare servers', reference.proxied]);
  for (const [mode, r] of rows) console.log(`| ${mode} | ${r.metrics.throughput} req/s | ${r.metrics.p99ResponseTime} ms | ${r.metrics.errorRate} |`);
  if (reference) console.log(`reference: one bare proxy hop keeps ${reference.ratio} of a bare server's throughput on this machine`);
  for (const check of targets) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.target}  (actual ${check.actual})`);
}

main().catch((err: unknown) => {
  if (wasInterrupted()) return;
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
