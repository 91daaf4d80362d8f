import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createInfrastructure, loadConfig } from '@dema/platform';
import { createUserService } from '@dema/user';
import { serverNodeFlags } from '../apps/server/src/cluster-launcher.ts';
import { positiveInt, runLoadTest, type LoadTestResult } from './load-test.ts';
import { deleteRedisKeys, RESULTS_DIR, sql, startAllInOneOnRealServers } from './processes.ts';

/**
 * `npm run bench:orders`: orders per second at 100 concurrent customers on PostgreSQL (+ Redis and
 * RabbitMQ), three items per order from a catalog of 1,000 products, through the all-in-one
 * process. Every order is a whole checkout: a shipping address (one of five US states), a shipping
 * method, the state's tax and a promotion code. Every order is checked afterwards: as many order
 * rows as 201s, the stock taken is exactly three units per order, and every order used the code.
 */

const ADMIN = { email: 'bench-admin@dema.dev', password: 'orders-load-generator-7' };
const STOCK_PER_PRODUCT = 10_000_000;

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: process.env.BENCH_QUICK === '1' ? '5' : '30' },
    warmup: { type: 'string', default: '5' },
    products: { type: 'string', default: '1000' },
    'items-per-order': { type: 'string', default: '3' },
    // Shoppers browsing the catalog while others order: the cache's hit ratio under a mixed load.
    readers: { type: 'string', default: '0' },
  },
});
const connections = positiveInt(values.connections, '--connections');
const duration = positiveInt(values.duration, '--duration');
const productCount = positiveInt(values.products, '--products');
const itemsPerOrder = positiveInt(values['items-per-order'], '--items-per-order');
const readers = values.readers === '0' ? 0 : positiveInt(values.readers, '--readers');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisHost = process.env.REDIS_HOST ?? '127.0.0.1';

const run = `bench-${randomBytes(4).toString('hex')}`;
const database = run.replace('-', '_');
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
const dataDir = mkdtempSync(join(tmpdir(), 'dema-bench-orders-'));
let child: ChildProcess | undefined;

async function main(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await sql(adminUrl, `CREATE DATABASE ${database}`);
  // BENCH_SERVER_FLAGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to look inside the server.
  const serverFlags = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
  const server = await startAllInOneOnRealServers({
    run,
    databaseUrl,
    dataDir,
    admin: ADMIN,
    log: 'orders-server.log',
    nodeFlags: [...serverNodeFlags, ...serverFlags],
  });
  child = server.child;
  const { base } = server;
  const pid = server.child.pid!;

  // Customers and their tokens come from the User service's own code on the same database (signing
  // up 100 accounts from one address through the API would be throttled, as it should be).
  const infra = await createInfrastructure(
    { ...loadConfig({ DATABASE_URL: databaseUrl, REDIS_HOST: redisHost, REDIS_KEY_PREFIX: `${run}:`, LOG_LEVEL: 'warn', DEMA_DEMO_DATA: 'false' }) },
    { name: 'bench-setup' },
  );
  const users = await createUserService(infra);
  const adminToken = (await users.identity.login(ADMIN.email, ADMIN.password, '10.255.0.1')).tokens.accessToken;
  const tokens: string[] = [];
  for (let i = 0; i < connections; i++) {
    const email = `customer${i}@bench.dema.dev`;
    await users.identity.createUser(email, 'placing-many-orders-42', `Customer ${i}`, 'customer');
    tokens.push((await users.identity.login(email, 'placing-many-orders-42', `10.0.${i >> 8}.${i & 255}`)).tokens.accessToken);
  }
  await infra.close();

  const productIds = await createCatalog(base, adminToken);
  const checkout = await configureCheckout(base, adminToken);
  console.log(
    `catalog: ${productIds.length} products; ${tokens.length} customers; ${itemsPerOrder} items per order; checkout with address, shipping, tax and code`,
  );

  let nextToken = 0;
  const cacheBefore = await cacheLookups(base, adminToken);
  const cpuBefore = processCpuMs(pid);
  const serversCpuBefore = serversCpuMs();
  const browsing = readers === 0 ? undefined : browseCatalog(base, productIds);
  const result = await runLoadTest({
    url: `${base}/api/orders`,
    method: 'POST',
    concurrentUsers: connections,
    duration,
    warmup: Number(values.warmup),
    requests: [
      {
        method: 'POST',
        path: '/api/orders',
        setupRequest(request, context) {
          context.token ??= tokens[nextToken++ % tokens.length];
          const chosen = new Set<string>();
          while (chosen.size < itemsPerOrder) chosen.add(productIds[Math.floor(Math.random() * productIds.length)]!);
          return {
            ...request,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${String(context.token)}`, 'idempotency-key': randomUUID() },
            body: JSON.stringify({
              items: [...chosen].map((productId) => ({ productId, quantity: 1 })),
              shippingAddress: benchAddresses[Math.floor(Math.random() * benchAddresses.length)],
              shippingMethodId: checkout.methodId,
              promotionCode: checkout.code,
            }),
          };
        },
      },
    ],
  });

  const serverCpuMs = processCpuMs(pid) - cpuBefore;
  const serversCpuAfter = serversCpuMs();
  const browsed = await browsing;
  const cacheAfter = await cacheLookups(base, adminToken);
  const loadEnded = Date.now();
  const checks = await verify(base, adminToken, productIds);
  Object.assign(checks, await analyticsCatchUp(Number(checks.orders), loadEnded));
  const perOrder = (ms: number) => Math.round((ms / Math.max(1, Number(checks.orders))) * 100) / 100;
  checks.serverCpuMsPerOrder = perOrder(serverCpuMs);
  for (const [server, after] of Object.entries(serversCpuAfter)) checks[`${server}CpuMsPerOrder`] = perOrder(after - (serversCpuBefore[server] ?? 0));
  const hits = cacheAfter.hits - cacheBefore.hits;
  const misses = cacheAfter.misses - cacheBefore.misses;
  checks.cacheLookups = hits + misses;
  if (hits + misses > 0) checks.cacheHitRatio = Math.round((hits / (hits + misses)) * 1000) / 1000;
  if (browsed) {
    checks.catalogReadsPerSecond = browsed.metrics.throughput;
    checks.catalogReadP99Ms = browsed.metrics.p99ResponseTime;
    checks.catalogReadErrorRate = browsed.metrics.errorRate;
  }
  const targets = [
    { target: 'throughput ≥ 500 orders/s', actual: result.metrics.throughput, pass: result.metrics.throughput >= 500 },
    { target: 'p99 ≤ 500 ms', actual: result.metrics.p99ResponseTime, pass: result.metrics.p99ResponseTime <= 500 },
    { target: 'error rate 0', actual: result.metrics.errorRate, pass: result.metrics.errorRate === 0 },
  ];
  report(result, checks, targets);
  writeFileSync(
    join(RESULTS_DIR, `orders-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ result, checks, targets, node: process.version }, null, 2),
  );
}

/**
 * `readers` anonymous shoppers paging through the catalog and opening products, for as long as the
 * orders run: the pages a shop's visitors read while others buy, whose cache entries the stock
 * moves of the orders keep changing.
 */
function browseCatalog(base: string, productIds: string[]): Promise<LoadTestResult> {
  const pages = Math.ceil(productIds.length / 20);
  return runLoadTest({
    url: `${base}/api/products`,
    concurrentUsers: readers,
    duration,
    warmup: Number(values.warmup),
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path:
            Math.random() < 0.5
              ? `/api/products?limit=20&offset=${20 * Math.floor(Math.random() * pages)}`
              : `/api/products/${productIds[Math.floor(Math.random() * productIds.length)]}`,
        }),
      },
    ],
  });
}

