import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './startup.ts';

/*
 * What the browser-test harnesses of the web app (apps/web/scripts/e2e.ts) and of the mobile app's
 * web build (apps/mobile/e2e/run.ts) share: a Dema of their own, all-in-one as `npm start` runs it,
 * on a fresh data directory or on fresh databases of the TEST_* servers; and node's test runner over
 * their *.e2e.ts files. Imported as `@dema/platform/browser-tests`, apart from `@dema/platform/testing`,
 * which insists on the TEST_* variables as soon as it is loaded under DEMA_TEST_REQUIRE_REAL=1.
 */

export { freePort };

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsxCli = path.join(workspaceRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/**
 * Where a Dema for browser tests keeps its data: a fresh directory on the embedded defaults, or a
 * fresh database, Redis key prefix and RabbitMQ namespace on the TEST_* servers. `dispose` drops it.
 */
export interface DataTarget {
  name: 'embedded' | 'postgres+redis';
  env(): Promise<{ env: Record<string, string>; dispose(): Promise<void> }>;
}

/** The embedded and the real-servers data targets, their directories, keys and queues named after `label` (`e2e`, `mobile-e2e`). */
export function dataTargets(label: string): { embedded: DataTarget; real: DataTarget } {
  const dataDir = () => mkdtempSync(path.join(os.tmpdir(), `dema-${label}-`));
  return {
    embedded: {
      name: 'embedded',
      async env() {
        const dir = dataDir();
        return { env: { DEMA_DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
      },
    },
    real: {
      name: 'postgres+redis',
      async env() {
        const { createDatabase } = await import('./targets.ts');
        const database = await createDatabase();
        const dir = dataDir();
        const suffix = randomBytes(4).toString('hex');
        const env: Record<string, string> = {
          DEMA_DATA_DIR: dir,
          DATABASE_URL: database.url,
          REDIS_HOST: process.env.TEST_REDIS_HOST!,
          REDIS_PORT: process.env.TEST_REDIS_PORT ?? '6379',
          REDIS_KEY_PREFIX: `dema-${label}-${suffix}:`,
        };
        if (process.env.TEST_REDIS_PASSWORD) env.REDIS_PASSWORD = process.env.TEST_REDIS_PASSWORD;
        if (process.env.TEST_AMQP_URL) {
          env.AMQP_URL = process.env.TEST_AMQP_URL;
          env.AMQP_NAMESPACE = `${label}-${suffix}.`;
          // The broker drops this run's queues once they have been unused for a minute.
          env.AMQP_QUEUE_EXPIRES_MS = '60000';
        }
        return {
          env,
          async dispose() {
            await database.drop();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  };
}

/** Stops `child` with SIGTERM, SIGKILL after `graceMs` (default 15 s). */
export async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * The all-in-one process (`npm start`) with `env` on 127.0.0.1 and a free port, resolved once
 * /health/ready answers. Rejects with the process's output when it exits or is not ready within 4
 * minutes; says why on stderr, once, should it die under the tests.
 */
export async function startAllInOne(env: Record<string, string>): Promise<RunningApi> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [tsxCli, 'apps/server/src/main.ts'], {
    cwd: workspaceRoot,
    // The browser tests put their own web app (or the mobile export) in front: the process's own web
    // app would only take port 3000 from whatever else runs here and build Next.js for nothing. The
    // web app in front forwards each visitor's address, so the API trusts this machine as it would
    // with its own web app on.
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DEMA_WEB: 'off',
      DEMA_TRUST_PROXY: '127.0.0.1,::1,::ffff:127.0.0.1',
      // Every shopper of a browser suite signs up, signs in and renews from this one address: the
      // edge's 30 sign-in calls a minute per client would refuse a suite, not a guesser (the
      // per-account and per-address login throttles stay as they are).
      DEMA_RATE_LIMIT_AUTH: '600/60',
      ...env,
    },
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

/** The *.e2e.ts files among `files` whose names contain one of `filters` (all of them without filters), sorted. */
export function selectTestFiles(files: string[], filters: string[]): string[] {
  return files.filter((file) => file.endsWith('.e2e.ts') && (filters.length === 0 || filters.some((filter) => file.includes(filter)))).sort();
}

/** Runs `files` one at a time under node's test runner (with tsx) from `cwd`, `env` added; resolves to its exit code. */
export function runNodeTests(files: string[], cwd: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
      cwd,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * The admin a browser-test Dema is started with (DEMA_ADMIN_EMAIL / DEMA_ADMIN_PASSWORD), fresh
 * each time, named after `label`.
 */
export function newAdmin(label: string): { email: string; password: string } {
  return { email: `${label}-admin-${randomBytes(3).toString('hex')}@example.com`, password: `e2e-${randomBytes(12).toString('base64url')}` };
}
