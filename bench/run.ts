import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serverNodeFlags } from '../services/gateway/src/edge/cluster.ts';
import { positiveInt, type LoadTestResult } from './load-test.js';

/** `npm run bench`: Dema against a bare Node.js server serving the same bytes, on this machine. */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(BENCH_DIR, '..');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const DEMA_ENTRY = 'services/gateway/src/main.ts';
const READY_TIMEOUT_MS = 120_000;
const CACHE_OFF_CONNECTIONS = 100;
/**
 * At 1000 connections autocannon holds up to 1000 response bodies as strings at once, and with
 * V8's default young generation much of its CPU went to scavenges. A 64 MB semi-space cut the
 * generator's CPU per response by about a third (17.6 KB body, measured on this 2-core machine),
 * CPU that the server under test gets back.
 */
const GENERATOR_NODE_FLAGS = ['--max-semi-space-size=64'];

interface BenchConfig {
  endpoint: string;
  connections: number;
  duration: number;
  warmup: number;
  cacheOffScenario: boolean;
}

interface RunningServer {
  baseUrl: string;
  child: ChildProcess;
}

type Mode = 'embedded' | 'postgres+redis';

interface Summary {
  dema: LoadTestResult;
  bare: LoadTestResult;
  ratio: number;
  cacheOff: LoadTestResult | null;
  mode: Mode;
  config: BenchConfig;
  startedAt: string;
  node: string;
  targets: TargetCheck[];
}

interface TargetCheck {
  target: string;
  actual: number;
  pass: boolean;
}

function parseConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const quick = env.BENCH_QUICK === '1';
  const { values } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string', default: '/api/products?limit=20' },
      connections: { type: 'string', default: quick ? '100' : '1000' },
      duration: { type: 'string', default: quick ? '5' : '30' },
      warmup: { type: 'string', default: '3' },
      'no-cache-scenario': { type: 'boolean', default: false },
    },
  });
  if (!values.endpoint.startsWith('/')) throw new Error(`--endpoint must start with /, got ${values.endpoint}`);
  return {
    endpoint: values.endpoint,
    connections: positiveInt(values.connections, '--connections'),
    duration: positiveInt(values.duration, '--duration'),
    warmup: positiveInt(values.warmup, '--warmup'),
    cacheOffScenario: !values['no-cache-scenario'],
  };
}

// ---- child processes ------------------------------------------------------------------------

const children = new Set<ChildProcess>();

