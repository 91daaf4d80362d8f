import client from 'prom-client';
import {
  StartupError,
  createHttpServer,
  declareSchemas,
  serviceNames,
  tokenAuthenticator,
  type Authenticator,
  type DemaApp,
  type Infrastructure,
  type ServiceModule,
  type ServiceName,
} from '@dema/platform';
import { registerMergedDocs } from './merged-openapi.ts';
import { registerGatewayHealth } from './gateway-health.ts';
import { applyEdgePolicies, createEdgePolicies, type EdgePolicies, type EdgePolicySettings } from './policies.ts';
import { createProxy } from './proxy.ts';
import { serviceFor } from './routes-table.ts';
import { upstreamJwks } from './upstream-jwks.ts';
import { UpstreamPool } from './upstream-pool.ts';

export interface GatewayOptions {
  /** Instances per service; default `infra.config.upstreams` (DEMA_UPSTREAM_*). */
  upstreams?: Partial<Record<ServiceName, string[]>>;
  /** Default `infra.config.upstreamTimeoutMs` (DEMA_UPSTREAM_TIMEOUT_MS, 10 s). */
  timeoutMs?: number;
  /** Health-check period per instance (1 s). */
  healthIntervalMs?: number;
  /** Failed checks in a row that take an instance out (2). */
  unhealthyThreshold?: number;
  /** Least time between two JWKS fetches caused by an unknown key id (5 s). */
  jwksCooldownMs?: number;
  /** How long a complete merged OpenAPI document is served before it is fetched again (30 s). */
  docsCacheMs?: number;
  /** Edge policy settings; default from `infra.config`. */
  policies?: Partial<EdgePolicySettings>;
  /**
   * Modules that run in the gateway process itself, mounted like a service's routes (monitoring
   * and alerting: `createMonitoring`), each made knowing the instances the gateway balances over.
   */
  modules?: GatewayModuleFactory[];
}

/** What a module of the gateway process may use of the edge. */
export interface GatewayEdge {
  /** The instances the gateway balances over, by service. */
  pools: Partial<Record<ServiceName, UpstreamPool>>;
  /** The gateway's policies: calls a module makes for a client are counted against the client's limits. */
  policies: EdgePolicies;
  /** Verifies an access token as the proxy does (the User service's keys, the session store). */
  authenticate: Authenticator;
  /** DEMA_UPSTREAM_TIMEOUT_MS, or the gateway's `timeoutMs`. */
  timeoutMs: number;
}

/** A module of the gateway process: a service factory that may also use the edge (`GatewayEdge`). */
export type GatewayModuleFactory = (infra: Infrastructure, edge: GatewayEdge) => Promise<ServiceModule>;

/** A built gateway, not yet listening. */
export interface Gateway {
  app: DemaApp;
  pools: Partial<Record<ServiceName, UpstreamPool>>;
  /** Starts the health checks (call once the app listens). */
  start(): void;
  /** Stops health checks and upstream connections; close `app` first to finish requests in flight. */
  close(): Promise<void>;
}

/**
 * The API gateway (seed: API Gateway → Rate Limiting, Authentication, Load Balancing): the one
 * public entry in front of every service instance. A request for a service's paths goes to the
 * proxy (`createProxy`): authentication at the edge (an access token is verified against the User
 * service's JWKS and its session checked; a bad one is a 401 that no service sees), the edge
 * policies (security headers, CORS, per-client rate limits shared through Redis), the body limit,
 * and balancing across healthy instances. Services still verify tokens themselves; the gateway adds
 * no identity header for them to trust. Everything else meets the same authentication and policies
 * as hooks of the platform HTTP kit, on the gateway's own routes: `/health/live`, `/health/ready`
 * (per-instance states), `/metrics`, the merged API docs at `/api/docs`, CORS preflights, and those
 * of `options.modules`.
 */
