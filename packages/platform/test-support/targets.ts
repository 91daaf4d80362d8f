import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type DemaConfig } from '../src/config.ts';

/**
 * Where a suite runs: always on the embedded defaults (in-memory PGlite, in-process cache), and
 * also on real PostgreSQL + Redis (+ RabbitMQ when TEST_AMQP_URL is set) when TEST_DATABASE_URL and
 * TEST_REDIS_HOST are set. With
 * DEMA_TEST_REQUIRE_REAL=1 (CI) a missing or unreachable server fails the run instead of being
 * skipped.
 */
export interface TestTarget {
  name: 'embedded' | 'postgres+redis';
  /** A fresh, empty environment: its own database and Redis key prefix. */
  environment(overrides?: Partial<DemaConfig>): Promise<TestEnvironment>;
}

export interface TestEnvironment {
  config: DemaConfig;
  inMemory: boolean;
  /** Drops what `environment` created. */
  dispose(): Promise<void>;
}

// Only this module reads the test variables: they describe the machine the tests run on.
const env = process.env;
const requireReal = env.DEMA_TEST_REQUIRE_REAL === '1';
const adminUrl = env.TEST_DATABASE_URL;
const redisHost = env.TEST_REDIS_HOST;
const redisPort = Number(env.TEST_REDIS_PORT ?? 6379);
const amqpUrl = env.TEST_AMQP_URL;

if (requireReal && (!adminUrl || !redisHost || !amqpUrl)) {
  throw new Error('DEMA_TEST_REQUIRE_REAL=1 but TEST_DATABASE_URL, TEST_REDIS_HOST or TEST_AMQP_URL is not set');
}

/** Whether a Redis Cluster test must run rather than skip when redis-server is missing (CI). */
export function redisClusterRequired(): boolean {
  return requireReal;
}

/** The RabbitMQ the tests may use, if any. */
export function testAmqpUrl(): string | undefined {
  return amqpUrl;
}

/**
 * A data dir of the environment's own (created only if something writes there, such as the local
 * mailbox): a test never writes into the developer's `.dema`.
 */
function scratchDataDir(): string {
  return path.join(os.tmpdir(), `dema-test-${randomBytes(6).toString('hex')}`);
}

function baseConfig(overrides: Partial<DemaConfig>): DemaConfig {
  return { ...loadConfig({ LOG_LEVEL: env.TEST_LOG_LEVEL ?? 'silent', DEMA_DEMO_DATA: 'false', PORT: '0', HOST: '127.0.0.1' }), ...overrides };
}

const embedded: TestTarget = {
  name: 'embedded',
  async environment(overrides = {}) {
    const dataDir = scratchDataDir();
    return { config: baseConfig({ dataDir, ...overrides }), inMemory: true, dispose: () => rm(dataDir, { recursive: true, force: true }) };
  },
};

const real: TestTarget = {
  name: 'postgres+redis',
  async environment(overrides = {}) {
    const { url, drop } = await createDatabase();
    const run = `dema-test-${randomBytes(4).toString('hex')}`;
    const keyPrefix = `${run}:`;
    const redis = { host: redisHost!, port: redisPort, password: env.TEST_REDIS_PASSWORD, keyPrefix };
    const dataDir = scratchDataDir();
    const config = baseConfig({
      dataDir,
      databaseUrls: { user: url, product: url, order: url, analytics: url, payment: url },
      redis,
      // Events cross the real broker, in a namespace of their own that the broker deletes once unused.
      ...(amqpUrl ? { amqpUrl, amqpNamespace: `${run}.`, amqpQueueExpiresMs: 60_000 } : {}),
      ...overrides,
    });
    return {
      config,
      inMemory: false,
      async dispose() {
        await drop();
        await deleteKeys(redis.host, redis.port, keyPrefix);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};

export function testTargets(): TestTarget[] {
  return adminUrl && redisHost ? [embedded, real] : [embedded];
}

/** The real-server target alone (for behaviour that only exists there, like Redis going away). */
export function realTarget(): TestTarget | undefined {
  return adminUrl && redisHost ? real : undefined;
}

export function testRedis(): { host: string; port: number } | undefined {
  return redisHost ? { host: redisHost, port: redisPort } : undefined;
}

/** A fresh PostgreSQL database on the test server, and how to drop it. */
export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `dema_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function deleteKeys(host: string, port: number, prefix: string): Promise<void> {
  const redis = new Redis({ host, port, password: env.TEST_REDIS_PASSWORD, lazyConnect: true });
  await redis.connect();
  await deleteRedisKeys(redis, prefix);
  await redis.quit();
}

/** Deletes every key under `prefix` (a test's own key prefix). */
export async function deleteRedisKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
