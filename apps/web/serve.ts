import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Serving the web app from another process (`npm start`, the end-to-end tests): build it when no
 * production build of the current sources exists, then run it (`web-server.ts`) as a child process.
 */

const appDir = path.dirname(fileURLToPath(import.meta.url));
const workspaceRoot = path.resolve(appDir, '../..');
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const fingerprintFile = path.join(appDir, '.next', 'dema-source-fingerprint');
// Next's request handler behind a server that sets the forwarding headers itself (see web-server.ts).
const webServer = path.join(appDir, 'web-server.ts');

/**
 * What the web app's processes (the build and the server) may see of this process's environment:
 * what Node needs to run, and the few variables the web app reads (lib/config.ts, web-server.ts).
 * Never the rest: the process that starts it is the API, whose environment holds the signing key,
 * the database passwords and the service token.
 */
const webVariables = new Set([
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'TZ',
  'TMPDIR',
  'NODE_EXTRA_CA_CERTS',
  'DEMA_WEB_URL',
  'DEMA_WEB_TRUST_PROXY',
  'DEMA_STORE_NAME',
  'DEMA_BODY_LIMIT',
  'DEMA_IMPORT_BODY_LIMIT',
  'DEMA_STRIPE_JS_URL',
]);
const webVariablePattern = /^(LC_[A-Z]+|NEXT_TELEMETRY_DISABLED)$/;

/** The environment of a web app process: the allowed part of `source`, then `extra`. */
export function webAppEnvironment(source: NodeJS.ProcessEnv, extra: Record<string, string> & { NODE_ENV: 'production' }): NodeJS.ProcessEnv {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && (webVariables.has(name) || webVariablePattern.test(name))) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Where progress and the child's output go; a pino logger fits. */
export interface WebAppLog {
  info(message: string): void;
  error(message: string): void;
}

export interface WebAppOptions {
  /** The API (gateway) the web app talks to, e.g. `http://127.0.0.1:8080`. */
  apiUrl: string;
  /** Port to listen on (3000 for `npm start`). */
  port: number;
  /** Interface to listen on; default all (`0.0.0.0`), like the API. */
  host?: string;
  log?: WebAppLog;
  /** Extra environment for the web app (DEMA_WEB_URL, DEMA_STORE_NAME, …). */
  env?: Record<string, string>;
}

export interface RunningWebApp {
  /** Where the web app answers, e.g. `http://localhost:3000`. */
  url: string;
  /** The web app's process (bench:memory reads its memory). */
  pid: number | undefined;
  /** Stops the web app (SIGTERM, then SIGKILL after 10 s); resolves once it has exited. */
  close(): Promise<void>;
}

const consoleLog: WebAppLog = {
  info: (message) => console.log(message),
  error: (message) => console.error(message),
};

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/**
 * A hash of everything a build is made from: the app's sources and config, the workspace packages
 * it imports (contracts, the typed client), and the Next.js version. Content, not timestamps: a fresh clone has new mtimes.
 */
export function sourceFingerprint(): string {
  const inputs = [
    ...['app', 'components', 'lib', 'public'].flatMap((dir) => filesUnder(path.join(appDir, dir))).filter((file) => !file.endsWith('.test.ts')),
    ...['next.config.ts', 'package.json', 'tsconfig.json'].map((file) => path.join(appDir, file)).filter((file) => existsSync(file)),
    ...['contracts', 'client'].flatMap((name) => filesUnder(path.join(workspaceRoot, 'packages', name, 'src'))).filter((file) => !file.endsWith('.test.ts')),
    path.join(path.dirname(nextBin), '..', '..', 'package.json'),
  ];
  return fingerprintOf(inputs, workspaceRoot);
}

