import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { catalogCsvColumns, type CatalogImportJob } from '@dema/contracts';
import { stringify } from 'csv-stringify/sync';
import { serverNodeFlags } from '../apps/server/src/cluster-launcher.ts';
import { positiveInt } from './load-test.ts';
import { RESULTS_DIR, sql, startAllInOneOnRealServers, stopChild } from './processes.ts';

/**
 * `npm run bench:import`: a catalog CSV of 100,000 rows imported into the all-in-one process on
 * PostgreSQL (+ Redis and RabbitMQ), timed from the first byte sent to the job's SUCCEEDED. The file
 * is a realistic mix: a third of the rows plain products, the rest products of four variants, each
 * with two images, specifications and one of 20 categories (created by the import). Then the same
 * catalog is exported, timed, and its rows counted. Target: the import under 2 minutes.
 */

const ADMIN = { email: 'bench-admin@dema.dev', password: 'importing-many-rows-9' };

const { values } = parseArgs({ options: { rows: { type: 'string', default: process.env.BENCH_QUICK === '1' ? '10000' : '100000' } } });
const rowCount = positiveInt(values.rows, '--rows');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const run = `bench-${randomBytes(4).toString('hex')}`;
const database = run.replace('-', '_');
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
const dataDir = mkdtempSync(join(tmpdir(), 'dema-bench-import-'));
let child: ChildProcess | undefined;

/** `rows` rows: plain products and products of four variants alternating, a third of the rows each kind. */
function catalogCsv(rows: number): string {
  const records: string[][] = [];
  for (let p = 0; records.length < rows; p++) {
    const product = [
      `bench-${p}`,
      `Bench product ${p}`,
      `A product the import bench made, number ${p}, with a description of a realistic length for a catalog.`,
      `Bench category ${p % 20}`,
      `${(p % 5000) + 1}.${String(p % 100).padStart(2, '0')}`,
      '',
      String(100 + (p % 900)),
      `https://img.example/bench/${p}-1.jpg https://img.example/bench/${p}-2.jpg`,
      JSON.stringify({ Material: 'Cotton', Origin: 'Portugal' }),
    ];
    if (p % 2 === 0) {
      product[5] = String(p % 50);
      records.push([...product, '', '', '', '', '', '']);
      continue;
    }
    for (let v = 0; v < 4 && records.length < rows; v++) {
      const variant = [`Size ${v}`, `BENCH-${p}-${v}`, v === 3 ? '99.99' : '', String(v * 3), '', JSON.stringify({ Size: String(v) })];
      records.push([...(v === 0 ? product : [product[0]!, '', '', '', '', '', '', '', '']), ...variant]);
    }
  }
  return stringify(records, { header: true, columns: [...catalogCsvColumns] });
}

async function main(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await sql(adminUrl, `CREATE DATABASE ${database}`);
  const server = await startAllInOneOnRealServers({ run, databaseUrl, dataDir, admin: ADMIN, log: 'import-server.log', nodeFlags: serverNodeFlags });
  child = server.child;
  const { base } = server;
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (login.status !== 200) throw new Error(`admin login: ${login.status} ${await login.text()}`);
  const token = ((await login.json()) as { tokens: { accessToken: string } }).tokens.accessToken;
  const auth = { authorization: `Bearer ${token}` };

  const csv = catalogCsv(rowCount);
  console.log(`file: ${rowCount} rows, ${(Buffer.byteLength(csv) / 1024 / 1024).toFixed(1)} MB`);
  const started = performance.now();
  const response = await fetch(`${base}/api/products/import`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv });
  if (response.status !== 202) throw new Error(`import: ${response.status} ${(await response.text()).slice(0, 2000)}`);
  const accepted = (performance.now() - started) / 1000;
  let job = (await response.json()) as CatalogImportJob;
  while (job.status === 'RUNNING') {
    await sleep(250);
    job = (await (await fetch(`${base}${response.headers.get('location')}`, { headers: auth })).json()) as CatalogImportJob;
  }
  const importSeconds = (performance.now() - started) / 1000;
  if (job.status !== 'SUCCEEDED') throw new Error(`import job ${job.status}: ${JSON.stringify(job.problem).slice(0, 2000)}`);

  // The server's resident memory, sampled while it streams the export: flat if it streams.
  const pid = child.pid!;
  const rssBefore = residentMiB(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, residentMiB(pid));
  }, 20);
  const exportStarted = performance.now();
  const exported = await fetch(`${base}/api/products/export`, { headers: auth });
  const exportedText = await exported.text();
  const exportSeconds = (performance.now() - exportStarted) / 1000;
  clearInterval(sampler);
  const exportedRows = exportedText.split('\n').filter((line) => line !== '').length - 1;

  const checks = {
    importSeconds: round(importSeconds),
    answeredAfterSeconds: round(accepted),
    rowsPerSecond: Math.round(rowCount / importSeconds),
    products: job.report!.products,
    variants: job.report!.variants,
    categoriesCreated: job.report!.categoriesCreated.length,
    exportSeconds: round(exportSeconds),
    exportedRows,
    exportedEveryRow: exportedRows === rowCount,
    exportMiB: round(Buffer.byteLength(exportedText) / 1024 / 1024),
    serverRssBeforeExportMiB: rssBefore,
    serverRssGrowthDuringExportMiB: rssPeak - rssBefore,
  };
  const pass = importSeconds < 120 && checks.exportedEveryRow;
  console.log(checks);
  console.log(`${pass ? 'PASS' : 'FAIL'}: ${rowCount} rows imported in ${checks.importSeconds} s (target < 120 s)`);
  writeFileSync(
    join(RESULTS_DIR, `import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ rows: rowCount, checks, pass, node: process.version }, null, 2),
  );
  if (!pass) process.exitCode = 1;
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;

/** The process's resident memory now (Linux /proc), in MiB. */
function residentMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kib) / 1024);
}

async function cleanUp(): Promise<void> {
  if (child) await stopChild(child);
  await sql(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
