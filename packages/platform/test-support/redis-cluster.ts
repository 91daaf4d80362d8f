import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { occupyPort } from './startup.ts';
import { realServersRequired } from './targets.ts';
import { waitFor } from './wait.ts';

// From PATH, as an operator would run them (Debian's redis-server package installs both).
const redisServer = 'redis-server';
const redisCli = 'redis-cli';
const run = promisify(execFile);

/**
 * Three masters and three replicas on this machine, started from the redis-server on PATH in a
 * temporary directory. A node that dies unannounced is noticed within a second
 * (cluster-node-timeout) and its replica takes its slots over.
 */
export interface LocalRedisCluster {
  /** Every node, masters and replicas: what REDIS_CLUSTER_NODES would list. */
  nodes: Array<{ host: string; port: number }>;
  /** The port of the master serving `key` now (the full key, prefix included). */
  masterOf(key: string): Promise<number>;
  /**
   * Kills the node on `port` (SIGKILL, as a crash) and waits until the cluster is ok again on three
   * masters, none of them that node: a master's replica has taken its slots over.
   */
  killNode(port: number): Promise<void>;
  /** The port of the node on which the client whose connection name contains `name` is subscribed. */
  subscribedNode(name: string): Promise<number | undefined>;
  /** Kills every node and removes their files. */
  stop(): Promise<void>;
}

/**
 * Starts a cluster (every node requiring `password`, when given) and waits until every replica is
 * in sync; check `redisClusterSkip` first. A node that does not come up (its port taken between
 * being found free and the server binding it, on a busy machine) makes it start over on new ports,
 * three times at most.
 */
export async function startRedisCluster(options: { password?: string } = {}): Promise<LocalRedisCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisClusterOnce(options);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function startRedisClusterOnce(options: { password?: string }): Promise<LocalRedisCluster> {
  const { password } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dema-redis-cluster-'));
  const processes = new Map<number, ChildProcess>();
  const stop = async () => {
    await Promise.all(
      [...processes.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // A test process that dies without `stop` must not leave six servers behind.
    process.once('exit', () => {
      for (const child of processes.values()) child.kill('SIGKILL');
    });
    const ports = await clusterPorts(6);
    const output = new Map<number, string>();
    for (const port of ports) {
      const child = spawn(
        redisServer,
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes'],
          ...['--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '1000'],
          // A replica whose link to its master broke takes over however long ago that was: the test kills masters at once.
          ...['--cluster-replica-validity-factor', '0', '--save', '', '--appendonly', 'yes', '--appendfilename', `appendonly-${port}.aof`],
          ...['--appenddirname', `aof-${port}`],
          ...(password ? ['--requirepass', password, '--masterauth', password] : []),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      // The end of what the node said, for the error when it does not come up.
      const keep = (chunk: Buffer) => output.set(port, ((output.get(port) ?? '') + chunk.toString()).slice(-2_000));
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      processes.set(port, child);
    }
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    const running = (port: number) => processes.get(port)!.exitCode === null && processes.get(port)!.signalCode === null;
    await waitFor(
      'every redis node to answer',
      async () => {
        const exited = ports.find((port) => !running(port));
        if (exited !== undefined) throw new Error(`redis-server on port ${exited} exited: ${output.get(exited) ?? '(no output)'}`);
        return (await Promise.all(ports.map((port) => answers(port, password)))).every(Boolean);
      },
      10_000,
    );
    const auth = password ? ['-a', password, '--no-auth-warning'] : [];
    await run(redisCli, [...auth, '--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes']);
    await waitFor('the cluster to be ok with every replica in sync', () => clusterSettled(ports, password), 30_000);

    return {
      nodes,
      async masterOf(key) {
        const admin = await connect(ports.find(running)!, password);
        try {
          const slot = (await admin.call('CLUSTER', 'KEYSLOT', key)) as number;
          return masterPorts(await clusterNodes(admin)).find((master) => master.slots.some(([from, to]) => slot >= from && slot <= to))!.port;
        } finally {
          admin.disconnect();
        }
      },
      async subscribedNode(name) {
        for (const port of ports.filter(running)) {
          const admin = await connect(port, password);
          try {
            const clients = ((await admin.call('CLIENT', 'LIST')) as string).split('\n');
            if (clients.some((client) => / sub=[1-9]/.test(client) && client.split(' ').some((field) => field.startsWith('name=') && field.includes(name))))
              return port;
          } finally {
            admin.disconnect();
          }
        }
        return undefined;
      },
      async killNode(port) {
        const child = processes.get(port)!;
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
        const alive = ports.filter((other) => other !== port);
        await waitFor(`a replica to take over the slots of ${port}`, () => clusterSettled(alive, password, port), 30_000);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Whether this machine can start a cluster; false only when allowed to skip (see `realServersRequired`). */
export function redisClusterSkip(): string | false {
  if ([redisServer, redisCli].every((command) => spawnSync(command, ['--version']).error === undefined)) return false;
  if (realServersRequired()) throw new Error(`DEMA_TEST_REQUIRE_REAL=1 but ${redisServer} or ${redisCli} is not on PATH`);
  return `${redisServer} or ${redisCli} is not on PATH`;
}

/** `count` free ports whose cluster bus ports (port + 10000) are free too. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const held = await occupyPort();
    await held.close();
    if (held.port > 55_000 || ports.includes(held.port)) continue;
    const bus = await occupyPort(held.port + 10_000).catch(() => undefined);
    if (!bus) continue;
    await bus.close();
    ports.push(held.port);
  }
  return ports;
}

async function connect(port: number, password: string | undefined): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

async function answers(port: number, password: string | undefined): Promise<boolean> {
  try {
    const redis = await connect(port, password);
    redis.disconnect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Every node in `ports` says the cluster is ok, sees three masters none of which is `gone`, and
 * every replica's link to its master is up (so what the masters hold is on their replicas).
 */
async function clusterSettled(ports: number[], password: string | undefined, gone?: number): Promise<boolean> {
  try {
    for (const port of ports) {
      const redis = await connect(port, password);
      try {
        const info = (await redis.call('CLUSTER', 'INFO')) as string;
        if (!info.includes('cluster_state:ok')) return false;
        const masters = masterPorts(await clusterNodes(redis));
        if (masters.length !== 3 || masters.some((master) => master.port === gone)) return false;
        const replication = await redis.info('replication');
        if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
      } finally {
        redis.disconnect();
      }
    }
    return true;
  } catch {
    return false;
  }
}

async function clusterNodes(redis: Redis): Promise<string[]> {
  return ((await redis.call('CLUSTER', 'NODES')) as string).trim().split('\n');
}

/** The masters that serve slots, from CLUSTER NODES lines (`id host:port@bus flags master … slots`). */
function masterPorts(lines: string[]): Array<{ port: number; slots: Array<[number, number]> }> {
  return lines
    .map((line) => line.split(' '))
    .filter((fields) => fields[2]!.includes('master') && !fields[2]!.includes('fail') && fields.length > 8)
    .map((fields) => ({
      port: Number(fields[1]!.split('@')[0]!.split(':')[1]),
      slots: fields
        .slice(8)
        .filter((range) => !range.startsWith('['))
        .map((range) => {
          const [from, to = from] = range.split('-').map(Number);
          return [from!, to!] as [number, number];
        }),
    }));
}
