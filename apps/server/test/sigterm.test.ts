import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createDatabase, deleteRedisKeys, keepBusy, realTarget, statusCounts, testAmqpUrl, testRedis, type Outcome } from '@dema/platform/testing';
import { ClusterError, startCluster, type Cluster } from '../src/cluster-launcher.ts';

/**
 * SIGTERM under load to every kind of process (the all-in-one process of `npm start`, the gateway
 * and a service instance of a cluster), on the real servers: readiness answers 503 first while
 * requests are still served, requests in flight finish, no client sees an error, and the process
 * exits 0 within its shutdown timeout.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const redis = testRedis();
const amqpUrl = testAmqpUrl();
const skip = realTarget() && amqpUrl ? false : 'needs TEST_DATABASE_URL, TEST_REDIS_HOST and TEST_AMQP_URL';
const shutdownTimeoutMs = 10_000;
/** How long a process keeps serving with readiness at 503, for a balancer to notice (DEMA_SHUTDOWN_DRAIN_MS). */
const drainMs = 2_000;
const admin = { email: 'admin@sigterm.dema.dev', password: 'quartz-meadow-violin-73' };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const accepts = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * What clients of `url` saw when `child` got SIGTERM while `workers` loops sent `send`: the clients
 * behave like a load balancer, sending nothing new once `/health/ready` answers 503.
 */
async function terminateUnderLoad(url: string, child: ChildProcess, send: (signal: AbortSignal) => Promise<Response>, watchReadiness: boolean) {
  let readyDownAt: number | undefined;
  let refusedAt: number | undefined;
  const watcher = (async () => {
    while (child.exitCode === null && child.signalCode === null) {
      const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (ready === 503) readyDownAt ??= Date.now();
      if (refusedAt === undefined && !(await accepts(url))) refusedAt = Date.now();
      await delay(50);
    }
  })();
  const load = keepBusy(8, async (signal) => {
    if (watchReadiness && readyDownAt !== undefined) {
      await delay(50);
      return new Response(null, { status: 299 }); // sent nowhere: the balancer has taken it out
    }
    return send(signal);
  });
  await delay(1_500);
  const signalledAt = Date.now();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill('SIGTERM');
  const [code, signal] = await Promise.race([exited, delay(shutdownTimeoutMs + 5_000).then(() => [null, 'none within the timeout'] as const)]);
  const exitedMs = Date.now() - signalledAt;
  await load.stop();
  await watcher;
  const sent = load.outcomes.filter((o) => o.status !== 299);
  return { code, signal, exitedMs, sent, readyDownMs: readyDownAt && readyDownAt - signalledAt, refusedMs: refusedAt && refusedAt - signalledAt, signalledAt };
}

function describeOutcomes(sent: Outcome[]): string {
  return `${sent.length} requests (${statusCounts(sent)})`;
}

function assertNoClientError(sent: Outcome[]): void {
  const failed = sent.filter((o) => o.status < 200 || o.status > 299);
  assert.deepEqual(
    failed.map((o) => `${o.status} ${o.detail.slice(0, 200)}`),
    [],
    'no client saw an error',
  );
}

