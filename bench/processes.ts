import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { positiveInt, type LoadTestResult } from './load-test.ts';

/** The child processes of a bench (servers under test, reference servers, the load generator). */

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(BENCH_DIR, '..');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
const READY_TIMEOUT_MS = 120_000;
/**
 * At 1000 connections autocannon holds up to 1000 response bodies as strings at once, and with
 * V8's default young generation much of its CPU went to scavenges. A 64 MB semi-space cut the
 * generator's CPU per response by about a third (17.6 KB body, measured on this 2-core machine),
 * CPU that the server under test gets back.
 */
const GENERATOR_NODE_FLAGS = ['--max-semi-space-size=64'];

const children = new Set<ChildProcess>();

/** Runs a TypeScript entry under this Node with tsx, directly: no npx wrapper that could outlive a kill. */
export function spawnTs(entry: string, args: string[], options: SpawnOptions, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry, ...args], { cwd: REPO_ROOT, ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM lets Dema drain and close its database; SIGKILL if it has not gone within the grace time. */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

/**
 * No child may outlive the bench, whether it ends normally, fails, or is interrupted: on exit every
 * child is killed, `onExit` runs (say, a cluster's own processes) and `tempDir` is removed. Ctrl-C
 * stops the children gracefully; a second one does not wait.
 */
let interrupted = false;

/** After Ctrl-C the children die mid-run: the failure that follows is not worth reporting. */
export const wasInterrupted = (): boolean => interrupted;

export function installCleanup(tempDir: string, onExit?: () => void): void {
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
    onExit?.();
    rmSync(tempDir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\n${signal}: stopping servers…`);
      void Promise.all([...children].map((child) => stopChild(child, 5_000))).finally(() => process.exit(130));
    });
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/** Waits for `url` to answer 200; fails as soon as `child` exits, pointing at its log. */
export async function waitUntilReady(url: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`exited (${child.signalCode ?? child.exitCode}) before it was ready; see ${logPath}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      },
      () => false,
    );
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s (${url}); see ${logPath}`);
}

/**
 * A reference server (bare-server.ts, bare-proxy.ts) on a free port. `--exit-on-stdin-close`: our
 * end of its stdin closes when this process dies, even by SIGKILL, and it exits with it.
 */
export async function startListening(entry: string, args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnTs(join(BENCH_DIR, entry), [...args, '--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) {
    const match = /^listening (\d+)$/.exec(line);
    if (match) return { url: `http://127.0.0.1:${match[1]}`, child };
  }
  throw new Error(`${entry} exited before it was listening`);
}

/** What each request of a load sends, when it is not a plain GET. */
export interface LoadRequest {
  method: string;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * One measured load on `url`: load-test.ts's CLI in a child process (for its node flags), which
 * prints one LoadTestResult; printed here under `label` too.
 */
export async function measure(
  label: string,
  url: string,
  load: { connections: number; duration: number; warmup: number },
  request?: LoadRequest,
): Promise<LoadTestResult> {
  console.error(`» ${label}: ${load.connections} connections, ${load.warmup} s warm-up + ${load.duration} s measured`);
  const args = ['--url', url, '--connections', String(load.connections), '--duration', String(load.duration), '--warmup', String(load.warmup)];
  if (request) {
    args.push('--method', request.method);
    if (request.body !== undefined) args.push('--body', request.body);
    for (const [name, value] of Object.entries(request.headers ?? {})) args.push('--header', `${name}: ${value}`);
  }
  const child = spawnTs(join(BENCH_DIR, 'load-test.ts'), args, { stdio: ['ignore', 'pipe', 'inherit'] }, GENERATOR_NODE_FLAGS);
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  // 'close', not 'exit': it comes after stdout has been read to the end.
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`load generator failed (${signal ?? code})`);
  const result = JSON.parse(out) as LoadTestResult;
  console.log(`--- ${label} ---\n${JSON.stringify(result, null, 2)}`);
  return result;
}

/** The load every catalog bench takes from its command line: endpoint, connections, duration, warm-up. */
export interface LoadOptions {
  endpoint: string;
  connections: number;
  duration: number;
  warmup: number;
}

/**
 * parseArgs options for `LoadOptions` (a quick run, BENCH_QUICK=1: 100 connections for 5 s), to
 * spread into a bench's own options, and `readLoad` to check what came back.
 */
