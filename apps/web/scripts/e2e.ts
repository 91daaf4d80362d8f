import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  dataTargets,
  freePort,
  newAdmin,
  runNodeTests,
  selectTestFiles,
  startAllInOne,
  stopChild,
  type DataTarget,
  type RunningApi,
} from '@dema/platform/browser-tests';
import { FakeStripe } from '@dema/payment/testing';
import { startWebApp, type RunningWebApp } from '../serve.ts';

/**
 * The browser tests, end to end: for each target (embedded always; PostgreSQL + Redis + RabbitMQ
 * too when TEST_DATABASE_URL and TEST_REDIS_HOST are set, as for the other suites; and the cluster
 * when TEST_AMQP_URL is set as well) it starts the API on a fresh data directory or database, the
 * production web app in front of it, and a second web app whose API is down; then runs
 * test/*.e2e.ts with node's test runner in Chromium. The cluster target (the gateway and an
 * instance or two of each service, each its own process) runs the monitoring tests only: the rest
 * reads the same through the gateway, and a cluster costs a minute of CPU to start. Each target
 * prints its own `# pass N` / `# fail N`. Exits non-zero when any test fails. Screenshots go to
 * apps/web/test-results/<target>/.
 *
 *   npx tsx apps/web/scripts/e2e.ts            (E2E_TARGET=embedded|postgres+redis|cluster for one target)
 *   npx tsx apps/web/scripts/e2e.ts monitoring (only the test files whose name contains "monitoring")
 */

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = path.resolve(appDir, '../..');
const tsxCli = path.join(workspaceRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const quiet = { info: () => undefined, error: (message: string) => console.error(message) };

/**
 * The cluster (apps/server/src/cluster-launcher.ts, as `npm run start:cluster` runs it) on the TEST_*
 * servers, started by apps/server/test/support/browser-test-cluster.ts: a process of its own, as the
 * web app may not import server code. Its gateway is the API the store talks to.
 */
async function startCluster(env: Record<string, string>): Promise<RunningApi> {
  const child: ChildProcess = spawn(process.execPath, [tsxCli, 'apps/server/test/support/browser-test-cluster.ts'], {
    cwd: workspaceRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the cluster did not become ready within 4 minutes:\n${output}`));
    }, 240_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^gateway (http:\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the cluster exited during start:\n${output}`));
    });
  });
  return { url, close: () => stopChild(child, exited, 60_000) };
}

interface Target {
  name: DataTarget['name'] | 'cluster';
  env: DataTarget['env'];
  startApi(env: Record<string, string>): Promise<RunningApi>;
  /** Only the test files whose names contain one of these; default every file. */
  files?: string[];
}

const data = dataTargets('e2e');
const embedded: Target = { ...data.embedded, startApi: startAllInOne };
const real: Target = { ...data.real, startApi: startAllInOne };

const cluster: Target = {
  name: 'cluster',
  // The cluster makes its own databases, keys and namespace, and drops them when it stops.
  env: async () => ({ env: {}, dispose: async () => undefined }),
  startApi: startCluster,
  // The dashboard's charts: the gateway reads every instance's figures to draw them.
  files: ['monitoring'],
};

// Arguments narrow the run to the test files whose names contain one of them.
const fileFilters = process.argv.slice(2);

/** The test files `target` runs, as narrowed by the arguments and by the target itself. */
function testFiles(target: Target): string[] {
  return selectTestFiles(selectTestFiles(readdirSync(path.join(appDir, 'test')), fileFilters), target.files ?? []).map((file) => path.join('test', file));
}

