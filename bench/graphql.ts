import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serverNodeFlags } from '../apps/server/src/cluster-launcher.ts';
import { positiveInt, type LoadTestResult } from './load-test.ts';
import {
  combineResults,
  freePort,
  installCleanup,
  measure,
  RESULTS_DIR,
  spawnTs,
  stopChild,
  waitUntilReady,
  wasInterrupted,
  type LoadRequest,
} from './processes.ts';

/**
 * `npm run bench:graphql`: the catalog's first page read through REST and through GraphQL, from
 * one all-in-one process (embedded defaults), in the same run, at each connection count (100 and
 * 1000). Targets: GraphQL ≥ 0.5 × REST's throughput at both counts, 0 errors.
 *
 * The two APIs are loaded in turns (`--rounds`, the measured time split between them, which API
 * goes first alternating from round to round): this machine's speed drifts within a run, and two
 * loads measured back to back would compare the drift, not the APIs. All load comes from this one
 * address, so the process runs with it on the rate-limit allowlist, which exists for this.
 */

const REST_ENDPOINT = '/api/products?limit=20';
/** The query: the same page as REST's, the fields a product card shows. */
const GRAPHQL_QUERY = '{ products(first: 20) { edges { node { id name price stock category { name } } } } }';
const PAGE_SIZE = 20;

interface BenchConfig {
  connections: number[];
  /** Seconds measured per API and connection count, split between the rounds. */
  duration: number;
  warmup: number;
  rounds: number;
}

type Api = 'rest' | 'graphql';

interface Turn {
  api: Api;
  connections: number;
  round: number;
  result: LoadTestResult;
}

function parseConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const quick = env.BENCH_QUICK === '1';
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string', default: '100,1000' },
      duration: { type: 'string', default: quick ? '5' : '30' },
      warmup: { type: 'string', default: '3' },
      // Even, so that each API goes first in as many rounds as it goes second.
      rounds: { type: 'string', default: quick ? '1' : '2' },
    },
  });
  const connections = values.connections.split(',').map((c) => positiveInt(c.trim(), '--connections'));
  const duration = positiveInt(values.duration, '--duration');
  const rounds = positiveInt(values.rounds, '--rounds');
  if (rounds > duration) throw new Error(`--rounds must be at most --duration (${duration}), got ${rounds}`);
  return { connections, duration, warmup: positiveInt(values.warmup, '--warmup'), rounds };
}

/**
 * The all-in-one process (`npm start`) on embedded defaults, without the web app, in a data dir of
 * its own: the real servers' addresses are removed from its environment so that a developer's
 * shell cannot turn the run into another mode.
 */
async function startDema(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const logPath = join(RESULTS_DIR, 'graphql-dema.log');
  const log = openSync(logPath, 'w');
  const env: NodeJS.ProcessEnv = {
    LOG_LEVEL: 'warn',
    ...process.env,
    DEMA_RATE_LIMIT_ALLOWLIST: '127.0.0.1,::1,::ffff:127.0.0.1',
    DEMA_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMA_CACHE: 'on',
    DEMA_WEB: 'off',
  };
  for (const name of Object.keys(env)) if (/DATABASE_URL$|^REDIS_|^AMQP_|^DEMA_UPSTREAM_/.test(name)) delete env[name];
  const child = spawnTs('apps/server/src/main.ts', [], { env, stdio: ['ignore', log, log] }, serverNodeFlags);
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  console.error(`» starting the all-in-one process on port ${port} (log: ${logPath})`);
  await waitUntilReady(`${url}/health/ready`, child, logPath);
  return { url, child };
}

const graphqlRequest: LoadRequest = {
  method: 'POST',
  body: JSON.stringify({ query: GRAPHQL_QUERY }),
  headers: { 'content-type': 'application/json' },
};

/**
 * Both APIs answer the page before any load, GraphQL with 200 and no `errors`: a GraphQL error
 * comes with status 200 too, so the load generator alone would count it as a success.
 */
