import { ClusterError, redisFromEnvironment, startCluster, type Cluster } from './cluster-launcher.ts';

/**
 * `npm run start:cluster`: the gateway and two instances of each service as separate processes on
 * the real PostgreSQL, Redis and RabbitMQ — what an orchestrator would run, on one machine. Like the
 * bench, this entry reads the few variables that say where the servers are and hands the rest of the
 * environment to every process (LOG_LEVEL, DEMA_RATE_LIMIT_*, …).
 *
 *   DATABASE_URL  any database on the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 *                 each service gets dema_<service> beside it
 *   REDIS_HOST / REDIS_PORT   (default 127.0.0.1:6379), or REDIS_CLUSTER_NODES for a Redis Cluster;
 *                 REDIS_PASSWORD and REDIS_KEY_PREFIX with either, all handed to every process
 *   AMQP_URL      (default amqp://guest:guest@127.0.0.1:5672)
 *   PORT          the gateway's (default 8080); services take 8101 and up (DEMA_CLUSTER_BASE_PORT)
 *   DEMA_SERVICE_TOKEN  shared by every process, and the bearer of their /metrics (default a random one)
 */
const env = process.env;
const say = (line: string) => process.stdout.write(`${line}\n`);
let cluster: Cluster | undefined;

try {
  const redis = redisFromEnvironment(env);
  cluster = await startCluster({
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redis,
    redisKeyPrefix: redis.keyPrefix,
    amqpUrl: env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    gatewayPort: Number(env.PORT ?? 8080),
    gatewayHost: env.HOST ?? '0.0.0.0',
    basePort: Number(env.DEMA_CLUSTER_BASE_PORT ?? 8101),
    // Set, it lets a Prometheus scrape every process's /metrics with it.
    serviceToken: env.DEMA_SERVICE_TOKEN || undefined,
    report: (line) => say(`» ${line}`),
  });
} catch (error) {
  console.error(error instanceof ClusterError ? error.message : error);
  process.exit(1);
}

const running = cluster;
const local = running.gateway.url.replace('127.0.0.1', 'localhost');
say('');
say(`  Dema cluster: gateway at ${local}  (API docs: ${local}/api/docs, instances: ${local}/health/ready)`);
for (const instance of running.instances) say(`    ${instance.name.padEnd(12)} ${instance.url}   log: ${instance.logPath}`);
say(`    ${'gateway'.padEnd(12)} ${running.gateway.url}   log: ${running.gateway.logPath}`);
say(
  `  /metrics on each answers Authorization: Bearer ${env.DEMA_SERVICE_TOKEN ? '$DEMA_SERVICE_TOKEN' : '<a random token: set DEMA_SERVICE_TOKEN to scrape them>'}`,
);
say("  Ctrl-C stops everything gracefully. An instance that dies stays down (restarting is an orchestrator's job).");
say('');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping the gateway, then the services…`);
    running.stop().then(
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
