import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { dataTargets, newAdmin, runNodeTests, selectTestFiles, startAllInOne, type DataTarget, type RunningApi } from '@dema/platform/browser-tests';
import { exportWeb, mobileDir, type WebExport } from './export-web.ts';
import { serveExport, type ServedExport } from './serve-export.ts';

/**
 * The app's end-to-end tests in a browser (`npm run e2e:mobile`): one `expo export --platform web`,
 * then for each target (embedded always; PostgreSQL + Redis + RabbitMQ too when TEST_DATABASE_URL
 * and TEST_REDIS_HOST are set, as for the other suites) a fresh Dema, the export served on an origin
 * of its own that Dema's CORS allows, and the same export on a second origin it does not allow; then
 * e2e/*.e2e.ts under node's test runner in Chromium. Each target prints its own `# pass N` /
 * `# fail N`. Exits non-zero when any test fails. Screenshots go to e2e/test-results/<target>/.
 *
 *   npm run e2e:mobile                    (E2E_TARGET=embedded|postgres+redis for one target)
 *   npm run e2e:mobile -- offline         (only the test files whose name contains "offline")
 *   E2E_MOBILE_EXPORT_DIR=dir npm run e2e:mobile   (an export made before, built with the placeholder address)
 */

const e2eDir = path.join(mobileDir, 'e2e');

// Arguments narrow the run to the test files whose names contain one of them.
const fileFilters = process.argv.slice(2);
const { embedded, real } = dataTargets('mobile-e2e');

async function runTarget(target: DataTarget, site: string, files: string[]): Promise<number> {
  console.log(`\n== app tests in the browser on ${target.name}`);
  const { env, dispose } = await target.env();
  const admin = newAdmin('mobile-e2e');
  let app: ServedExport | undefined;
  let stranger: ServedExport | undefined;
  let dema: RunningApi | undefined;
  try {
    // The app's origin first: Dema's CORS list must name it, exactly, before Dema starts (the web
    // build's session is the API's cookie, sent only with CORS credentials for a listed origin).
    app = await serveExport({ dir: site });
    stranger = await serveExport({ dir: site });
    dema = await startAllInOne({ ...env, DEMA_ADMIN_EMAIL: admin.email, DEMA_ADMIN_PASSWORD: admin.password, DEMA_CORS_ORIGINS: app.url });
    app.setApiUrl(dema.url);
    stranger.setApiUrl(dema.url);
    const shots = path.join(e2eDir, 'test-results', target.name.replace(/\W+/g, '-'));
    mkdirSync(shots, { recursive: true });
    return await runNodeTests(files, e2eDir, {
      E2E_TARGET: target.name,
      E2E_APP_URL: app.url,
      E2E_STRANGER_APP_URL: stranger.url,
      E2E_API_URL: dema.url,
      E2E_ADMIN_EMAIL: admin.email,
      E2E_ADMIN_PASSWORD: admin.password,
      E2E_SHOTS_DIR: shots,
    });
  } finally {
    await stranger?.close();
    await app?.close();
    await dema?.close();
    await dispose();
  }
}

const hasReal = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_HOST);
const targets: DataTarget[] = [embedded, ...(hasReal ? [real] : [])].filter((target) => !process.env.E2E_TARGET || target.name === process.env.E2E_TARGET);
if (process.env.DEMA_TEST_REQUIRE_REAL === '1' && !(hasReal && process.env.TEST_AMQP_URL)) {
  console.error('DEMA_TEST_REQUIRE_REAL=1 but TEST_DATABASE_URL / TEST_REDIS_HOST / TEST_AMQP_URL are not set');
  process.exit(1);
}
if (process.env.E2E_TARGET && targets.length === 0) {
  console.error(`E2E_TARGET=${process.env.E2E_TARGET}: no such target here (embedded; postgres+redis with TEST_DATABASE_URL and TEST_REDIS_HOST)`);
  process.exit(1);
}
if (!existsSync('/usr/bin/chromium')) console.error('warning: /usr/bin/chromium is missing; every app test will fail (apt-get install chromium)');

const files = selectTestFiles(readdirSync(e2eDir), fileFilters);
if (files.length === 0) {
  console.error(`no test file in apps/mobile/e2e matches ${fileFilters.join(', ')}`);
  process.exit(1);
}

let exported: WebExport | undefined;
let site = process.env.E2E_MOBILE_EXPORT_DIR;
if (!site) {
  try {
    exported = await exportWeb({ log: (line) => console.log(line) });
    site = exported.dir;
  } catch (error) {
    // No build, nothing to test: one failure per target, so the summary cannot read as green.
    console.error(error instanceof Error ? error.message : error);
    for (const target of targets) console.log(`\n== app tests in the browser on ${target.name}: the web export failed\n# fail 1`);
    process.exit(1);
  }
}

let failures = 0;
try {
  for (const target of targets) {
    try {
      if ((await runTarget(target, site, files)) !== 0) failures += 1;
    } catch (error) {
      console.error(`app tests on ${target.name} could not run:`, error);
      console.log('# fail 1');
      failures += 1;
    }
  }
} finally {
  exported?.dispose();
}
process.exit(failures === 0 ? 0 : 1);