describe('SIGTERM under load (real servers)', { skip }, () => {
  test('the all-in-one process: readiness 503 first, in-flight requests finish, no client error, exit 0 within the shutdown timeout', {
    timeout: 120_000,
  }, async (t) => {
    const { url: databaseUrl, drop } = await createDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'dema-sigterm-'));
    const keyPrefix = `dema-test-sigterm-${randomBytes(4).toString('hex')}:`;
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMA_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DEMA_WEB: 'off',
      DEMA_DEMO_DATA: 'false',
      DATABASE_URL: databaseUrl,
      REDIS_HOST: redis!.host,
      REDIS_PORT: String(redis!.port),
      REDIS_KEY_PREFIX: keyPrefix,
      AMQP_URL: amqpUrl!,
      AMQP_NAMESPACE: `test-sigterm-${randomBytes(4).toString('hex')}.`,
      AMQP_QUEUE_EXPIRES_MS: '60000',
      DEMA_SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
      DEMA_SHUTDOWN_DRAIN_MS: String(drainMs),
      DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let printed = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (printed = (printed + chunk).slice(-4_000)));
    const base = `http://127.0.0.1:${port}`;
    try {
      for (const deadline = Date.now() + 90_000; ; await delay(250)) {
        assert.ok(child.exitCode === null && Date.now() < deadline, `did not become ready: ${printed}`);
        if (
          await fetch(`${base}/health/ready`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
      }
      const result = await terminateUnderLoad(base, child, (signal) => fetch(`${base}/api/products?limit=5`, { signal }), true);
      t.diagnostic(
        `all-in-one: ${describeOutcomes(result.sent)}; readiness 503 after ${result.readyDownMs} ms, connections refused after ${result.refusedMs} ms, exited ${result.code ?? result.signal} after ${result.exitedMs} ms`,
      );
      assert.equal(result.code, 0, `exit: ${result.code ?? result.signal}; stderr: ${printed}`);
      assert.ok(result.exitedMs < shutdownTimeoutMs, `exited after ${result.exitedMs} ms`);
      assert.ok(result.readyDownMs !== undefined, 'readiness answered 503 before the process went');
      assert.ok(result.refusedMs === undefined || result.readyDownMs < result.refusedMs, 'readiness turned 503 before new connections were refused');
      assertNoClientError(result.sent);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await drop();
      const keys = new Redis({ host: redis!.host, port: redis!.port, lazyConnect: true });
      await keys.connect();
      await deleteRedisKeys(keys, keyPrefix);
      await keys.quit();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  describe('a cluster', () => {
    const suffix = randomBytes(4).toString('hex');
    const prefix = `dema_test_sigterm_${suffix}`;
    const keyPrefix = `dema-test-sigterm-${suffix}:`;
    let logDir: string;
    let cluster: Cluster;
    let customer: string;
    let productId: string;
    const api = (pathname: string, init: RequestInit = {}) => fetch(`${cluster.gateway.url}${pathname}`, init);

    before(async () => {
      logDir = await mkdtemp(path.join(tmpdir(), 'dema-sigterm-cluster-'));
      for (let attempt = 0; ; attempt++) {
        const base = 20_000 + Math.floor(Math.random() * 20_000);
        try {
          cluster = await startCluster({
            databaseUrl: process.env.TEST_DATABASE_URL!,
            redis: redis!,
            amqpUrl: amqpUrl!,
            services: [
              { name: 'user', instances: 1 },
              { name: 'product', instances: 2 },
              { name: 'order', instances: 2, calls: ['product', 'payment'] },
              { name: 'payment', instances: 1 },
            ],
            gatewayPort: base,
            gatewayHost: '127.0.0.1',
            basePort: base + 1,
            databasePrefix: prefix,
            redisKeyPrefix: keyPrefix,
            amqpNamespace: `test-sigterm-${suffix}.`,
            logDir,
            env: {
              LOG_LEVEL: 'warn',
              DEMA_DEMO_DATA: 'false',
              DEMA_ADMIN_EMAIL: admin.email,
              DEMA_ADMIN_PASSWORD: admin.password,
              AMQP_QUEUE_EXPIRES_MS: '600000',
              DEMA_SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
              DEMA_SHUTDOWN_DRAIN_MS: String(drainMs),
            },
            gatewayEnv: { DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1' },
          });
          break;
        } catch (error) {
          if (!(error instanceof ClusterError && /already in use/.test(error.message)) || attempt > 5) throw error;
        }
      }
      const json = async <T>(response: Response) => (await response.json()) as T;
      const post = (pathname: string, body: unknown, token?: string) =>
        api(pathname, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
      const adminToken = (await json<{ tokens: { accessToken: string } }>(await post('/api/auth/login', admin))).tokens.accessToken;
      const buyer = { email: `buyer-${suffix}@sigterm.dema.dev`, password: 'tidal-orchid-lantern-42' };
      assert.equal((await post('/api/auth/signup', { ...buyer, name: 'Buyer' })).status, 202);
      customer = (await json<{ tokens: { accessToken: string } }>(await post('/api/auth/login', buyer))).tokens.accessToken;
      const category = await json<{ id: string }>(await post('/api/categories', { name: `Sigterm ${suffix}` }, adminToken));
      productId = (
        await json<{ id: string }>(await post('/api/products', { name: 'Sigterm Mug', price: 3, stock: 100_000, categoryId: category.id }, adminToken))
      ).id;
    });

    after(async () => {
      await cluster?.stop();
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      for (const service of ['user', 'product', 'order']) await client.query(`DROP DATABASE IF EXISTS ${prefix}_${service} WITH (FORCE)`);
      await client.end();
      const keys = new Redis({ host: redis!.host, port: redis!.port, lazyConnect: true });
      await keys.connect();
      await deleteRedisKeys(keys, keyPrefix);
      await keys.quit();
      await rm(logDir, { recursive: true, force: true });
    });

    // Orders without an Idempotency-Key: the gateway may not retry them, so only routing away from a draining instance keeps them from failing.
    const placeOrder = (signal: AbortSignal) =>
      Math.random() < 0.5
        ? api('/api/orders', {
            method: 'POST',
            signal,
            headers: { authorization: `Bearer ${customer}`, 'content-type': 'application/json' },
            body: JSON.stringify({ items: [{ productId, quantity: 1 }] }),
          })
        : api(`/api/products/${productId}`, { signal });

    test('a service instance: the gateway routes away while it drains; no client sees an error; exit 0 within the shutdown timeout', {
      timeout: 120_000,
    }, async (t) => {
      const victim = cluster.instance('order', 1);
      const result = await terminateUnderLoad(victim.url, victim.child!, placeOrder, false);
      t.diagnostic(
        `order-1 instance: ${describeOutcomes(result.sent)} through the gateway; its readiness 503 after ${result.readyDownMs} ms, refusing after ${result.refusedMs} ms, exited ${result.code ?? result.signal} after ${result.exitedMs} ms`,
      );
      assert.equal(result.code, 0, `exit ${result.code ?? result.signal}; ${victim.logTail()}`);
      assert.ok(result.exitedMs < shutdownTimeoutMs, `exited after ${result.exitedMs} ms`);
      assert.ok(
        result.readyDownMs !== undefined && (result.refusedMs === undefined || result.readyDownMs < result.refusedMs),
        'readiness 503 before connections were refused',
      );
      assertNoClientError(result.sent);
      await victim.start();
    });

    test('the gateway: readiness 503 first, in-flight requests finish, no client error, exit 0 within the shutdown timeout', {
      timeout: 120_000,
    }, async (t) => {
      const gateway = cluster.gateway;
      const result = await terminateUnderLoad(gateway.url, gateway.child!, placeOrder, true);
      t.diagnostic(
        `gateway: ${describeOutcomes(result.sent)}; readiness 503 after ${result.readyDownMs} ms, refusing after ${result.refusedMs} ms, exited ${result.code ?? result.signal} after ${result.exitedMs} ms`,
      );
      assert.equal(result.code, 0, `exit ${result.code ?? result.signal}; ${gateway.logTail()}`);
      assert.ok(result.exitedMs < shutdownTimeoutMs, `exited after ${result.exitedMs} ms`);
      assert.ok(
        result.readyDownMs !== undefined && (result.refusedMs === undefined || result.readyDownMs < result.refusedMs),
        'readiness 503 before connections were refused',
      );
      assertNoClientError(result.sent);
      await gateway.start();
    });
  });
});
