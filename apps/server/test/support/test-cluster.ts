import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { deleteRedisKeys, testAmqpUrl, testRedis } from '@dema/platform/testing';
import { ClusterError, startCluster, type Cluster, type ClusterOptions, type ClusterService } from '../../src/cluster-launcher.ts';

/** Why a cluster test cannot run here, or false when TEST_DATABASE_URL, TEST_REDIS_HOST and TEST_AMQP_URL are all set. */
export const clusterSkip = process.env.TEST_DATABASE_URL && testRedis() && testAmqpUrl() ? false : 'needs TEST_DATABASE_URL, TEST_REDIS_HOST and TEST_AMQP_URL';

export interface TestCluster {
  cluster: Cluster;
  /** Random per cluster: makes emails and names of the test's own unique. */
  suffix: string;
  /** Stops every process, drops the cluster's databases and Redis keys, deletes its logs. */
  close(): Promise<void>;
}

/**
 * A cluster on the test servers with databases, Redis key prefix and RabbitMQ namespace of its own
 * (named after `name` and a random suffix), no demo data, `admin` as its first admin, and ports
 * from a random base, tried again elsewhere when taken.
 */
export async function startTestCluster(
  name: string,
  options: { services: ClusterService[]; admin: { email: string; password: string } } & Pick<ClusterOptions, 'env' | 'gatewayEnv'>,
): Promise<TestCluster> {
  const databaseUrl = process.env.TEST_DATABASE_URL!;
  const redis = testRedis()!;
  const suffix = randomBytes(4).toString('hex');
  const databasePrefix = `dema_test_${name}_${suffix}`;
  const redisKeyPrefix = `dema-test-${name}-${suffix}:`;
  const logDir = await mkdtemp(path.join(tmpdir(), `dema-${name}-`));
  const close = async (cluster?: Cluster) => {
    await cluster?.stop();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    for (const service of options.services) await client.query(`DROP DATABASE IF EXISTS ${databasePrefix}_${service.name} WITH (FORCE)`);
    await client.end();
    const keys = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
    await keys.connect();
    await deleteRedisKeys(keys, redisKeyPrefix);
    await keys.quit();
    await rm(logDir, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    try {
      const cluster = await startCluster({
        databaseUrl,
        redis,
        amqpUrl: testAmqpUrl()!,
        services: options.services,
        gatewayPort: base,
        gatewayHost: '127.0.0.1',
        basePort: base + 1,
        databasePrefix,
        redisKeyPrefix,
        amqpNamespace: `test-${name}-${suffix}.`,
        logDir,
        env: {
          LOG_LEVEL: 'warn',
          DEMA_DEMO_DATA: 'false',
          DEMA_ADMIN_EMAIL: options.admin.email,
          DEMA_ADMIN_PASSWORD: options.admin.password,
          AMQP_QUEUE_EXPIRES_MS: '600000',
          ...options.env,
        },
        gatewayEnv: options.gatewayEnv,
      });
      return { cluster, suffix, close: () => close(cluster) };
    } catch (error) {
      if (!(error instanceof ClusterError && /already in use/.test(error.message)) || attempt > 5) {
        await close().catch(() => undefined);
        throw error;
      }
    }
  }
}
