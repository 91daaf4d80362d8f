import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startWebApp, type RunningWebApp } from '@dema/web/serve';
import { serverNodeFlags, startCluster, type Cluster } from '../apps/server/src/cluster-launcher.ts';
import { positiveInt, type LoadTestResult } from './load-test.ts';
import { deleteRedisKeys, freePort, installCleanup, measure, RESULTS_DIR, sql, startAllInOneOnRealServers, stopChild, type LoadRequest } from './processes.ts';

/**
 * `npm run bench:memory`: the memory each role of the Kubernetes manifests takes (issue 22), on the
 * real servers. Starts the cluster (one instance of each service, the gateway) with the demo
 * catalog, then the web app in front of its gateway, drives a little load at every role in turn,
 * and reads each process's resident memory from /proc: `peak` is VmHWM (the most it ever held,
 * start-up and migrations included), `steady` the RSS `--settle` seconds after the load ended.
 * Then the same for the all-in-one process. Prints a table with what the manifests should ask for
 * (request ≈ steady rounded up to 32 MiB, limit ≈ 2 × peak rounded up to 64 MiB) and writes
 * results/memory-latest.json. Linux only (/proc).
 */

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: process.env.BENCH_QUICK === '1' ? '3' : '10' },
    settle: { type: 'string', default: '10' },
    'no-web': { type: 'boolean', default: false },
  },
});
const load = { connections: positiveInt(values.connections, '--connections'), duration: positiveInt(values.duration, '--duration'), warmup: 1 };
const settleSeconds = positiveInt(values.settle, '--settle');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redis = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379), password: process.env.REDIS_PASSWORD };
const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const ADMIN = { email: 'bench-admin@dema.dev', password: 'memory-load-generator-7' };
const ALLOW_THIS_MACHINE = { DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1,::ffff:127.0.0.1' };

const run = `bench_memory_${randomBytes(3).toString('hex')}`;
const tempDir = mkdtempSync(join(tmpdir(), 'dema-bench-memory-'));
let cluster: Cluster | undefined;
installCleanup(tempDir, () => cluster?.killNow());

const MiB = 1024 * 1024;

/** The pid and every descendant of it (a role that forks, such as Next.js's server, counts whole). */
function processTree(pid: number): number[] {
  const all = [pid];
  for (const task of safeReaddir(`/proc/${pid}/task`)) {
    const children = safeRead(`/proc/${pid}/task/${task}/children`).trim();
    for (const child of children ? children.split(' ') : []) all.push(...processTree(Number(child)));
  }
  return all;
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** VmRSS (now) and VmHWM (the high-water mark) of a process tree, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  let rss = 0;
  let hwm = 0;
  for (const p of processTree(pid)) {
    const status = safeRead(`/proc/${p}/status`);
    rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    hwm += Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }
  return { rss, hwm };
}

interface RoleMemory {
  role: string;
  /** RSS once ready, before any load. */
  idleMiB: number;
  /** The highest RSS sampled (every 250 ms) while the load ran. */
  underLoadMiB: number;
  /** RSS `settle` seconds after the load ended. */
  steadyMiB: number;
  /** VmHWM: the most the process ever held, start-up included. */
  peakMiB: number;
  requestMiB: number;
  limitMiB: number;
}

const roundUp = (bytes: number, step: number): number => Math.ceil(bytes / MiB / step) * step;
const toMiB = (bytes: number): number => Math.round(bytes / MiB);

/** Samples the RSS of every role while `work` runs; resolves each role's highest. */
async function sampleWhile(roles: Map<string, number>, work: () => Promise<void>): Promise<Map<string, number>> {
  const highest = new Map([...roles.keys()].map((role) => [role, 0]));
  const timer = setInterval(() => {
    for (const [role, pid] of roles) highest.set(role, Math.max(highest.get(role)!, memoryOf(pid).rss));
  }, 250);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return highest;
}

/** Each role's figures: idle now, the load, then steady after `settle` seconds. */
async function measureRoles(roles: Map<string, number>, drive: () => Promise<void>): Promise<RoleMemory[]> {
  await sleep(3_000);
  const idle = new Map([...roles].map(([role, pid]) => [role, memoryOf(pid).rss]));
  const underLoad = await sampleWhile(roles, drive);
  console.error(`» load done; ${settleSeconds} s for the processes to settle`);
  await sleep(settleSeconds * 1000);
  return [...roles].map(([role, pid]) => {
    const { rss, hwm } = memoryOf(pid);
    return {
      role,
      idleMiB: toMiB(idle.get(role)!),
      underLoadMiB: toMiB(underLoad.get(role)!),
      steadyMiB: toMiB(rss),
      peakMiB: toMiB(hwm),
      requestMiB: roundUp(rss, 32),
      limitMiB: roundUp(2 * hwm, 64),
    };
  });
}

async function token(base: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (response.status !== 200) throw new Error(`the bench admin could not sign in (${response.status})`);
  return ((await response.json()) as { tokens: { accessToken: string } }).tokens.accessToken;
}

/**
 * A little of everything the API serves, one kind after the other through `base`: the catalog
 * (product), a product page, the admin's order list (order), payment of an order (payment; a 404
 * for an order that does not exist still goes through the payment service), the user list (user)
 * and an analytics report (analytics).
 */
async function driveApi(base: string): Promise<LoadTestResult[]> {
  const admin = await token(base);
  const asAdmin: LoadRequest = { method: 'GET', headers: { authorization: `Bearer ${admin}` } };
  const firstProduct = ((await (await fetch(`${base}/api/products?limit=1`)).json()) as { items: Array<{ id: string }> }).items[0]?.id;
  const loads: Array<[string, string, LoadRequest | undefined]> = [
    ['catalog list', '/api/products?limit=20', undefined],
    ['catalog search', '/api/products?limit=20&q=cotton&sort=price', undefined],
    ...(firstProduct ? ([['product page', `/api/products/${firstProduct}`, undefined]] as Array<[string, string, undefined]>) : []),
    ['orders (admin)', '/api/orders?limit=20', asAdmin],
    ['payment of an order', '/api/orders/00000000-0000-4000-8000-000000000000/payment', asAdmin],
    ['users (admin)', '/api/users?limit=20', asAdmin],
    ['analytics summary', '/api/analytics/summary', asAdmin],
  ];
  const results: LoadTestResult[] = [];
  for (const [label, path, request] of loads) results.push(await measure(label, `${base}${path}`, load, request));
  return results;
}

async function driveWeb(url: string): Promise<void> {
  for (const path of ['/', '/products', '/categories']) await measure(`web ${path}`, `${url}${path}`, { ...load, connections: Math.min(load.connections, 20) });
}

async function measureCluster(): Promise<RoleMemory[]> {
  const gatewayPort = await freePort();
  console.error(`» starting the cluster (one instance of each service) on the real servers, gateway on ${gatewayPort}`);
  cluster = await startCluster({
    databaseUrl: adminUrl,
    redis,
    amqpUrl,
    services: [
      { name: 'user', instances: 1 },
      { name: 'product', instances: 1 },
      { name: 'order', instances: 1, calls: ['product', 'payment'] },
      { name: 'analytics', instances: 1 },
      { name: 'payment', instances: 1 },
    ],
    gatewayPort,
    gatewayHost: '127.0.0.1',
    basePort: gatewayPort + 1,
    databasePrefix: run,
    redisKeyPrefix: `${run}:`,
    amqpNamespace: `${run}.`,
    logDir: join(RESULTS_DIR, 'memory-cluster'),
    env: {
      LOG_LEVEL: 'warn',
      DEMA_DATA_DIR: join(tempDir, 'cluster'),
      AMQP_QUEUE_EXPIRES_MS: '60000',
      DEMA_ADMIN_EMAIL: ADMIN.email,
      DEMA_ADMIN_PASSWORD: ADMIN.password,
    },
    gatewayEnv: ALLOW_THIS_MACHINE,
    report: (line) => console.error(`» ${line}`),
  });
  const base = cluster.gateway.url;
  const roles = new Map<string, number>([
    ['gateway', cluster.gateway.child!.pid!],
    ...cluster.instances.map((p) => [p.service, p.child!.pid!] as [string, number]),
  ]);
  let web: RunningWebApp | undefined;
  if (!values['no-web']) {
    console.error('» starting the web app in front of the gateway (builds it first unless a build is up to date)');
    web = await startWebApp({ apiUrl: base, port: await freePort(), host: '127.0.0.1', log: { info: () => undefined, error: (m) => console.error(m) } });
    if (web.pid !== undefined) roles.set('web', web.pid);
  }
  try {
    return await measureRoles(roles, async () => {
      await driveApi(base);
      if (web) await driveWeb(web.url);
    });
  } finally {
    await web?.close();
    await cluster.stop();
    cluster = undefined;
  }
}

async function measureAllInOne(): Promise<RoleMemory[]> {
  const database = `${run}_all`;
  await sql(adminUrl, `CREATE DATABASE ${database}`);
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
  const dataDir = join(tempDir, 'all-in-one');
  mkdirSync(dataDir);
  console.error('» starting the all-in-one process on the real servers');
  const server = await startAllInOneOnRealServers({ run, databaseUrl, dataDir, admin: ADMIN, log: 'memory-all-in-one.log', nodeFlags: serverNodeFlags });
  try {
    return await measureRoles(new Map([['all-in-one', server.child.pid!]]), async () => {
      await driveApi(server.base);
    });
  } finally {
    await stopChild(server.child);
  }
}

/** Leaves nothing of the run on the servers: its databases and its Redis keys (its queues expire on their own). */
async function cleanUp(): Promise<void> {
  for (const name of ['user', 'product', 'order', 'analytics', 'payment', 'all']) {
    await sql(adminUrl, `DROP DATABASE IF EXISTS ${run}_${name} WITH (FORCE)`).catch(() => undefined);
  }
  await deleteRedisKeys(redis.host, `${run}:`);
}

async function main(): Promise<void> {
  if (!existsSync('/proc/self/status')) throw new Error('bench:memory reads /proc: it runs on Linux only');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const started = new Date();
  try {
    const roles = [...(await measureCluster()), ...(await measureAllInOne())];
    const report = { measuredAt: started.toISOString(), load, settleSeconds, node: process.version, roles };
    writeFileSync(join(RESULTS_DIR, 'memory-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nMemory per role (MiB), ${started.toISOString()}; ${load.connections} connections × ${load.duration} s per load`);
    console.log('role        idle  under-load  steady  peak  → request  limit');
    for (const r of roles) {
      console.log(
        `${r.role.padEnd(11)} ${String(r.idleMiB).padStart(4)}  ${String(r.underLoadMiB).padStart(10)}  ${String(r.steadyMiB).padStart(6)}  ${String(r.peakMiB).padStart(4)}  → ${String(r.requestMiB).padStart(7)}  ${String(r.limitMiB).padStart(5)}`,
      );
    }
  } finally {
    await cleanUp();
  }
}

await main();
