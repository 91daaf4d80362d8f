import { loadConfig, runProcess, type DemaConfig } from '@dema/platform';
import { describeDemoAccounts, type UserService } from '@dema/user';
import { startWebApp, type RunningWebApp } from '@dema/web/serve';
import { registerEdgePolicies } from '@dema/gateway';
import { allInOneServices } from './services.ts';

/**
 * The all-in-one process `npm start` runs: every service mounted on one HTTP server, no network hop
 * between them, and the web app (a production Next.js build, built on first start) beside it. With
 * no database/cache URLs configured it runs on the embedded defaults.
 */
let web: RunningWebApp | undefined;

/**
 * Shoppers reach the API through the store's same-origin proxy on this machine: unless told
 * otherwise (DEMA_TRUST_PROXY), believe its X-Forwarded-For, so that rate limits and login
 * throttles count each shopper rather than the store as one client.
 */
function trustTheStore(): Partial<DemaConfig> {
  try {
    const config = loadConfig();
    return config.web.enabled && config.trustProxy.length === 0 ? { trustProxy: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] } : {};
  } catch {
    return {}; // runProcess reports a bad configuration, every variable at once
  }
}
await runProcess(
  'dema',
  Object.values(allInOneServices()),
  async ({ url, infra, services }) => {
    if (infra.config.web.enabled) {
      infra.log.info('starting the web app (the first start builds it, about a minute)');
      web = await startWebApp({ apiUrl: url, port: infra.config.web.port, log: infra.log });
    }
    const embedded = Object.keys(infra.config.databaseUrls).length === 0;
    const local = url.replace('127.0.0.1', 'localhost');
    const demo = (services.find((s) => s.name === 'user') as UserService).demoAccounts;
    const lines = [
      '',
      `  Dema is running at ${local}`,
      ...(web ? [`    store:     ${web.url.replace('0.0.0.0', 'localhost')}  (admin: ${web.url.replace('0.0.0.0', 'localhost')}/overview)`] : []),
      `    catalog:   ${local}/api/products`,
      `    API docs:  ${local}/api/docs`,
      `    database:  ${embedded ? `embedded PGlite in ${infra.config.dataDir}` : 'PostgreSQL'}; cache: ${infra.cache.state}`,
      ...(demo ? describeDemoAccounts(demo) : []),
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
  trustTheStore(),
  { configure: (app, infra) => registerEdgePolicies(app, infra) },
);
// The web app is a child process: it goes when this process does (close-with-grace has run by then).
process.once('exit', () => void web?.close());
