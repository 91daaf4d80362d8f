import { parseArgs } from 'node:util';
import { createInfrastructure, loadConfig, runProcess, type ServiceFactory } from '@dema/platform';
import { createOrderService } from '@dema/order';
import { createProductService } from '@dema/product';
import { createUserService } from '@dema/user';
import { runGateway } from './edge/run-gateway.ts';
import { createAnalyticsService, exportAnalyticsEvents, replayAnalytics } from '@dema/analytics';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { writeFile } from 'node:fs/promises';
import { defaultRulesFile, exportPrometheusRules, loadAlertRules } from '@dema/platform';

/**
 * `npm run dema -- <command>`: operations on an installation, with the same configuration (the
 * environment) as `npm start`.
 */
const usage = `usage: npm run dema -- <command>

  create-admin --email <email> --password <password> [--name <name>]
      create an admin, or make the account with that email an admin with that password
  serve <service> [--port <port>]
      run one service alone (user, product, order, analytics), for an orchestrator to place
  gateway [--port <port>]
      run the API gateway alone, in front of the instances listed in DEMA_UPSTREAM_<SERVICE>
  alerts export [--rules <file>] [--out <file>]
      write the alert rules (default: DEMA_ALERT_RULES or config/alert-rules.json) as a Prometheus
      alerting-rules file, to stdout or --out
  analytics replay [--from <file.ndjson>]
      rebuild the analytics figures from its event history (after a schema change), first adding
      the events of an export; each event counts once (embedded: stop the server first)
  analytics export [--out <file.ndjson>]
      write the analytics event history as NDJSON, to stdout or --out`;

const factories: Record<string, ServiceFactory> = {
  user: createUserService,
  product: createProductService,
  // Alone, the Order service reserves stock over HTTP at DEMA_UPSTREAM_PRODUCT.
  order: (infra) => createOrderService(infra),
  analytics: createAnalyticsService,
};

const [command, ...rest] = process.argv.slice(2);
try {
  switch (command) {
    case 'create-admin':
      await createAdmin(rest);
      break;
    case 'serve':
      await serve(rest);
      break;
    case 'gateway':
      await gateway(rest);
      break;
    case 'alerts':
      await alerts(rest);
      break;
    case 'analytics':
      await analytics(rest);
      break;
    default:
      console.error(usage);
      process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

async function gateway(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } } });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new TypeError(`--port must be a port number, not ${values.port}`);
  await runGateway(port === undefined ? {} : { port });
}

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } });
  if (!values.email || !values.password) throw new TypeError(`create-admin needs --email and --password\n\n${usage}`);
  const config = { ...loadConfig(), demoData: false, firstAdmin: undefined, logLevel: 'warn' };
  const infra = await createInfrastructure(config, { name: 'dema-cli' });
  try {
    const users = await createUserService(infra);
    const admin = await users.identity.createAdmin(values.email, values.password, values.name);
    console.log(`admin ready: ${admin.email} (${admin.id})`);
  } finally {
    await infra.close();
  }
}

async function serve(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' } } });
  const name = positionals[0];
  const factory = name === undefined ? undefined : factories[name];
  if (!factory) throw new TypeError(`serve needs a service name: ${Object.keys(factories).join(', ')}\n\n${usage}`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new TypeError(`--port must be a port number, not ${values.port}`);
  await runProcess(name!, [factory], undefined, port === undefined ? {} : { port });
}

async function alerts(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { rules: { type: 'string' }, out: { type: 'string' } } });
  if (positionals[0] !== 'export') throw new TypeError(`alerts needs a subcommand: export\n\n${usage}`);
  const { alerting } = loadConfig();
  const file = values.rules ?? alerting.rulesFile ?? defaultRulesFile;
  const text = exportPrometheusRules((await loadAlertRules(file)).map((r) => r.rule), alerting.windowMs, file);
  if (values.out) {
    await writeFile(values.out, text);
    console.error(`wrote ${values.out}`);
  } else {
    process.stdout.write(text);
  }
}

async function analytics(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { from: { type: 'string' }, out: { type: 'string' } } });
  const action = positionals[0];
  if (action !== 'replay' && action !== 'export') throw new TypeError(`analytics needs a subcommand: replay or export\n\n${usage}`);
  // No bus: a replay works on the history already stored, and live events wait in their queue.
  const config = { ...loadConfig(), demoData: false, firstAdmin: undefined, logLevel: 'warn', amqpUrl: undefined };
  const infra = await createInfrastructure(config, { name: 'dema-cli' });
  try {
    const db = await infra.database('analytics');
    if (action === 'replay') {
      const r = await replayAnalytics(db, { from: values.from });
      const imported = values.from ? `; ${values.from}: ${r.read} events, ${r.imported} new, ${r.alreadyKnown} already known` : '';
      console.log(`analytics rebuilt from ${r.events} events (${r.applied} counted, ${r.historyOnly} kept without figures)${imported}`);
    } else {
      const out = values.out ? createWriteStream(values.out) : process.stdout;
      const written = await exportAnalyticsEvents(db, out);
      if (values.out) await finished(out.end());
      console.error(`exported ${written} events${values.out ? ` to ${values.out}` : ''}`);
    }
  } finally {
    await infra.close();
  }
}
