import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect as connectAmqp } from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ConfigError, loadConfig, type RedisSettings, type ServiceName } from '@dema/platform';

/**
 * Node flags of every Dema server process (also in package.json's `start` and `dema` scripts). A
 * server allocates buffers, headers and objects per request that die within it; a 64 MB young
 * generation (V8's default is 16 MB) scavenges them far less often, which measured about 15 % more
 * proxied reads a second on the gateway (`npm run bench:cluster`).
 */
export const serverNodeFlags = ['--max-semi-space-size=64'];

/** One service of the cluster: how many instances, and which services it calls directly. */
export interface ClusterService {
  name: ServiceName;
  instances: number;
  /** Services it calls itself (order reserves stock in product, opens payments in payment): given as DEMA_UPSTREAM_<NAME>. */
  calls?: ServiceName[];
}

/**
 * What `npm run start:cluster` runs: two instances of each service, each its own process. A
 * service is one line; one that cannot run alone yet is simply not listed.
 */
export const clusterServices: ClusterService[] = [
  { name: 'user', instances: 2 },
  { name: 'product', instances: 2 },
  { name: 'order', instances: 2, calls: ['product', 'payment'] },
  { name: 'analytics', instances: 2 },
  { name: 'payment', instances: 2 },
];

/** Where every process of the cluster finds Redis: one server, or the seed nodes of a Redis Cluster. */
export type ClusterRedis = Pick<RedisSettings, 'host' | 'port' | 'clusterNodes'> & { password?: string | undefined };

export interface ClusterOptions {
  /** Any database on the PostgreSQL server; the per-service databases are created beside it. */
  databaseUrl: string;
  /** With `clusterNodes` a Redis Cluster, whose first seed `host`/`port` name. */
  redis: ClusterRedis;
  amqpUrl: string;
  services?: ClusterService[];
  gatewayPort?: number;
  /** Where the gateway listens (the public entry); services always listen on 127.0.0.1. */
  gatewayHost?: string;
  /** Services take ports from here up, in the order of `services` (8101, 8102, …). */
  basePort?: number;
  /** Databases are `<prefix>_<service>` (dema_user, dema_product, …). */
  databasePrefix?: string;
  redisKeyPrefix?: string;
  amqpNamespace?: string;
  /** Each process writes its output to `<logDir>/<name>.log`. */
  logDir?: string;
  /** Added to every process's environment (LOG_LEVEL, DEMA_DEMO_DATA, …). */
  env?: Record<string, string>;
  /** Added to the gateway's environment only (DEMA_RATE_LIMIT_*, …). */
  gatewayEnv?: Record<string, string>;
  /**
   * The shared secret of service-to-service calls and of every process's `/metrics` scrape
   * (`Authorization: Bearer …`); default a random one, which `Cluster.serviceToken` tells.
   */
  serviceToken?: string;
  /** Progress lines; default: none. */
  report?: (line: string) => void;
  readyTimeoutMs?: number;
}

export class ClusterError extends Error {
  override name = 'ClusterError';
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliEntry = 'apps/server/src/cli.ts';
// What the caller's environment may say about where things are: the cluster decides those itself.
// How queues are made (AMQP_QUEUE_TYPE, AMQP_QUEUE_EXPIRES_MS) is the caller's to say.
const decidedByCluster =
  /^(PORT|HOST|DATABASE_URL|[A-Z]+_DATABASE_URL|DEMA_UPSTREAM_[A-Z]+|REDIS_[A-Z_]+|AMQP_URL|AMQP_NAMESPACE|DEMA_SERVICE_TOKEN|DEMA_JWKS_URL|DEMA_TRUST_PROXY)$/;

/** The caller's environment as every process of the cluster inherits it: without what the cluster decides itself. */
export function callerEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !decidedByCluster.test(entry[0])));
}

/** One process of the cluster; `start` again after `kill` is what an orchestrator's restart does. */
export class ClusterProcess {
  child: ChildProcess | undefined;
  private expectedExit = false;

