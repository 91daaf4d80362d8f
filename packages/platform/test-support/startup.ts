import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';

/*
 * Test support for "a start that cannot succeed says why in one line": runs an entry point (a
 * service alone, the all-in-one process, the gateway, the `dema` CLI) as its own process, the way
 * an operator starts it, and checks what it printed.
 */

const repoRoot = new URL('../../../', import.meta.url);

/** How a process ended, and everything it wrote on stdout and stderr. */
export interface EntryResult {
  code: number | null;
  output: string;
}

export interface RunOptions {
  /** Command-line arguments after the entry. */
  args?: string[];
  /** Written to its stdin, which is then closed; default: no stdin. */
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs `node --import tsx <entry> ...args` from the repository root with `env` added to this
 * process's environment (the API alone, on a port of its own unless `env` says otherwise), and
 * resolves once it exits; killed after `timeoutMs` (default a minute).
 */
export function runEntry(entry: string, env: Record<string, string>, options: RunOptions = {}): Promise<EntryResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...(options.args ?? [])], {
      cwd: repoRoot,
      env: { ...process.env, DEMA_WEB: 'off', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    child.stdin?.end(options.input);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Asserts a failed start as an operator should see it: a non-zero exit, no stack trace, and a last
 * line that matches each of `patterns` (why, which variable, what to do).
 */
export function assertOneLine(result: EntryResult, ...patterns: Array<string | RegExp>): void {
  assert.notEqual(result.code, 0, `exited with 0:\n${result.output}`);
  assert.doesNotMatch(result.output, / {4}at /, `no stack trace:\n${result.output}`);
  const line = result.output.trim().split('\n').at(-1) ?? '';
  for (const pattern of patterns) assert.match(line, typeof pattern === 'string' ? new RegExp(pattern) : pattern, `in:\n${result.output}`);
}

/** A server holding a port on every interface, as a process already running there would. */
export async function occupyPort(wanted = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '0.0.0.0', resolve);
  });
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const held = await occupyPort();
  await held.close();
  return held.port;
}