async function checkAnswers(url: string): Promise<{ rest: number; graphql: number }> {
  const rest = await fetch(url + REST_ENDPOINT);
  const restBody = await rest.text();
  if (rest.status !== 200) throw new Error(`GET ${REST_ENDPOINT} answered ${rest.status}: ${restBody.slice(0, 300)}`);
  const graphql = await fetch(`${url}/graphql`, { method: 'POST', headers: graphqlRequest.headers, body: graphqlRequest.body });
  const graphqlBody = await graphql.text();
  let parsed: { data?: { products?: { edges?: unknown[] } }; errors?: unknown };
  try {
    parsed = JSON.parse(graphqlBody) as typeof parsed;
  } catch {
    throw new Error(`POST /graphql answered ${graphql.status} with a body that is not JSON: ${graphqlBody.slice(0, 300)}`);
  }
  if (graphql.status !== 200 || parsed.errors !== undefined) throw new Error(`POST /graphql answered ${graphql.status}: ${graphqlBody.slice(0, 500)}`);
  const edges = parsed.data?.products?.edges?.length ?? 0;
  if (edges !== PAGE_SIZE) throw new Error(`POST /graphql answered ${edges} products, not ${PAGE_SIZE}: ${graphqlBody.slice(0, 300)}`);
  return { rest: Buffer.byteLength(restBody), graphql: Buffer.byteLength(graphqlBody) };
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const ratioOf = (graphql: LoadTestResult, rest: LoadTestResult): number =>
  rest.metrics.throughput > 0 ? round3(graphql.metrics.throughput / rest.metrics.throughput) : 0;

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), process.env);
  const tempDir = mkdtempSync(join(tmpdir(), 'dema-bench-graphql-'));
  installCleanup(tempDir);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const startedAt = new Date().toISOString();

  const dema = await startDema(join(tempDir, 'data'));
  const turns: Turn[] = [];
  let bodyBytes: { rest: number; graphql: number };
  try {
    bodyBytes = await checkAnswers(dema.url);
    console.error(`» REST answered ${bodyBytes.rest} bytes, GraphQL ${bodyBytes.graphql} bytes`);
    const perRound = Math.floor(config.duration / config.rounds);
    const firstTurnOf = new Set<number>();
    for (let round = 1; round <= config.rounds; round++) {
      for (const connections of config.connections) {
        const order: Api[] = round % 2 === 1 ? ['rest', 'graphql'] : ['graphql', 'rest'];
        for (const api of order) {
          // The first turn at a connection count opens its connections and warms the process; later ones only reopen them.
          const warmup = firstTurnOf.has(connections) ? Math.min(2, config.warmup) : config.warmup;
          firstTurnOf.add(connections);
          const load = { connections, duration: perRound, warmup };
          const turn = config.rounds > 1 ? ` (round ${round} of ${config.rounds})` : '';
          const result =
            api === 'rest'
              ? await measure(`REST GET ${REST_ENDPOINT}${turn}`, dema.url + REST_ENDPOINT, load)
              : await measure(`GraphQL POST /graphql${turn}`, `${dema.url}/graphql`, load, graphqlRequest);
          turns.push({ api, connections, round, result });
        }
      }
    }
    // Still answering the page without errors after the load: an error under load would have been a 200 too.
    await checkAnswers(dema.url);
  } finally {
    await stopChild(dema.child);
  }

  const byCount = config.connections.map((connections) => {
    const of = (api: Api) => combineResults(turns.filter((t) => t.api === api && t.connections === connections).map((t) => t.result));
    const rest = of('rest');
    const graphql = of('graphql');
    return { connections, rest, graphql, ratio: ratioOf(graphql, rest) };
  });
  const targets = byCount.flatMap(({ connections, rest, graphql, ratio }) => [
    { target: `${connections} connections: GraphQL throughput >= 0.5 x REST (same run)`, actual: ratio, pass: ratio >= 0.5 },
    { target: `${connections} connections: GraphQL errorRate = 0`, actual: graphql.metrics.errorRate, pass: graphql.metrics.errorRate === 0 },
    { target: `${connections} connections: REST errorRate = 0`, actual: rest.metrics.errorRate, pass: rest.metrics.errorRate === 0 },
  ]);
  const summary = {
    results: byCount,
    turns: turns.map((t) => ({ api: t.api, connections: t.connections, round: t.round, throughput: t.result.metrics.throughput })),
    bodyBytes,
    query: GRAPHQL_QUERY,
    config,
    startedAt,
    node: process.version,
    targets,
  };
  console.log(`--- summary ---\n${JSON.stringify(summary, null, 2)}`);
  const file = join(RESULTS_DIR, 'graphql-latest.json');
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nwritten to ${file}\n`);
  console.log('| connections | API | throughput | avg | p99 (worst round) | errors | GraphQL / REST |\n|---|---|---|---|---|---|---|');
  for (const { connections, rest, graphql, ratio } of byCount) {
    for (const [api, r] of [
      ['REST', rest],
      ['GraphQL', graphql],
    ] as const) {
      const m = r.metrics;
      console.log(
        `| ${connections} | ${api} | ${m.throughput} req/s | ${m.avgResponseTime} ms | ${m.p99ResponseTime} ms | ${m.errorRate} | ${api === 'GraphQL' ? ratio : ''} |`,
      );
    }
  }
  for (const check of targets) console.log(`${check.pass ? 'PASS' : 'FAIL'}  ${check.target}  (actual ${check.actual})`);
}

main().catch((err: unknown) => {
  if (wasInterrupted()) return;
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  // The 'exit' handler kills the children.
  process.exit(1);
});
