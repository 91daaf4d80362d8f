import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serverNodeFlags } from '../apps/server/src/cluster-launcher.ts';
import type { LoadTestResult } from './load-test.js';
import {
  freePort,
  installCleanup,
  loadOptionSpec,
  measure,
  readLoad,
  RESULTS_DIR,
  spawnTs,
  startListening,
  stopChild,
  waitUntilReady,
  wasInterrupted,
  type LoadOptions,
} from './processes.ts';

/** `npm run bench`: Dema against a bare Node.js server serving the same bytes, on this machine. */

const DEMA_ENTRY = 'apps/server/src/main.ts';
const CACHE_OFF_CONNECTIONS = 100;

interface BenchConfig extends LoadOptions {
  cacheOffScenario: boolean;
}

interface RunningServer {
  baseUrl: string;
  child: ChildProcess;
}

type Mode = 'embedded' | 'postgres+redis';

interface Summary {
  dema: LoadTestResult;
  bare: LoadTestResult;
  ratio: number;
  /** Dema asked with `Accept-Encoding: br, gzip`: the cached page's brotli bytes. */
  compressed: LoadTestResult;
  /** Compressed Dema / the bare server serving the uncompressed bytes. */
  compressedRatio: number;
  /** The endpoint's answer in bytes: plain, brotli, gzip. */
  sizes: { plain: number; br: number; gzip: number };
  cacheOff: LoadTestResult | null;
  mode: Mode;
  config: BenchConfig;
  startedAt: string;
  node: string;
  targets: TargetCheck[];
}

interface TargetCheck {
  target: string;
  actual: number;
  pass: boolean;
}

function parseConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: { ...loadOptionSpec(env, 3), 'no-cache-scenario': { type: 'boolean', default: false } },
  });
  return { ...readLoad(values), cacheOffScenario: !values['no-cache-scenario'] };
}

// ---- servers under test -----------------------------------------------------------------------

/**
 * Dema's output goes to a file, not a pipe: a pipe that this process (busy generating load) did
 * not read would fill and block the server's logging.
 */
async function startDema(name: string, env: Record<string, string>, dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  const logPath = join(RESULTS_DIR, `${name}.log`);
  const log = openSync(logPath, 'w');
  const child = spawnTs(
    DEMA_ENTRY,
    [],
    {
      // A data dir of the bench's own (unless the caller names one) keeps the developer's .dema out
      // of it, and keeps it from racing a dev server that uses the same PGlite files.
      // Access logs off unless the caller sets LOG_LEVEL: one JSON line per request is a log
      // pipeline's cost, not the API's.
      // The load comes from this machine's address: what the rate-limit allowlist is for. No store.
      env: {
        DEMA_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1,::ffff:127.0.0.1',
        DEMA_WEB: 'off',
        ...process.env,
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', log, log],
    },
    serverNodeFlags,
  );
  closeSync(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  console.error(`» starting ${name} on port ${port} (log: ${logPath})`);
  await waitUntilReady(`${baseUrl}/health/ready`, child, logPath);
  return { baseUrl, child };
}

/** The answer's bytes as sent, in `coding` (fetch would decompress them). */
function fetchBody(url: string, coding: 'identity' | 'br' | 'gzip' = 'identity'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': coding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}: ${body.subarray(0, 300).toString()}`));
          else if ((res.headers['content-encoding'] ?? 'identity') !== coding)
            reject(new Error(`GET ${url} asked for ${coding}, got ${res.headers['content-encoding']}`));
          else resolve(body);
        });
      })
      .on('error', reject);
  });
}

// ---- measuring and reporting ------------------------------------------------------------------