  constructor(
    readonly name: string,
    readonly service: ServiceName | 'gateway',
    readonly url: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    readonly logPath: string,
    private readonly report: (line: string) => void,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the process and resolves once its `/health/ready` answers 200. */
  async start(timeoutMs = 120_000): Promise<void> {
    const log = openSync(this.logPath, 'a');
    this.expectedExit = false;
    const child = spawn(process.execPath, [...serverNodeFlags, '--import', 'tsx', ...this.args], { cwd: repoRoot, env: this.env, stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (!this.expectedExit) this.report(`${this.name} exited (${signal ?? `code ${code}`}); not restarted: that is an orchestrator's job`);
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new ClusterError(`${this.name} exited before it was ready; the end of ${this.logPath}:\n${this.logTail()}`);
      const ready = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        async (r) => {
          await r.arrayBuffer();
          return r.status === 200;
        },
        () => false,
      );
      if (ready) return;
      await delay(250);
    }
    throw new ClusterError(`${this.name} was not ready within ${timeoutMs / 1000} s; see ${this.logPath}`);
  }

  /** The last lines the process wrote: why it did not start. */
  logTail(lines = 15): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Sends `signal` (SIGKILL: a crash) and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  /** SIGTERM, and SIGKILL if it has not gone within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
  }
}

/** A running cluster: the gateway and every service instance. */
export class Cluster {
  constructor(
    readonly gateway: ClusterProcess,
    readonly instances: ClusterProcess[],
    /** Every process's DEMA_SERVICE_TOKEN: the bearer of their `/metrics`. */
    readonly serviceToken: string,
  ) {}

  /** Instance `index` (1-based, as in its name `product-1`) of `service`. */
  instance(service: ServiceName, index: number): ClusterProcess {
    const found = this.instances.find((p) => p.name === `${service}-${index}`);
    if (!found) throw new ClusterError(`no instance ${service}-${index}`);
    return found;
  }

  /** The gateway first (no new requests), then every service instance. */
  async stop(): Promise<void> {
    await this.gateway.stop();
    await Promise.all(this.instances.map((p) => p.stop()));
  }

  /** Kills everything at once, for when a graceful stop is not possible (the parent is exiting). */
  killNow(): void {
    for (const p of [this.gateway, ...this.instances]) if (p.running) p.child!.kill('SIGKILL');
  }
}

/**
 * Runs Dema as a cluster on real servers (seed: Load Balancing): checks that PostgreSQL, Redis and
 * RabbitMQ answer (failing with a clear message when one does not), creates each service's database
 * if missing, starts `instances` processes of every service (`dema serve <service> --port N` on
 * 127.0.0.1, its own database, a service token shared by all, the upstreams it calls), then the
 * gateway with every instance in its upstream lists. First instances start before second ones, so
 * first-start work (migrations, the signing key, demo data) happens once without waiting on locks.
 * Nothing is restarted when it dies.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const report = options.report ?? (() => undefined);
  const services = options.services ?? clusterServices;
  const gatewayPort = options.gatewayPort ?? 8080;
  const basePort = options.basePort ?? 8101;
  const prefix = options.databasePrefix ?? 'dema';
  const logDir = path.resolve(options.logDir ?? '.dema/cluster');
  if (!/^[a-z][a-z0-9_]*$/.test(prefix)) throw new ClusterError(`database prefix ${prefix} must be lower-case letters, digits and _`);
  mkdirSync(logDir, { recursive: true });

  let port = basePort;
  const urls = {} as Record<ServiceName, string[]>;
  for (const service of services) urls[service.name] = Array.from({ length: service.instances }, () => `http://127.0.0.1:${port++}`);
  const taken = await portsInUse([
    gatewayPort,
    ...Object.values(urls)
      .flat()
      .map((u) => Number(new URL(u).port)),
  ]);
  if (taken.length > 0)
    throw new ClusterError(
      `Port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already in use: choose others with PORT (the gateway) and DEMA_CLUSTER_BASE_PORT (services)`,
    );
  await checkServers(options);
  const databases = await createDatabases(
    options.databaseUrl,
    prefix,
    services.map((s) => s.name),
  );
  report(
    `databases: ${Object.values(databases)
      .map((u) => new URL(u).pathname.slice(1))
      .join(', ')}`,
  );

  const shared: Record<string, string> = {
    ...callerEnvironment(process.env),
    ...redisEnvironment(options.redis, options.redisKeyPrefix ?? 'dema:'),
    ...options.env,
  };
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const serviceToken = options.serviceToken ?? randomBytes(32).toString('base64url');

  const instances: ClusterProcess[] = [];
  for (const service of services) {
    urls[service.name].forEach((url, i) => {
      const env: Record<string, string> = {
        ...shared,
        HOST: '127.0.0.1',
        PORT: new URL(url).port,
        [`${service.name.toUpperCase()}_DATABASE_URL`]: databases[service.name]!,
        AMQP_URL: options.amqpUrl,
        AMQP_NAMESPACE: options.amqpNamespace ?? '',
        DEMA_SERVICE_TOKEN: serviceToken,
        // Keys through the gateway: it balances over the user instances that are up.
        DEMA_JWKS_URL: `${gatewayUrl}/.well-known/jwks.json`,
        // The gateway is the only proxy in front of a service; its X-Forwarded-For names the client.
        DEMA_TRUST_PROXY: '127.0.0.1',
      };
      for (const called of service.calls ?? []) env[`DEMA_UPSTREAM_${called.toUpperCase()}`] = (urls[called] ?? []).join(',');
      // When Redis cannot answer whether a session has ended, the User service's instances do.
      if (service.name !== 'user' && urls.user) env.DEMA_UPSTREAM_USER = urls.user.join(',');
      const name = `${service.name}-${i + 1}`;
      instances.push(
        new ClusterProcess(
          name,
          service.name,
          url,
          [cliEntry, 'serve', service.name, '--port', new URL(url).port],
          env,
          path.join(logDir, `${name}.log`),
          report,
        ),
      );
    });
  }
  const gatewayEnv: Record<string, string> = {
    ...shared,
    HOST: options.gatewayHost ?? '0.0.0.0',
    PORT: String(gatewayPort),
    ...Object.fromEntries(services.map((s) => [`DEMA_UPSTREAM_${s.name.toUpperCase()}`, urls[s.name].join(',')])),
    // Monitoring reads each instance's database and cache figures at /internal/metrics/application.
    DEMA_SERVICE_TOKEN: serviceToken,
    // Its modules' live feeds (GraphQL subscriptions) follow the services' events.
    AMQP_URL: options.amqpUrl,
    AMQP_NAMESPACE: options.amqpNamespace ?? '',
    ...options.gatewayEnv,
  };
  const gateway = new ClusterProcess('gateway', 'gateway', gatewayUrl, [cliEntry, 'gateway'], gatewayEnv, path.join(logDir, 'gateway.log'), report);
  const cluster = new Cluster(gateway, instances, serviceToken);

  try {
    const waves = [instances.filter((p) => p.name.endsWith('-1')), instances.filter((p) => !p.name.endsWith('-1'))];
    for (const wave of waves) {
      report(`starting ${wave.map((p) => p.name).join(', ')}`);
      await Promise.all(wave.map((p) => p.start(options.readyTimeoutMs)));
    }
    report('starting the gateway');
    await gateway.start(options.readyTimeoutMs);
  } catch (error) {
    cluster.killNow();
    throw error;
  }
  return cluster;
}

/**
 * Redis as the launcher's own environment names it, read and refused as each process will read
 * it: REDIS_CLUSTER_NODES (a Redis Cluster) or REDIS_HOST / REDIS_PORT (default 127.0.0.1:6379),
 * with REDIS_PASSWORD and REDIS_KEY_PREFIX. A value a process would refuse stops the launch first.
 */
export function redisFromEnvironment(env: NodeJS.ProcessEnv): RedisSettings {
  const redisVariables = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('REDIS_')));
  try {
    // A Redis Cluster's first seed stands for REDIS_HOST, as in every process's configuration.
    const config = loadConfig({ REDIS_HOST: redisVariables.REDIS_CLUSTER_NODES ? undefined : '127.0.0.1', ...redisVariables }, false);
    return config.redis!;
  } catch (error) {
    throw error instanceof ConfigError ? new ClusterError(error.message) : error;
  }
}