async function runTarget(target: Target): Promise<number> {
  const files = testFiles(target);
  if (files.length === 0) {
    console.log(`\n== browser tests on ${target.name}: none of its test files is selected`);
    return 0;
  }
  console.log(`\n== browser tests on ${target.name}${target.files ? ` (${files.join(', ')} only)` : ''}`);
  const { env, dispose } = await target.env();
  const admin = newAdmin('e2e');
  let api: RunningApi | undefined;
  let web: RunningWebApp | undefined;
  let deadWeb: RunningWebApp | undefined;
  // An "API" that drops every connection at once: a down API, on a port nobody else can take meanwhile.
  const deadApi = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => deadApi.listen(0, '127.0.0.1', resolve));
  const deadPort = (deadApi.address() as { port: number }).port;
  // The store's port is known before the API starts, so the links in its emails lead to this store;
  // held meanwhile, so the API cannot be given it.
  const webPortHold = createServer();
  await new Promise<void>((resolve) => webPortHold.listen(0, '127.0.0.1', resolve));
  const webPort = (webPortHold.address() as { port: number }).port;
  // Card payments go to a local fake Stripe, whose stand-in Stripe.js the storefront loads and whose webhooks reach this Dema.
  const stripe = await FakeStripe.start();
  // The services' own token, for a test that stands in for one service calling another (payments.e2e.ts).
  const serviceToken = randomBytes(24).toString('base64url');
  try {
    // A sample a second, so the dashboard's metrics charts visibly gain points within a test.
    api = await target.startApi({
      ...env,
      DEMA_WEB_URL: `http://127.0.0.1:${webPort}`,
      DEMA_ADMIN_EMAIL: admin.email,
      DEMA_ADMIN_PASSWORD: admin.password,
      DEMA_ALERT_INTERVAL_MS: '1000',
      STRIPE_SECRET_KEY: 'sk_test_dema_e2e',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_dema_e2e',
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_BASE: stripe.url,
      DEMA_SERVICE_TOKEN: serviceToken,
      // The webhook receiver of admin-webhooks.e2e.ts listens on this machine's loopback.
      DEMA_WEBHOOKS_ALLOW_PRIVATE: 'true',
    });
    stripe.webhookUrl = `${api.url}/api/payments/stripe/webhook`;
    await new Promise((resolve) => webPortHold.close(resolve));
    web = await startWebApp({ apiUrl: api.url, port: webPort, host: '127.0.0.1', log: quiet, env: { DEMA_STRIPE_JS_URL: `${stripe.url}/v3/` } });
    // The same build in front of an address where nothing listens: what a shopper sees when the API is down.
    deadWeb = await startWebApp({ apiUrl: `http://127.0.0.1:${deadPort}`, port: await freePort(), host: '127.0.0.1', log: quiet });
    const shots = path.join(appDir, 'test-results', target.name.replace(/\W+/g, '-'));
    mkdirSync(shots, { recursive: true });
    return await runNodeTests(files, appDir, {
      E2E_WEB_URL: web.url,
      E2E_DEAD_WEB_URL: deadWeb.url,
      E2E_API_URL: api.url,
      E2E_ADMIN_EMAIL: admin.email,
      E2E_ADMIN_PASSWORD: admin.password,
      E2E_SHOTS_DIR: shots,
      E2E_SERVICE_TOKEN: serviceToken,
    });
  } finally {
    if (webPortHold.listening) webPortHold.close();
    deadApi.close();
    await deadWeb?.close();
    await web?.close();
    await api?.close();
    await stripe.close();
    await dispose();
  }
}

// E2E_TARGET=embedded, postgres+redis or cluster runs one target only.
const hasReal = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_HOST);
const hasBroker = Boolean(process.env.TEST_AMQP_URL);
const targets: Target[] = [embedded, ...(hasReal ? [real] : []), ...(hasReal && hasBroker ? [cluster] : [])].filter(
  (target) => !process.env.E2E_TARGET || target.name === process.env.E2E_TARGET,
);
if (process.env.DEMA_TEST_REQUIRE_REAL === '1' && !(hasReal && hasBroker)) {
  console.error('DEMA_TEST_REQUIRE_REAL=1 but TEST_DATABASE_URL / TEST_REDIS_HOST / TEST_AMQP_URL are not set');
  process.exit(1);
}
if (process.env.E2E_TARGET && targets.length === 0) {
  console.error(
    `E2E_TARGET=${process.env.E2E_TARGET}: no such target here (embedded; postgres+redis with TEST_DATABASE_URL and TEST_REDIS_HOST; cluster with TEST_AMQP_URL too)`,
  );
  process.exit(1);
}
if (!existsSync('/usr/bin/chromium')) console.error('warning: /usr/bin/chromium is missing; every browser test will fail (apt-get install chromium)');

let failures = 0;
for (const target of targets) {
  try {
    const code = await runTarget(target);
    if (code !== 0) failures += 1;
  } catch (error) {
    console.error(`browser tests on ${target.name} could not run:`, error);
    console.log('# fail 1');
    failures += 1;
  }
}
process.exit(failures === 0 ? 0 : 1);
