import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mobileDir } from './export-web.ts';

const workspaceRoot = path.resolve(mobileDir, '../..');
const tsxCli = path.join(workspaceRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface RunningDema {
  url: string;
  close(): Promise<void>;
}

/**
 * Where a Dema for the app's tests keeps its data: a fresh directory on the embedded defaults, or a
 * fresh database, Redis key prefix and RabbitMQ namespace on the TEST_* servers. `dispose` drops it.
 */
export interface Target {
  name: 'embedded' | 'postgres+redis';
  env(): Promise<{ env: Record<string, string>; dispose(): Promise<void> }>;
}

export const embedded: Target = {
  name: 'embedded',
  async env() {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dema-mobile-e2e-'));
    return { env: { DEMA_DATA_DIR: dataDir }, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  },
};

export const real: Target = {
  name: 'postgres+redis',
  async env() {
    // Imported only here: the module insists on its variables when DEMA_TEST_REQUIRE_REAL=1.
    const { createDatabase } = await import('@dema/platform/testing');
    const database = await createDatabase();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dema-mobile-e2e-'));
    const suffix = randomBytes(4).toString('hex');
    const env: Record<string, string> = {
      DEMA_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_HOST: process.env.TEST_REDIS_HOST!,
      REDIS_PORT: process.env.TEST_REDIS_PORT ?? '6379',
      REDIS_KEY_PREFIX: `dema-mobile-e2e-${suffix}:`,
    };
    if (process.env.TEST_REDIS_PASSWORD) env.REDIS_PASSWORD = process.env.TEST_REDIS_PASSWORD;
    if (process.env.TEST_AMQP_URL) {
      env.AMQP_URL = process.env.TEST_AMQP_URL;
      env.AMQP_NAMESPACE = `mobile-e2e-${suffix}.`;
      // The broker drops this run's queues once they have been unused for a minute.
      env.AMQP_QUEUE_EXPIRES_MS = '60000';
    }
    return {
      env,
      async dispose() {
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

/** Stops `child` with SIGTERM, SIGKILL after 15 s. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The all-in-one process (`npm start`) with `env` on 127.0.0.1:`port`, resolved once /health/ready
 * answers. Rejects with the process's output when it exits or is not ready within 4 minutes.
 */
export async function startDema(env: Record<string, string>, port: number): Promise<RunningDema> {
  const child: ChildProcess = spawn(process.execPath, [tsxCli, 'apps/server/src/main.ts'], {
    cwd: workspaceRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Dema exited during start:\n${output}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // Not yet listening.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Dema did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  let closing = false;
  // A Dema that dies under the tests fails them all with "fetch failed": say why, once.
  void exited.then(() => {
    if (!closing) console.error(`Dema (${url}) exited during the tests (${child.exitCode ?? child.signalCode}):\n${output}`);
  });
  return {
    url,
    close: () => {
      closing = true;
      return stopChild(child, exited);
    },
  };
}