/** The process's cache look-ups so far (every cache in it), from the admin's monitoring page. */
async function cacheLookups(base: string, token: string): Promise<{ hits: number; misses: number }> {
  const response = await fetch(`${base}/api/monitoring/application`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET /api/monitoring/application: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { cache: { hits: number; misses: number } }).cache;
}

/** User + system CPU time the process has used so far (Linux /proc), in ms. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

/** The processes of each server the bench runs against, by their command name. */
const serverProcesses = { postgres: 'postgres', redis: 'redis-server', rabbitmq: 'beam.smp' } as const;

/**
 * CPU time the local PostgreSQL, Redis and RabbitMQ have used so far, in ms, each summed over its
 * processes: with the servers on this machine, the difference over the load is each one's CPU per
 * order, which the Node process's own figure leaves out. A child's time is counted too (cutime,
 * cstime: the postmaster reaps its backends), so a connection closed during the load still counts.
 * A server not running here is left out; other work on the same servers would be counted in.
 */
function serversCpuMs(): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it ended since the listing
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const server = Object.entries(serverProcesses).find(([, command]) => name === command)?.[0];
    if (server === undefined) continue;
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    totals[server] = (totals[server] ?? 0) + (ticks * 1000) / 100;
  }
  return totals;
}

/** Where the bench's customers live: five states, each with a tax rate of its own. */
const benchAddresses = [
  ['NY', '10001', 'New York'],
  ['CA', '94105', 'San Francisco'],
  ['TX', '73301', 'Austin'],
  ['WA', '98101', 'Seattle'],
  ['IL', '60601', 'Chicago'],
].map(([region, postalCode, city]) => ({ firstName: 'Bench', lastName: 'Customer', line1: '1 Load St', city, region, postalCode, country: 'US' }));

/** A US zone with a flat and a free-above method, a rate per state, and a 10 % code without limits. */
async function configureCheckout(base: string, token: string): Promise<{ methodId: string; code: string }> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const zone = await post('/api/shipping-zones', { name: 'Bench US', countries: ['US'], taxShipping: true });
  await post(`/api/shipping-zones/${zone.id}/methods`, { name: 'Bench Flat', rate: { kind: 'flat', amount: 4.95 } });
  const method = await post(`/api/shipping-zones/${zone.id}/methods`, { name: 'Bench Standard', rate: { kind: 'free_above', amount: 6.5, threshold: 250 } });
  const rates = { NY: '8.875', CA: '7.25', TX: '6.25', WA: '6.5', IL: '6.25' };
  for (const [region, rate] of Object.entries(rates)) await post('/api/tax-rates', { name: `${region} sales tax`, country: 'US', region, rate });
  await post('/api/promotions', { code: 'BENCH10', kind: 'percentage', value: '10' });
  return { methodId: method.id, code: 'BENCH10' };
}

