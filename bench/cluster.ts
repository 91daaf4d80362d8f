import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ClusterError, serverNodeFlags, startCluster, type Cluster } from '../apps/server/src/cluster-launcher.ts';
import type { LoadTestResult } from './load-test.js';
import {
  combineResults,
  freePort,
  installCleanup,
  loadOptionSpec,
  measure as measureUrl,
  readLoad,
  RESULTS_DIR,
  spawnTs,
  startListening,
  stopChild,
  waitUntilReady,
  wasInterrupted,
  type LoadOptions,
} from './processes.ts';

/**
 * `npm run bench:cluster`: the same endpoint through the gateway in cluster mode (gateway, one user
 * and two product instances as separate processes on PostgreSQL, Redis and RabbitMQ) and from the
 * embedded all-in-one process, in the same run, and their throughput ratio. Target: cluster ≥ 0.6 ×
 * embedded, no errors. Both are started and then loaded in turns (`--rounds`, the measured time
 * split between them, the first mode alternating): this machine's speed drifts by a third from one
 * minute to the next, and modes measured back to back would compare the drift, not the modes. Each
 * round also reports the CPU time every process under load spent per request (from /proc), which
 * shows where a hop's cost goes without depending on that drift. All load comes from this one address, so both modes run
 * with it on the rate-limit allowlist (DEMA_RATE_LIMIT_ALLOWLIST), which exists for this.
 */

const ALLOW_THIS_MACHINE = { DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1' };

interface BenchConfig extends LoadOptions {
  /** `both` measures the ratio; one mode alone is for looking into that mode (profiling, errors). */
  mode: 'both' | 'embedded' | 'cluster';
  /** Also measure the reference pair: a bare server, and a bare proxy in front of two of them. */
  reference: boolean;
  /** Turns each mode gets under load; `duration` is split between them. */
  rounds: number;
}

function parseConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      // 10 s: long enough for the JIT and every cache of a freshly started process to be warm.
      ...loadOptionSpec(env, 10),
      mode: { type: 'string', default: 'both' },
      'no-reference': { type: 'boolean', default: false },
      // Even, so that each mode goes first in as many rounds as it goes second.
      rounds: { type: 'string', default: env.BENCH_QUICK === '1' ? '1' : '4' },
    },
  });
  if (!['both', 'embedded', 'cluster'].includes(values.mode)) throw new Error(`--mode must be both, embedded or cluster, got ${values.mode}`);
  const load = readLoad(values);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > load.duration)
    throw new Error(`--rounds must be a whole number from 1 to --duration, got ${values.rounds}`);
  return {
    ...load,
    mode: values.mode as BenchConfig['mode'],
    reference: values.mode === 'both' && !values['no-reference'],
    rounds,
  };
}

let cluster: Cluster | undefined;

/**
 * What one proxy hop costs on this machine with nothing else in it: a bare server answering the
 * endpoint's bytes, then a bare proxy in front of two of them. Their ratio bounds the cluster's.
 */
async function measureReference(bodyFile: string, config: BenchConfig): Promise<{ bare: LoadTestResult; proxied: LoadTestResult; ratio: number }> {
  const servers = [await startListening('bare-server.ts', ['--body-file', bodyFile]), await startListening('bare-server.ts', ['--body-file', bodyFile])];
  const proxy = await startListening(
    'bare-proxy.ts',
    servers.flatMap((server) => ['--upstream', server.url]),
  );
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
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    ...ALLOW_THIS_MACHINE,
    DEMA_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMA_CACHE: 'on',
    DEMA_WEB: 'false',
  };
  for (const name of Object.keys(env)) if (/DATABASE_URL$|^REDIS_|^AMQP_|^DEMA_UPSTREAM_/.test(name)) delete env[name];
  const child = spawnTs('apps/server/src/main.ts', [], { env, stdio: ['ignore', log, log] }, serverNodeFlags);
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
        // BENCH_GATEWAY_FLAGS become the gateway's NODE_OPTIONS, e.g. "--require ./my-profiler.cjs" (a
        // preload that starts node:inspector's profiler) to look inside it; --cpu-prof is refused there.
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

/** A process under load, by the name the report gives it. */
type Measured = Array<{ name: string; pid: number | undefined }>;

