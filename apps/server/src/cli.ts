import { parseArgs } from 'node:util';
import { createInfrastructure, loadConfig, runProcess, type ServiceFactory } from '@dema/platform';
import { createOrderService } from '@dema/order';
import { createPaymentService } from '@dema/payment';
import { createProductService } from '@dema/product';
import { createUserService, KeyRing, keyRetirementSeconds } from '@dema/user';
import { runGateway } from '@dema/gateway';
import { createAnalyticsService, exportAnalyticsEvents, replayAnalytics } from '@dema/analytics';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { writeFile } from 'node:fs/promises';
import { defaultRulesFile, exportPrometheusRules, loadAlertRules } from '@dema/monitoring';
import { startWebApp } from '@dema/web/serve';
import { allInOneServices, gatewayModules } from './services.ts';

/**
 * `npm run dema -- <command>`: operations on an installation, with the same configuration (the
 * environment) as `npm start`.
 */
const usage = `usage: npm run dema -- <command>

  start
      the all-in-one process, as \`npm start\` (every service, and the web app unless DEMA_WEB=off)
  migrate
      apply every service's database migrations and exit (a deployment's migration job); services
      also migrate on start, under a lock, so this only moves the wait out of their start
  web [--port <port>]
      the web app alone (default WEB_PORT or 3000), talking to the API at DEMA_API_URL
  create-admin --email <email> [--name <name>] [--promote]
      create an admin; the password is typed at a prompt or read from stdin (first line), never
      from the command line, where the process list shows it. An existing account with that email
      becomes an admin with that password only with --promote, which ends all its sessions
  rotate-signing-key
      make a new access-token signing key (stored, encrypted with DEMA_KEY_ENCRYPTION_KEY when set);
      it signs once each User service instance restarts, and the old key is retired 16 minutes later
  serve <service> [--port <port>]
      run one service alone (user, product, order, analytics, payment), for an orchestrator to place
  gateway [--port <port>]
      run the API gateway alone, in front of the instances listed in DEMA_UPSTREAM_<SERVICE>, with
      monitoring and GraphQL (/graphql) in it
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
  payment: createPaymentService,
};

const [command, ...rest] = process.argv.slice(2);
try {
  switch (command) {
    case 'start':
      await import('./main.ts');
      break;
    case 'migrate':
      await migrate();
      break;
    case 'web':
      await web(rest);
      break;
    case 'create-admin':
      await createAdmin(rest);
      break;
    case 'rotate-signing-key':
      await rotateSigningKey();
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
  const port = portOption(args);
  await runGateway(port === undefined ? {} : { port }, { modules: gatewayModules() });
}

function portOption(args: string[]): number | undefined {
  const { values } = parseArgs({ args, options: { port: { type: 'string' } } });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new TypeError(`--port must be a port number, not ${values.port}`);
  return port;
}

/**
 * Builds every service once against the configured databases (which applies their migrations under
 * the cross-instance lock), without a bus, demo data or first admin, and closes them again.
 */
async function migrate(): Promise<void> {
  const config = { ...loadConfig(), demoData: false, firstAdmin: undefined, amqpUrl: undefined };
  const infra = await createInfrastructure(config, { name: 'dema-migrate' });
  try {
    const { monitoring: _monitoring, graphql: _graphql, ...services } = allInOneServices();
    for (const [name, factory] of Object.entries(services)) {
      const service = await factory(infra);
      await service.close();
      console.log(`${name}: migrations applied`);
    }
  } finally {
    await infra.close();
  }
}

async function web(args: string[]): Promise<void> {
  const port = portOption(args) ?? Number(process.env.WEB_PORT ?? 3000);
  const app = await startWebApp({ apiUrl: process.env.DEMA_API_URL ?? 'http://127.0.0.1:8080', port });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void app.close());
}

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, promote: { type: 'boolean', default: false } },
  });
  if (values.password !== undefined) {
    throw new TypeError(
      'create-admin no longer takes --password: the process list shows it to every user of the machine. Type it at the prompt, or pipe it on stdin.',
    );
  }
  if (!values.email) throw new TypeError(`create-admin needs --email\n\n${usage}`);
  const password = await readPassword();
  const config = { ...loadConfig(), demoData: false, firstAdmin: undefined, logLevel: 'warn' };
  const infra = await createInfrastructure(config, { name: 'dema-cli' });
  try {
    const users = await createUserService(infra);
    const admin = await users.identity.createAdmin(values.email, password, { name: values.name, promote: values.promote });
    console.log(`admin ready: ${admin.email} (${admin.id})${values.promote ? '; every session it had has ended' : ''}`);
  } finally {
    await infra.close();
  }
}

async function rotateSigningKey(): Promise<void> {
  const config = { ...loadConfig(), demoData: false, firstAdmin: undefined, logLevel: 'warn' };
  if (config.jwtPrivateKey) throw new TypeError('DEMA_JWT_PRIVATE_KEY is set: the configured key signs. Rotate it by setting a new one there.');
  const infra = await createInfrastructure(config, { name: 'dema-cli' });
  try {
    const users = await createUserService(infra);
    const kid = await KeyRing.rotate(await infra.database('user'), { encryptionKey: config.keyEncryptionKey });
    console.log(
      `new signing key ${kid}; restart every User service instance now (the previous key verifies for ${Math.round(keyRetirementSeconds / 60)} more minutes)`,
    );
    await users.close();
  } finally {
    await infra.close();
  }
}

/** The new admin's password: typed twice at a prompt that does not echo it, or the first line of stdin. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const password = text.split(/\r?\n/)[0] ?? '';
    if (!password) throw new TypeError('create-admin reads the password from stdin, which was empty');
    return password;
  }
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Password again: ');
  if (first !== second) throw new TypeError('the two passwords differ');
  return first;
}

function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          done();
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (char === '\u0003') {
          done();
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    const done = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    };
    input.on('data', onData);
  });
}

async function serve(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' } } });
  const name = positionals[0];
  const factory = name === undefined ? undefined : factories[name];
  if (!factory) throw new TypeError(`serve needs a service name: ${Object.keys(factories).join(', ')}\n\n${usage}`);
  const port = portOption(args.filter((arg) => arg !== name));
  await runProcess(name!, [factory], undefined, port === undefined ? {} : { port });
}

async function alerts(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { rules: { type: 'string' }, out: { type: 'string' } } });
  if (positionals[0] !== 'export') throw new TypeError(`alerts needs a subcommand: export\n\n${usage}`);
  const { alerting } = loadConfig();
  const file = values.rules ?? alerting.rulesFile ?? defaultRulesFile;
  const text = exportPrometheusRules(
    (await loadAlertRules(file)).map((r) => r.rule),
    alerting.windowMs,
    file,
  );
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