async function createCatalog(base: string, token: string): Promise<string[]> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const categories: string[] = [];
  for (let c = 0; c < 10; c++) {
    const response = await fetch(`${base}/api/categories`, { method: 'POST', headers, body: JSON.stringify({ name: `Bench category ${c}` }) });
    categories.push(((await response.json()) as { id: string }).id);
  }
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < productCount) {
        const n = next++;
        const body = {
          name: `Bench product ${n}`,
          price: Number((1 + (n % 500) + 0.99).toFixed(2)),
          stock: STOCK_PER_PRODUCT,
          categoryId: categories[n % categories.length],
        };
        const response = await fetch(`${base}/api/products`, { method: 'POST', headers, body: JSON.stringify(body) });
        if (response.status !== 201) throw new Error(`creating a product: ${response.status} ${await response.text()}`);
        ids.push(((await response.json()) as { id: string }).id);
      }
    }),
  );
  return ids;
}

/** Nothing lost, nothing doubled: the database agrees with what the clients were told. */
async function verify(base: string, adminToken: string, productIds: string[]): Promise<Record<string, number | boolean>> {
  // Requests still in flight when the load stopped finish first (each is a pending placement until then).
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM "order".pending_orders');
    await client.end();
    if (rows[0]!.n === 0) break;
    await sleep(500);
  }
  const orders = await fetch(`${base}/api/orders?limit=1`, { headers: { authorization: `Bearer ${adminToken}` } });
  const orderCount = ((await orders.json()) as { total: number }).total;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const taken = await client.query<{ units: string }>('SELECT sum($1::bigint - stock)::text AS units FROM product.products WHERE id = ANY($2::uuid[])', [
      STOCK_PER_PRODUCT,
      productIds,
    ]);
    const items = await client.query<{ units: string }>('SELECT COALESCE(sum(quantity), 0)::text AS units FROM "order".order_items');
    const pending = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM "order".pending_orders');
    const uncharged = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "order".orders o
        WHERE o.promotion IS NULL OR o.shipping_address IS NULL OR o.tax_total = 0
           OR NOT EXISTS (SELECT 1 FROM "order".promotion_redemptions r WHERE r.order_id = o.id)`,
    );
    return {
      ordersWithoutTheWholeCheckout: uncharged.rows[0]!.n,
      orders: orderCount,
      unitsOrdered: Number(items.rows[0]!.units),
      unitsTakenFromStock: Number(taken.rows[0]!.units),
      stockMatchesOrders: items.rows[0]!.units === taken.rows[0]!.units,
      unfinishedPlacements: pending.rows[0]!.n,
    };
  } finally {
    await client.end();
  }
}

/**
 * Analytics consumes every order's events behind the load, through RabbitMQ: how far behind it
 * was when the load ended, and how long it took to count every order (it must, or events were lost).
 */
async function analyticsCatchUp(orders: number, loadEnded: number): Promise<Record<string, number | boolean>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const counted = async () => (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics.order_facts')).rows[0]!.n;
    const behindAtEnd = orders - (await counted());
    const deadline = Date.now() + 300_000;
    let n = await counted();
    while (n < orders && Date.now() < deadline) {
      await sleep(250);
      n = await counted();
    }
    return {
      analyticsOrdersBehindAtLoadEnd: behindAtEnd,
      analyticsCountedEveryOrder: n === orders,
      analyticsCaughtUpSecondsAfterLoad: Math.round((Date.now() - loadEnded) / 100) / 10,
    };
  } finally {
    await client.end();
  }
}

function report(result: LoadTestResult, checks: Record<string, number | boolean>, targets: Array<{ target: string; actual: number; pass: boolean }>): void {
  const m = result.metrics;
  console.log(`\nPOST /api/orders, ${result.concurrentUsers} customers, ${result.duration} s (PostgreSQL + Redis + RabbitMQ, all-in-one process)`);
  console.log(
    `  throughput ${m.throughput} orders/s · avg ${m.avgResponseTime} ms · p95 ${m.p95ResponseTime} ms · p99 ${m.p99ResponseTime} ms · errors ${(m.errorRate * 100).toFixed(3)} %`,
  );
  console.log(`  checks: ${JSON.stringify(checks)}`);
  for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'} ${t.target} (${t.actual})`);
  console.log(`\n${JSON.stringify(result)}`);
}

async function cleanUp(): Promise<void> {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    child.kill('SIGKILL');
  }
  // BENCH_KEEP_DATABASE=1 leaves the database for a look at its tables and statistics afterwards.
  if (process.env.BENCH_KEEP_DATABASE === '1') console.log(`database kept: ${databaseUrl}`);
  else await sql(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  await deleteRedisKeys(redisHost, `${run}:`);
  rmSync(dataDir, { recursive: true, force: true });
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