/** One mode's turn: what the load generator saw, and the CPU each process spent per request. */
interface Round {
  result: LoadTestResult;
  /** Microseconds of CPU (user + system) per answered request, by process. */
  cpuMicrosPerRequest: Record<string, number>;
}

// Linux's USER_HZ: /proc/<pid>/stat counts CPU time in hundredths of a second.
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of `pid` so far, or undefined where /proc is not there to ask. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** One turn of load on `url`, with the CPU its processes spent over the whole turn (warm-up included). */
async function measureRound(label: string, url: string, processes: Measured, load: BenchConfig): Promise<Round> {
  const before = processes.map((p) => cpuSeconds(p.pid));
  const result = await measure(label, url, load);
  // The warm-up's requests are not in the result; count them at the measured rate.
  const requests = result.metrics.throughput * (load.duration + load.warmup);
  const cpuMicrosPerRequest: Record<string, number> = {};
  processes.forEach((p, i) => {
    const after = cpuSeconds(p.pid);
    if (after !== undefined && before[i] !== undefined && requests > 0) cpuMicrosPerRequest[p.name] = Math.round(((after - before[i]!) / requests) * 1e6);
  });
  return { result, cpuMicrosPerRequest };
}

/** A mode's rounds as one result (see combineResults). */
const combine = (rounds: Round[]): LoadTestResult => combineResults(rounds.map((r) => r.result));