/** A hash of the files' paths (relative to `base`) and contents, in a fixed order. */
export function fingerprintOf(files: string[], base: string): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(path.relative(base, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether `.next` holds a production build of exactly the current sources. */
export function isBuildCurrent(): boolean {
  if (!existsSync(path.join(appDir, '.next', 'BUILD_ID')) || !existsSync(fingerprintFile)) return false;
  return readFileSync(fingerprintFile, 'utf8').trim() === sourceFingerprint();
}

function runNext(args: string[], env: NodeJS.ProcessEnv, log: WebAppLog): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const collect = (chunk: Buffer, sink: (line: string) => void) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        sink(line);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => collect(chunk, (line) => log.info(`[web build] ${line}`)));
    child.stderr.on('data', (chunk: Buffer) => collect(chunk, (line) => log.error(`[web build] ${line}`)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`))));
  });
}

/** Builds the web app for production (`next build`) and records which sources it was built from. */
export async function buildWebApp(log: WebAppLog = consoleLog): Promise<void> {
  const fingerprint = sourceFingerprint();
  log.info('Building the web app (next build); this takes a minute the first time…');
  await runNext(['build'], webAppEnvironment(process.env, { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' }), log);
  writeFileSync(fingerprintFile, `${fingerprint}\n`);
}

const buildLock = path.join(os.tmpdir(), `dema-web-build-${createHash('sha256').update(appDir).digest('hex').slice(0, 12)}.lock`);
// Longer than any build; a lock older than this was left by a build that was killed.
const staleLockMs = 15 * 60_000;

/**
 * Builds unless a current build exists, one process at a time: two processes starting the web app
 * together (test files run in parallel) would otherwise write into the same `.next`.
 */
async function buildOnce(log: WebAppLog): Promise<void> {
  for (;;) {
    if (isBuildCurrent()) return;
    try {
      mkdirSync(buildLock);
    } catch {
      const age = Date.now() - (existsSync(buildLock) ? statSync(buildLock).mtimeMs : Date.now());
      if (age > staleLockMs) rmSync(buildLock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    try {
      if (!isBuildCurrent()) await buildWebApp(log);
      return;
    } finally {
      rmSync(buildLock, { recursive: true, force: true });
    }
  }
}

/**
 * Rejects with the listen error itself (EADDRINUSE, EACCES: its `code` and `port`, for the caller to
 * name the setting) when `port` cannot be had: before a build of a minute rather than after it.
 */
async function ensurePortFree(host: string, port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  await new Promise((resolve) => server.close(resolve));
}

async function waitUntilServing(url: string, exited: () => string | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = exited();
    if (failure !== null) throw new Error(failure);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the web app did not answer on ${url} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Serves the production web app on `port`, talking to the API at `apiUrl`. Builds first when no
 * up-to-date build exists. Resolves once the app answers; rejects if it cannot start.
 */
export async function startWebApp({ apiUrl, port, host = '0.0.0.0', log = consoleLog, env = {} }: WebAppOptions): Promise<RunningWebApp> {
  await ensurePortFree(host, port);
  await buildOnce(log);
  const child = spawn(process.execPath, ['--import', 'tsx', webServer, '--port', String(port), '--hostname', host], {
    cwd: appDir,
    env: webAppEnvironment(process.env, { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', DEMA_API_URL: apiUrl }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exitMessage: string | null = null;
  let closing = false;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exitMessage = `the web app exited (${signal ?? `code ${code}`})`;
      if (!closing) log.error(exitMessage);
      resolve();
    });
  });
  child.on('error', (error) => {
    exitMessage = `the web app could not start: ${error.message}`;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log.info(`[web] ${line}`);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) log.error(`[web] ${line}`);
  });

  const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const close = async (): Promise<void> => {
    closing = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilServing(`http://${probeHost}:${port}`, () => exitMessage, 60_000);
  } catch (error) {
    await close();
    throw error;
  }
  const shownHost = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host;
  return { url: `http://${shownHost}:${port}`, pid: child.pid, close };
}

// `tsx apps/web/serve.ts`: serve the web app alone against DEMA_API_URL (default the embedded API).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.WEB_PORT ?? 3000);
  const app = await startWebApp({ apiUrl: process.env.DEMA_API_URL ?? 'http://127.0.0.1:8080', port }).catch((error: NodeJS.ErrnoException) => {
    if (error.syscall !== 'listen') throw error;
    console.error(`Port ${port} cannot be used (${error.code}; WEB_PORT): stop the process listening there, or choose another with WEB_PORT`);
    process.exit(1);
  });
  console.log(`  Web app: ${app.url}`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
