import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type DemaConfig } from './config.ts';
import { createInfrastructure, type Infrastructure } from './infrastructure.ts';
import { createHttpServer, type DemaApp } from './http/server.ts';
import { registerDocs } from './http/docs.ts';
import { registerHealth, startDraining } from './http/health.ts';
import { readApplication } from './application-metrics.ts';
import { listen } from './http/listen.ts';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { tokenAuthenticator } from './auth/token-authenticator.ts';
import { exitOnStartupFailure } from './startup-errors.ts';

/**
 * The shape every service has, so the all-in-one process and a service started alone assemble
 * them the same way: routes to mount, background work to start, resources to release.
 */
export interface ServiceModule {
  name: string;
  /** Shared schemas (with `$id`) its routes refer to; added at the root so the OpenAPI document has them. */
  schemas: object[];
  /** Registers the service's routes (full paths, under /api) on an encapsulated scope. */
  routes(app: DemaApp): Promise<void>;
  /** The User service provides the access-token public keys in-process; others fetch its JWKS. */
  accessTokenKeys?: JWTVerifyGetKey;
  /** Starts background work (outbox relay, consumers) once the process listens. */
  start(): void;
  close(): Promise<void>;
}

export type ServiceFactory = (infra: Infrastructure) => Promise<ServiceModule>;

/**
 * Services by name, in the order they are built (a later one may use an earlier one: the Order
 * service reserves stock in the Product service's catalog), so that code and tests find a service
 * by its name rather than by its place in a list.
 */
export type ServiceFactories = Record<string, ServiceFactory>;

/** Mounts `services` on one HTTP server with docs, health, metrics and problem+json errors. */
export async function buildApp(infra: Infrastructure, services: ServiceModule[], name: string): Promise<DemaApp> {
  const app = createHttpServer({
    log: infra.log,
    metrics: infra.metrics,
    authenticate: tokenAuthenticator(
      services.find((s) => s.accessTokenKeys)?.accessTokenKeys ?? createRemoteJWKSet(new URL(infra.config.jwksUrl)),
      infra.sessions,
    ),
    bodyLimit: infra.config.bodyLimit,
    serviceToken: infra.config.serviceToken,
    trustProxy: infra.config.trustProxy,
    service: name,
  });
  await registerDocs(app, {
    title: 'Dema API',
    version: '0.1.0',
    description: 'Catalog, identity, orders and analytics of a Dema shop. Errors are RFC 9457 problem+json.',
  });
  declareSchemas(app, services);
  for (const service of services) await app.register(async (scope) => service.routes(scope));
  registerHealth(app, infra.readiness());
  // A cluster's gateway reads this from every instance: its ApplicationMetrics then cover the
  // services' database and cache, which the gateway process itself never touches. `process` tells a
  // restarted instance, whose counters start from zero again, from the one before it.
  app.get('/internal/metrics/application', { config: { internal: true }, schema: { hide: true } }, async () => ({
    ...(await readApplication(infra.metrics)),
    process: performance.timeOrigin,
  }));
  return app;
}

export interface RunningProcess {
  app: DemaApp;
  infra: Infrastructure;
  services: ServiceModule[];
  url: string;
  close(): Promise<void>;
}

export interface ProcessOptions {
  /** Keep the embedded database in memory (tests). */
  inMemory?: boolean;
  /** Registers plugins on the app before it listens: the all-in-one process's edge policies. */
  configure?: (app: DemaApp, infra: Infrastructure) => Promise<void>;
}

/** Builds infrastructure and services, listens, and starts background work. */
export async function startProcess(config: DemaConfig, name: string, factories: ServiceFactory[], options: ProcessOptions = {}): Promise<RunningProcess> {
  const infra = await createInfrastructure(config, { name, inMemory: options.inMemory });
  const services: ServiceModule[] = [];
  try {
    // One after another: on the shared embedded database, migrations queue anyway.
    for (const factory of factories) services.push(await factory(infra));
    const app = await buildApp(infra, services, name);
    await options.configure?.(app, infra);
    const url = await listen(app, { host: config.host, port: config.port });
    for (const service of services) service.start();
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        // Readiness 503 while still serving, so balancers route away; then stop taking requests and
        // finish those in flight, then stop background work, then pools.
        startDraining(app);
        if (config.shutdownDrainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
        await app.close();
        for (const service of services) await service.close();
        await infra.close();
      })());
    return { app, infra, services, url, close };
  } catch (error) {
    for (const service of services) await service.close().catch(() => undefined);
    await infra.close().catch(() => undefined);
    throw error;
  }
}

/** The environment's configuration with `overrides`; a bad setting ends the process with its message. */
export function loadConfigOrExit(overrides: Partial<DemaConfig> = {}): DemaConfig {
  try {
    return { ...loadConfig(), ...overrides };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Stops the process that `starting` resolves to gracefully on SIGINT / SIGTERM or an uncaught
 * error (in-flight requests finish, pools close), within the configured shutdown timeout. Call it
 * before awaiting the start: a process answers requests before its start has finished (the extra
 * accepting handles, background work), and a Ctrl-C then must still close it, not kill it. A start
 * that fails ends the process with its error.
 */
export function closeOnSignals(starting: Promise<{ infra: Infrastructure; close(): Promise<void> }>, config: DemaConfig): void {
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    const running = await starting;
    if (err) running.infra.log.error({ err }, 'shutting down after an error');
    else running.infra.log.info({ signal }, 'shutting down');
    await running.close();
  });
}

/**
 * Entry point of a process: reads the environment, starts, and shuts down gracefully on SIGINT /
 * SIGTERM (in-flight requests finish, pools close) within the configured timeout. A start that
 * fails for a known reason (a busy port, a database not there) ends the process with one line.
 */
export async function runProcess(
  name: string,
  factories: ServiceFactory[],
  onStarted?: (running: RunningProcess) => Promise<void>,
  overrides: Partial<DemaConfig> = {},
  options: Pick<ProcessOptions, 'configure'> = {},
): Promise<void> {
  const config = loadConfigOrExit(overrides);
  const starting = startProcess(config, name, factories, options);
  closeOnSignals(starting, config);
  const started = async () => {
    const running = await starting;
    // What comes after listening (the web app beside the API) may still fail the start: close first.
    await onStarted?.(running).catch(async (error: unknown) => {
      await running.close().catch(() => undefined);
      throw error;
    });
  };
  await exitOnStartupFailure(started(), config);
}

/**
 * Adds the shared schemas of `modules` to `app`, each `$id` once: services that share a contract
 * (Address: the User service's address book and the Order service's checkout) each list it.
 */
export function declareSchemas(app: { addSchema(schema: object): unknown }, modules: ReadonlyArray<Pick<ServiceModule, 'schemas'>>): void {
  const declared = new Set<unknown>();
  for (const module of modules) {
    for (const schema of module.schemas) {
      const id = (schema as { $id?: unknown }).$id;
      if (declared.has(id)) continue;
      declared.add(id);
      app.addSchema(schema);
    }
  }
}