const ratioOf = (cluster: LoadTestResult, embedded: LoadTestResult): number =>
  embedded.metrics.throughput > 0 ? Math.round((cluster.metrics.throughput / embedded.metrics.throughput) * 1000) / 1000 : 0;

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env);
  const tempDir = mkdtempSync(join(tmpdir(), 'dema-bench-cluster-'));
  let embedded: { url: string; child: ChildProcess } | undefined;
  installCleanup(tempDir, () => {
    embedded?.child.kill('SIGKILL');
    cluster?.killNow();
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();

  const bodyBytes: { embedded?: number; cluster?: number } = {};
  // The page the embedded mode serves: also what the reference servers answer with.
  let embeddedBody: Buffer | undefined;
  const embeddedRounds: Round[] = [];
  const clusterRounds: Round[] = [];
  let reference: Awaited<ReturnType<typeof measureReference>> | undefined;
  try {
    if (config.mode !== 'cluster') embedded = await startEmbedded(join(tempDir, 'data'));
    if (config.mode !== 'embedded') cluster = await startBenchCluster(join(RESULTS_DIR, 'cluster-logs'), process.env);
    const clusterProcesses: Measured = cluster
      ? [cluster.gateway, ...cluster.instances.filter((p) => p.service === 'product')].map((p) => ({ name: p.name, pid: p.child?.pid }))
      : [];
    // Both start from the same demo catalog, so they should answer with the same bytes; if not, the
    // ratio compares different work (a larger page costs every process on the way more).
    if (embedded) {
      embeddedBody = Buffer.from(await (await fetch(embedded.url + config.endpoint)).arrayBuffer());
      bodyBytes.embedded = embeddedBody.byteLength;
    }
    if (cluster) bodyBytes.cluster = (await (await fetch(cluster.gateway.url + config.endpoint)).arrayBuffer()).byteLength;
    if (embedded && cluster && bodyBytes.embedded !== bodyBytes.cluster) {
      console.error(
        `» warning: the modes answer with different bodies (embedded ${bodyBytes.embedded} bytes, cluster ${bodyBytes.cluster}): their ratio compares different work`,
      );
    }

    // Only one mode is under load at a time (the other idles): each has both cores to share with the load generator.
    const perRound = Math.floor(config.duration / config.rounds);
    for (let round = 1; round <= config.rounds; round++) {
      // The first turn warms a freshly started process (JIT, caches); later ones only reopen connections.
      const load: BenchConfig = { ...config, duration: perRound, warmup: round === 1 ? config.warmup : Math.min(3, config.warmup) };
      const turn = config.rounds > 1 ? ` (round ${round} of ${config.rounds})` : '';
      const embeddedTurn = async () => {
        if (embedded)
          embeddedRounds.push(
            await measureRound(`embedded (all-in-one process)${turn}`, embedded.url, [{ name: 'all-in-one', pid: embedded.child.pid }], load),
          );
      };
      const clusterTurn = async () => {
        if (cluster) clusterRounds.push(await measureRound(`cluster (gateway → 2 product instances)${turn}`, cluster.gateway.url, clusterProcesses, load));
      };
      // Which mode goes first alternates (ABBA): the machine's speed drifts within a run, and a
      // fixed order would hand the drift of every round to the mode measured second.
      for (const next of round % 2 === 1 ? [embeddedTurn, clusterTurn] : [clusterTurn, embeddedTurn]) await next();
    }
    if (embeddedBody && config.reference) writeFileSync(join(tempDir, 'body.json'), embeddedBody);
  } finally {
    if (embedded) await stopChild(embedded.child);
    if (cluster) {
      await cluster.stop();
      cluster = undefined;
      await dropBenchDatabases(process.env);
    }
  }
  if (config.reference) reference = await measureReference(join(tempDir, 'body.json'), config);
  for (const [mode, rounds] of [
    ['embedded', embeddedRounds],
    ['cluster', clusterRounds],
  ] as const) {
    for (const [i, r] of rounds.entries())
      console.error(`» ${mode} round ${i + 1}: ${r.result.metrics.throughput} req/s, CPU µs per request: ${JSON.stringify(r.cpuMicrosPerRequest)}`);
  }
  if (embeddedRounds.length === 0 || clusterRounds.length === 0) return;

  const embeddedResult = combine(embeddedRounds);
  const clusterResult = combine(clusterRounds);
  const ratio = ratioOf(clusterResult, embeddedResult);
  const roundRatios = clusterRounds.map((r, i) => ratioOf(r.result, embeddedRounds[i]!.result));
  const targets = [
    { target: 'cluster: throughput >= 0.6 x embedded (same run)', actual: ratio, pass: ratio >= 0.6 },
    { target: 'cluster: errorRate = 0', actual: clusterResult.metrics.errorRate, pass: clusterResult.metrics.errorRate === 0 },
  ];
  const rounds = embeddedRounds.map((e, i) => ({ embedded: e, cluster: clusterRounds[i]!, ratio: roundRatios[i]! }));
  const summary = { embedded: embeddedResult, cluster: clusterResult, ratio, rounds, bodyBytes, reference, config, startedAt, node: process.version, targets };
  console.log(`--- summary ---\n${JSON.stringify(summary, null, 2)}`);
  const file = join(RESULTS_DIR, 'cluster-latest.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nwritten to ${file}\n`);
  console.log('| mode | throughput | p99 (worst round) | errors | CPU µs per request |\n|---|---|---|---|---|');
  const cpu = (rs: Round[]) => {
    const names = Object.keys(rs[0]?.cpuMicrosPerRequest ?? {});
    return names.map((name) => `${name} ${Math.round(rs.reduce((sum, r) => sum + (r.cpuMicrosPerRequest[name] ?? 0), 0) / rs.length)}`).join(', ');
  };
  console.log(
    `| embedded | ${embeddedResult.metrics.throughput} req/s | ${embeddedResult.metrics.p99ResponseTime} ms | ${embeddedResult.metrics.errorRate} | ${cpu(embeddedRounds)} |`,
  );
  console.log(
    `| cluster | ${clusterResult.metrics.throughput} req/s | ${clusterResult.metrics.p99ResponseTime} ms | ${clusterResult.metrics.errorRate} | ${cpu(clusterRounds)} |`,
  );
  if (reference) {
    for (const [mode, r] of [
      ['reference: bare server', reference.bare],
      ['reference: bare proxy → 2 bare servers', reference.proxied],
    ] as const) {
      console.log(`| ${mode} | ${r.metrics.throughput} req/s | ${r.metrics.p99ResponseTime} ms | ${r.metrics.errorRate} | |`);
    }
  }
  if (config.rounds > 1) console.log(`cluster / embedded by round: ${roundRatios.join(', ')}`);
  if (reference) console.log(`reference: one bare proxy hop keeps ${reference.ratio} of a bare server's throughput on this machine`);
  for (const check of targets) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.target}  (actual ${check.actual})`);
}

main().catch((err: unknown) => {
  if (wasInterrupted()) return;
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
