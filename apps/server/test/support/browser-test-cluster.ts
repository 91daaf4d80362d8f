import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { deleteRedisKeys, testAmqpUrl, testRedis } from '@dema/platform/testing';
import { ClusterError, startCluster, type Cluster, type ClusterService } from '../../src/cluster-launcher.ts';

/**
 * The cluster the browser tests' `cluster` target runs against (apps/web/scripts/e2e.ts starts this
 * file as a process, since the web app may not import server code): what `npm run start:cluster`
 * starts, on the TEST_* servers, with databases, Redis keys and a RabbitMQ namespace of its own, and
 * few instances so that it starts quickly. The rest of the environment (DEMA_ADMIN_*,
 * DEMA_ALERT_INTERVAL_MS, LOG_LEVEL) reaches every process. Prints `gateway <url>` once the gateway
 * is ready; on SIGTERM stops everything and drops what it created.
 */

const adminUrl = process.env.TEST_DATABASE_URL;
const redis = testRedis();
const amqpUrl = testAmqpUrl();
if (!adminUrl || !redis || !amqpUrl) {
  console.error('the cluster needs TEST_DATABASE_URL, TEST_REDIS_HOST and TEST_AMQP_URL');
  process.exit(1);
}

// Two product instances: the dashboard's figures are the sum over instances the gateway reads.
const services: ClusterService[] = [
  { name: 'user', instances: 1 },
  { name: 'product', instances: 2 },
  { name: 'order', instances: 1, calls: ['product', 'payment'] },
  { name: 'analytics', instances: 1 },
  { name: 'payment', instances: 1 },
];
const suffix = randomBytes(4).toString('hex');
const databasePrefix = `dema_e2e_cluster_${suffix}`;
const redisKeyPrefix = `dema-e2e-cluster-${suffix}:`;
const logDir = await mkdtemp(path.join(tmpdir(), 'dema-e2e-cluster-'));

async function dropWhatWasCreated(): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  for (const service of services) await client.query(`DROP DATABASE IF EXISTS ${databasePrefix}_${service.name} WITH (FORCE)`);
  await client.end();
  const keys = new Redis({ host: redis!.host, port: redis!.port, password: process.env.TEST_REDIS_PASSWORD, lazyConnect: true });
  await keys.connect();
  await deleteRedisKeys(keys, redisKeyPrefix);
  await keys.quit();
  await rm(logDir, { recursive: true, force: true });
}

let cluster: Cluster | undefined;
try {
  // Ports from a random base, tried again elsewhere when taken.
  for (let attempt = 0; !cluster; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    try {
      cluster = await startCluster({
        databaseUrl: adminUrl,
        redis: { ...redis, password: process.env.TEST_REDIS_PASSWORD },
        amqpUrl,
        services,
        gatewayPort: base,
        gatewayHost: '127.0.0.1',
        basePort: base + 1,
        databasePrefix,
        redisKeyPrefix,
        amqpNamespace: `e2e-cluster-${suffix}.`,
        logDir,
        // The broker drops this run's queues once they have been unused for a minute.
        env: { AMQP_QUEUE_EXPIRES_MS: '60000' },
        // Every browser request reaches the gateway from the store's server on this machine.
        gatewayEnv: { DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1' },
      });
    } catch (error) {
      if (!(error instanceof ClusterError && /already in use/.test(error.message)) || attempt >= 5) throw error;
    }
  }
} catch (error) {
  console.error(error instanceof ClusterError ? error.message : error);
  await dropWhatWasCreated().catch(() => undefined);
  process.exit(1);
}

const running = cluster;
process.stdout.write(`gateway ${running.gateway.url}\n`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    running
      .stop()
      .then(dropWhatWasCreated)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  });
}
// Whatever ends this process, no instance may outlive it.
process.on('exit', () => running.killNow());