/** The REDIS_* variables every process of the cluster is given: the cluster's Redis, never the caller's stray ones. */
export function redisEnvironment(redis: ClusterRedis, keyPrefix: string): Record<string, string> {
  return {
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
    ...(redis.password ? { REDIS_PASSWORD: redis.password } : {}),
    ...(redis.clusterNodes ? { REDIS_CLUSTER_NODES: redis.clusterNodes.map(({ host, port }) => `${host}:${port}`).join(',') } : {}),
    REDIS_KEY_PREFIX: keyPrefix,
  };
}

/** The ports another process listens on: a service would fail to start, or a stranger answer for it. */
async function portsInUse(ports: number[]): Promise<number[]> {
  const taken: number[] = [];
  for (const port of ports) {
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => resolve(true));
    });
    if (free) await new Promise((resolve) => server.close(resolve));
    else taken.push(port);
  }
  return taken;
}

/** Fails with what to do when PostgreSQL, Redis or RabbitMQ does not answer. */
async function checkServers(options: ClusterOptions): Promise<void> {
  const problems: string[] = [];
  const where = (url: string) => {
    const u = new URL(url);
    return `${u.hostname}:${u.port}`;
  };
  const database = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await database.connect();
    await database.query('SELECT 1');
  } catch (error) {
    problems.push(`PostgreSQL at ${where(options.databaseUrl)} does not answer (${(error as Error).message}); start it or set DATABASE_URL`);
  } finally {
    await database.end().catch(() => undefined);
  }
  // A Redis Cluster's first seed answers PING like a single server: enough to know it is there.
  const { host, port, password } = options.redis;
  const redis = new Redis({ host, port, password, lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let redisError: Error | undefined;
  redis.on('error', (error: Error) => (redisError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(
      `Redis at ${host}:${port} does not answer (${(redisError ?? (error as Error)).message}); start it or set ${options.redis.clusterNodes ? 'REDIS_CLUSTER_NODES' : 'REDIS_HOST / REDIS_PORT'}`,
    );
  } finally {
    redis.disconnect();
  }
  try {
    const connection = await connectAmqp(options.amqpUrl, { timeout: 3_000 });
    await connection.close();
  } catch (error) {
    problems.push(`RabbitMQ at ${where(options.amqpUrl)} does not answer (${(error as Error).message}); start it or set AMQP_URL`);
  }
  if (problems.length > 0) throw new ClusterError(`The cluster needs its servers:\n  - ${problems.join('\n  - ')}`);
}

/** `<prefix>_<service>` on the server of `adminUrl`, created when missing; their URLs. */
async function createDatabases(adminUrl: string, prefix: string, services: ServiceName[]): Promise<Partial<Record<ServiceName, string>>> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const urls: Partial<Record<ServiceName, string>> = {};
  try {
    for (const service of services) {
      const name = `${prefix}_${service}`;
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await admin.query(`CREATE DATABASE "${name}"`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      urls[service] = url.toString();
    }
  } finally {
    await admin.end();
  }
  return urls;
}