export function loadOptionSpec(env: NodeJS.ProcessEnv, warmupSeconds: number) {
  const quick = env.BENCH_QUICK === '1';
  return {
    endpoint: { type: 'string', default: '/api/products?limit=20' },
    connections: { type: 'string', default: quick ? '100' : '1000' },
    duration: { type: 'string', default: quick ? '5' : '30' },
    warmup: { type: 'string', default: String(warmupSeconds) },
  } as const;
}

export function readLoad(values: { endpoint: string; connections: string; duration: string; warmup: string }): LoadOptions {
  if (!values.endpoint.startsWith('/')) throw new Error(`--endpoint must start with /, got ${values.endpoint}`);
  return {
    endpoint: values.endpoint,
    connections: positiveInt(values.connections, '--connections'),
    duration: positiveInt(values.duration, '--duration'),
    warmup: positiveInt(values.warmup, '--warmup'),
  };
}

/** Turns of one load as one result: mean throughput and latency, the worst turn's p95 and p99, every failure counted. */
export function combineResults(results: LoadTestResult[]): LoadTestResult {
  const first = results[0];
  if (!first) throw new Error('combineResults needs at least one result');
  const mean = (pick: (r: LoadTestResult) => number) => Math.round((results.reduce((sum, r) => sum + pick(r), 0) / results.length) * 100) / 100;
  const sum = (pick: (r: LoadTestResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.failures.statusCodes ?? {})) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    ...first,
    duration: sum((r) => r.duration),
    metrics: {
      avgResponseTime: mean((r) => r.metrics.avgResponseTime),
      p95ResponseTime: Math.max(...results.map((r) => r.metrics.p95ResponseTime)),
      p99ResponseTime: Math.max(...results.map((r) => r.metrics.p99ResponseTime)),
      errorRate: Math.round(mean((r) => r.metrics.errorRate) * 1e4) / 1e4,
      throughput: mean((r) => r.metrics.throughput),
    },
    failures: {
      errors: sum((r) => r.failures.errors),
      timeouts: sum((r) => r.failures.timeouts),
      non2xx: sum((r) => r.failures.non2xx),
      ...(Object.keys(statusCodes).length ? { statusCodes } : {}),
    },
  };
}

/** Runs one statement on the PostgreSQL server at `url` (a bench creating or dropping its database). */
export async function sql(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement);
  await client.end();
}

/** Deletes a bench run's keys (those under `prefix`) from the Redis at `host`; nothing when it cannot be reached. */
export async function deleteRedisKeys(host: string, prefix: string): Promise<void> {
  const redis = new Redis({ host, lazyConnect: true });
  await redis.connect().then(
    async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
    () => undefined,
  );
}

/**
 * The all-in-one process on the real servers, with a database, a Redis key prefix and a RabbitMQ
 * namespace of the run's own, an admin, and this machine on the rate-limit allowlist (the load comes
 * from one address); its log in results/<log>. Resolves once it is ready.
 */
export async function startAllInOneOnRealServers(options: {
  run: string;
  databaseUrl: string;
  dataDir: string;
  admin: { email: string; password: string };
  log: string;
  nodeFlags: string[];
}): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DEMA_DATA_DIR: options.dataDir,
    DEMA_DEMO_DATA: 'false',
    DATABASE_URL: options.databaseUrl,
    REDIS_HOST: process.env.REDIS_HOST ?? '127.0.0.1',
    REDIS_KEY_PREFIX: `${options.run}:`,
    AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    AMQP_NAMESPACE: `${options.run}.`,
    AMQP_QUEUE_EXPIRES_MS: '60000',
    DEMA_ADMIN_EMAIL: options.admin.email,
    DEMA_ADMIN_PASSWORD: options.admin.password,
    DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1,::ffff:127.0.0.1',
    DEMA_WEB: 'off',
    // Five services share one PostgreSQL here, whose default max_connections is 100: 20 connections
    // each (the default) with a bench's own pool leave none, so each takes 16.
    DEMA_DB_POOL_SIZE: process.env.DEMA_DB_POOL_SIZE ?? '16',
  };
  const logPath = join(RESULTS_DIR, options.log);
  const child = spawn(process.execPath, [...options.nodeFlags, '--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', openSync(logPath, 'w'), openSync(logPath, 'a')],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${base}/health/ready`, child, logPath);
  return { child, base };
}