/** Runs a TypeScript entry under this Node with tsx, directly: no npx wrapper that could outlive a kill. */
function spawnTs(entry: string, args: string[], options: SpawnOptions, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry, ...args], { cwd: REPO_ROOT, ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM lets Dema drain and close its database; SIGKILL if it has not gone within the grace time. */
async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

let interrupted = false;

/** No child may outlive the bench, whether it ends normally, fails, or is interrupted. */
function installCleanup(tempDir: string): void {
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(tempDir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second Ctrl-C skips the graceful stop.
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\n${signal}: stopping servers…`);
      void Promise.all([...children].map((child) => stopChild(child, 5_000))).finally(() => process.exit(130));
    });
  }
}

// ---- servers under test -----------------------------------------------------------------------

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/**
 * Dema's output goes to a file, not a pipe: a pipe that this process (busy generating load) did
 * not read would fill and block the server's logging.
 */
async function startDema(name: string, env: Record<string, string>, dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  const logPath = join(RESULTS_DIR, `${name}.log`);
  const log = openSync(logPath, 'w');
  const child = spawnTs(DEMA_ENTRY, [], {
    // A data dir of the bench's own (unless the caller names one) keeps the developer's .dema out
    // of it, and keeps it from racing a dev server that uses the same PGlite files.
    // Access logs off unless the caller sets LOG_LEVEL: one JSON line per request is a log
    // pipeline's cost, not the API's.
    // The load comes from this machine's address: what the rate-limit allowlist is for. No store.
    env: { DEMA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1,::ffff:127.0.0.1', DEMA_WEB: 'off', ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', log, log],
  }, serverNodeFlags);
  closeSync(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  console.error(`» starting ${name} on port ${port} (log: ${logPath})`);
  await waitUntilReady(`${baseUrl}/health/ready`, child, logPath);
  return { baseUrl, child };
}

async function waitUntilReady(url: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`Dema exited (${child.signalCode ?? child.exitCode}) before it was ready; see ${logPath}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`Dema was not ready within ${READY_TIMEOUT_MS / 1000} s (${url}); see ${logPath}`);
}

/** `--exit-on-stdin-close`: our end of its stdin closes when this process dies, even by SIGKILL. */
async function startBare(bodyFile: string): Promise<RunningServer> {
  const child = spawnTs(join(BENCH_DIR, 'bare-server.ts'), ['--port', '0', '--body-file', bodyFile, '--exit-on-stdin-close'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await readListeningPort(child);
  console.error(`» started bare server on port ${port}`);
  return { baseUrl: `http://127.0.0.1:${port}`, child };
}

async function readListeningPort(child: ChildProcess): Promise<number> {
  if (!child.stdout) throw new Error('bare server has no stdout pipe');
  for await (const line of createInterface({ input: child.stdout })) {
    const match = /^listening (\d+)$/.exec(line);
    if (match) return Number(match[1]);
  }
  throw new Error('bare server exited before it was listening');
}

async function fetchBody(url: string): Promise<Buffer> {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${body.subarray(0, 300).toString()}`);
  return body;
}

// ---- measuring and reporting ------------------------------------------------------------------

async function measure(label: string, server: RunningServer, endpoint: string, connections: number, config: BenchConfig): Promise<LoadTestResult> {
  console.error(`» ${label}: ${connections} connections, ${config.warmup} s warm-up + ${config.duration} s measured`);
  const result = await runGenerator([
    '--url', server.baseUrl + endpoint,
    '--connections', String(connections),
    '--duration', String(config.duration),
    '--warmup', String(config.warmup),
  ]);
  console.log(`--- ${label} ---\n${JSON.stringify(result, null, 2)}`);
  return result;
}

/** load-test.ts's CLI in a child process, for the node flags above; it prints one LoadTestResult. */
async function runGenerator(args: string[]): Promise<LoadTestResult> {
  const child = spawnTs(join(BENCH_DIR, 'load-test.ts'), args, { stdio: ['ignore', 'pipe', 'inherit'] }, GENERATOR_NODE_FLAGS);
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  // 'close', not 'exit': it comes after stdout has been read to the end.
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`load generator failed (${signal ?? code})`);
  return JSON.parse(out) as LoadTestResult;
}

/** The targets in bench/README.md. They are reported, never enforced: the bench is a report. */
function checkTargets(dema: LoadTestResult, ratio: number, cacheOff: LoadTestResult | null): TargetCheck[] {
  const on = dema.metrics;
  const checks: TargetCheck[] = [
    { target: 'cache on: errorRate = 0', actual: on.errorRate, pass: on.errorRate === 0 },
    { target: 'cache on: p99 <= 250 ms', actual: on.p99ResponseTime, pass: on.p99ResponseTime <= 250 },
    { target: 'cache on: throughput >= 8500 req/s', actual: on.throughput, pass: on.throughput >= 8500 },
    { target: 'cache on: throughput >= 0.5 x bare', actual: round3(ratio), pass: ratio >= 0.5 },
  ];
  if (cacheOff) {
    const off = cacheOff.metrics;
    checks.push(
      { target: `cache off (${CACHE_OFF_CONNECTIONS} conn): throughput >= 1500 req/s`, actual: off.throughput, pass: off.throughput >= 1500 },
      { target: `cache off (${CACHE_OFF_CONNECTIONS} conn): p99 <= 200 ms`, actual: off.p99ResponseTime, pass: off.p99ResponseTime <= 200 },
    );
  }
  return checks;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

function report(summary: Summary): void {
  console.log(`--- summary ---\n${JSON.stringify(summary, null, 2)}`);
  const file = join(RESULTS_DIR, 'latest.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nwritten to ${file}\n`);
  for (const check of summary.targets) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.target}  (actual ${check.actual})`);
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env);
  const tempDir = mkdtempSync(join(tmpdir(), 'dema-bench-'));
  installCleanup(tempDir);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();
  const mode: Mode = process.env.DATABASE_URL ? 'postgres+redis' : 'embedded';

  // DEMA_CACHE is forced both ways so a caller's environment cannot blur the two scenarios.
  const dataDir = join(tempDir, 'data');
  const dema = await startDema('dema', { DEMA_CACHE: 'on' }, dataDir);
  const bodyFile = join(tempDir, 'body.json');
  const body = await fetchBody(dema.baseUrl + config.endpoint);
  writeFileSync(bodyFile, body);
  console.error(`» ${config.endpoint} answered ${body.length} bytes; the bare server serves the same`);

  // One server at a time under load: each has both cores to share with the load generator.
  const bareServer = await startBare(bodyFile);
  const bare = await measure('bare', bareServer, config.endpoint, config.connections, config);
  await stopChild(bareServer.child);
  const demaResult = await measure('dema', dema, config.endpoint, config.connections, config);
  await stopChild(dema.child);

  let cacheOff: LoadTestResult | null = null;
  if (config.cacheOffScenario) {
    const uncached = await startDema('dema-cache-off', { DEMA_CACHE: 'off' }, dataDir);
    cacheOff = await measure('dema cache off', uncached, config.endpoint, CACHE_OFF_CONNECTIONS, config);
    await stopChild(uncached.child);
  }

  const ratio = bare.metrics.throughput > 0 ? demaResult.metrics.throughput / bare.metrics.throughput : 0;
  report({
    dema: demaResult,
    bare,
    ratio: round3(ratio),
    cacheOff,
    mode,
    config,
    startedAt,
    node: process.version,
    targets: checkTargets(demaResult, ratio, cacheOff),
  });
}

main().catch((err: unknown) => {
  // After Ctrl-C the children die mid-run; the signal handler is already stopping the rest.
  if (interrupted) return;
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  // The 'exit' handler kills the children.
  process.exit(1);
});