/** The targets in bench/README.md. They are reported, never enforced: the bench is a report. */
function checkTargets(
  dema: LoadTestResult,
  ratio: number,
  compressed: LoadTestResult,
  compressedRatio: number,
  cacheOff: LoadTestResult | null,
): TargetCheck[] {
  const on = dema.metrics;
  const checks: TargetCheck[] = [
    { target: 'cache on: errorRate = 0', actual: on.errorRate, pass: on.errorRate === 0 },
    { target: 'cache on: p99 <= 250 ms', actual: on.p99ResponseTime, pass: on.p99ResponseTime <= 250 },
    { target: 'cache on: throughput >= 8500 req/s', actual: on.throughput, pass: on.throughput >= 8500 },
    { target: 'cache on: throughput >= 0.5 x bare', actual: round3(ratio), pass: ratio >= 0.5 },
    { target: 'br, gzip: errorRate = 0', actual: compressed.metrics.errorRate, pass: compressed.metrics.errorRate === 0 },
    { target: 'br, gzip: throughput >= 1.0 x bare (uncompressed)', actual: round3(compressedRatio), pass: compressedRatio >= 1 },
  ];
  if (cacheOff) {
    const off = cacheOff.metrics;
    checks.push(
      { target: `cache off (${CACHE_OFF_CONNECTIONS} conn): throughput >= 1500 req/s`, actual: off.throughput, pass: off.throughput >= 1500 },
      { target: `cache off (${CACHE_OFF_CONNECTIONS} conn): p99 <= 200 ms`, actual: off.p99ResponseTime, pass: off.p99ResponseTime <= 200 },
    );
  }
  return checks;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

function report(summary: Summary): void {
  console.log(`--- summary ---\n${JSON.stringify(summary, null, 2)}`);
  const file = join(RESULTS_DIR, 'latest.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nwritten to ${file}\n`);
  for (const check of summary.targets) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.target}  (actual ${check.actual})`);
}

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env);
  const tempDir = mkdtempSync(join(tmpdir(), 'dema-bench-'));
  installCleanup(tempDir);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();
  const mode: Mode = process.env.DATABASE_URL ? 'postgres+redis' : 'embedded';

  // DEMA_CACHE is forced both ways so a caller's environment cannot blur the two scenarios.
  const dataDir = join(tempDir, 'data');
  const dema = await startDema('dema', { DEMA_CACHE: 'on' }, dataDir);
  const bodyFile = join(tempDir, 'body.json');
  const body = await fetchBody(dema.baseUrl + config.endpoint);
  writeFileSync(bodyFile, body);
  const sizes = {
    plain: body.length,
    br: (await fetchBody(dema.baseUrl + config.endpoint, 'br')).length,
    gzip: (await fetchBody(dema.baseUrl + config.endpoint, 'gzip')).length,
  };
  console.error(`» ${config.endpoint} answered ${body.length} bytes (br ${sizes.br}, gzip ${sizes.gzip}); the bare server serves the plain ones`);

  // One server at a time under load: each has both cores to share with the load generator.
  const bareServer = await startListening('bare-server.ts', ['--body-file', bodyFile]);
  console.error(`» started bare server at ${bareServer.url}`);
  const bare = await measure('bare', bareServer.url + config.endpoint, config);
  await stopChild(bareServer.child);
  const demaResult = await measure('dema', dema.baseUrl + config.endpoint, config);
  // What a phone's browser sends: the answer is the brotli bytes stored when the entry was filled.
  const compressed = await measure('dema br, gzip', dema.baseUrl + config.endpoint, config, { method: 'GET', headers: { 'accept-encoding': 'br, gzip' } });
  await stopChild(dema.child);

  let cacheOff: LoadTestResult | null = null;
  if (config.cacheOffScenario) {
    const uncached = await startDema('dema-cache-off', { DEMA_CACHE: 'off' }, dataDir);
    cacheOff = await measure('dema cache off', uncached.baseUrl + config.endpoint, { ...config, connections: CACHE_OFF_CONNECTIONS });
    await stopChild(uncached.child);
  }

  const ratio = bare.metrics.throughput > 0 ? demaResult.metrics.throughput / bare.metrics.throughput : 0;
  const compressedRatio = bare.metrics.throughput > 0 ? compressed.metrics.throughput / bare.metrics.throughput : 0;
  report({
    dema: demaResult,
    bare,
    ratio: round3(ratio),
    compressed,
    compressedRatio: round3(compressedRatio),
    sizes,
    cacheOff,
    mode,
    config,
    startedAt,
    node: process.version,
    targets: checkTargets(demaResult, ratio, compressed, compressedRatio, cacheOff),
  });
}

main().catch((err: unknown) => {
  if (wasInterrupted()) return;
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  // The 'exit' handler kills the children.
  process.exit(1);
});