export async function buildGateway(infra: Infrastructure, options: GatewayOptions = {}): Promise<Gateway> {
  const { config, log } = infra;
  const upstreams = options.upstreams ?? config.upstreams;
  const up = new client.Gauge({
    name: 'gateway_upstream_instance_up',
    help: 'Upstream instance state: 1 up, 0 down (unknown counts as up)',
    labelNames: ['service', 'instance'],
    registers: [infra.metrics.registry],
  });
  const failedAttempts = new client.Counter({
    name: 'gateway_upstream_failed_attempts_total',
    help: 'Upstream attempts that failed, by whether another instance was tried',
    labelNames: ['service', 'outcome'],
    registers: [infra.metrics.registry],
  });

  const pools: Partial<Record<ServiceName, UpstreamPool>> = {};
  for (const service of serviceNames) {
    const urls = upstreams[service];
    if (!urls?.length) continue;
    pools[service] = new UpstreamPool(service, urls, {
      log,
      healthIntervalMs: options.healthIntervalMs,
      unhealthyThreshold: options.unhealthyThreshold,
      onStateChange: (instance) => up.set({ service, instance: instance.url }, instance.state === 'down' ? 0 : 1),
    });
    for (const url of urls) up.set({ service, instance: url }, 1);
  }
  const userPool = pools.user;
  if (!userPool) {
    await closePools(pools);
    throw new StartupError(
      'The gateway needs the User service (DEMA_UPSTREAM_USER), whose keys verify access tokens: set DEMA_UPSTREAM_USER to its instances (http://host:port, comma-separated)',
    );
  }

  const jwks = upstreamJwks(userPool, { cooldownMs: options.jwksCooldownMs });
  const authenticate = tokenAuthenticator(jwks.keys, infra.sessions);
  const policies = createEdgePolicies(infra, options.policies);
  // The label the gateway's requests are counted under, forwarded or its own.
  const metricsLabel = 'gateway';
  const timeoutMs = options.timeoutMs ?? config.upstreamTimeoutMs;
  const proxy = createProxy({
    pools,
    timeoutMs,
    bodyLimit: config.bodyLimit,
    importBodyLimit: config.importBodyLimit,
    authenticate,
    policies,
    trustProxy: config.trustProxy,
    log,
    metrics: infra.metrics,
    metricsLabel,
    onAttemptFailed: (service, outcome) => failedAttempts.inc({ service, outcome }),
  });
  const app = createHttpServer({
    log,
    metrics: infra.metrics,
    authenticate,
    bodyLimit: config.bodyLimit,
    // Its Prometheus scrape takes the same bearer as every instance's.
    serviceToken: config.serviceToken,
    service: metricsLabel,
    trustProxy: config.trustProxy,
    takeRequest: proxy.take,
  });
  app.addHook('preClose', (done) => {
    proxy.close();
    done();
  });
  // The proxy sees every request first: a route of the gateway's own under a service's paths would never be reached.
  app.addHook('onRoute', (route) => {
    if (serviceFor(route.url) !== undefined) throw new TypeError(`Route ${route.url} of the gateway lies under a service's paths, which the gateway forwards`);
  });
  await applyEdgePolicies(app, policies);
  await registerMergedDocs(
    app,
    pools,
    { title: 'Dema API', version: '0.1.0', description: 'Every Dema service behind one gateway. Errors are RFC 9457 problem+json.' },
    log,
    options.docsCacheMs,
  );
  const modules: ServiceModule[] = [];
  try {
    for (const factory of options.modules ?? []) modules.push(await factory(infra, { pools, policies, authenticate, timeoutMs }));
  } catch (error) {
    jwks.close();
    await closePools(pools);
    throw error;
  }
  declareSchemas(app, modules);
  for (const module of modules) await app.register(async (scope) => module.routes(scope));
  registerGatewayHealth(app, pools, infra.readiness());

  return {
    app,
    pools,
    start() {
      for (const pool of Object.values(pools)) pool.start();
      for (const module of modules) module.start();
    },
    async close() {
      // The HTTP server may report closed while a forwarded answer is still on its way from an instance.
      await proxy.settled();
      for (const module of modules) await module.close();
      jwks.close();
      await closePools(pools);
    },
  };
}

async function closePools(pools: Partial<Record<ServiceName, UpstreamPool>>): Promise<void> {
  await Promise.all(Object.values(pools).map((pool) => pool.close()));
}
