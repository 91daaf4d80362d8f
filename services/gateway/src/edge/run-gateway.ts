import { createMonitoring } from '@dema/monitoring';
import {
  closeOnSignals,
  createInfrastructure,
  exitOnStartupFailure,
  listen,
  loadConfigOrExit,
  startDraining,
  type DemaConfig,
  type Infrastructure,
  type Logger,
} from '@dema/platform';
import { buildGateway, type Gateway, type GatewayModuleFactory, type GatewayOptions } from './gateway-app.ts';
import { upstreamApplication } from './upstream-application.ts';

/** A gateway listening, and how to stop it. */
export interface RunningGateway {
  gateway: Gateway;
  infra: Infrastructure;
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the gateway on its own infrastructure (Redis for rate limits and the session store, when
 * REDIS_HOST is set; RabbitMQ for its modules' live feeds, when AMQP_URL is set; no database) and listens on `config.host:config.port`. `log` replaces the
 * logger made from `config.logLevel`.
 */
export async function startGateway(config: DemaConfig, options: GatewayOptions = {}, log?: Logger): Promise<RunningGateway> {
  // The gateway owns no data: without database URLs nothing is opened. It keeps the bus (AMQP_URL)
  // for the live feeds of the modules it runs (GraphQL subscriptions see every order event through
  // whichever gateway instance the client is connected to); it consumes and publishes nothing.
  const infra = await createInfrastructure(config, { name: 'gateway', log });
  let gateway: Gateway | undefined;
  try {
    gateway = await buildGateway(infra, options);
    const url = await listen(gateway.app, { host: config.host, port: config.port });
    gateway.start();
    const built = gateway;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        // Readiness 503 while still forwarding, so a balancer in front routes away first.
        startDraining(built.app);
        if (config.shutdownDrainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
        await built.app.close();
        await built.close();
        await infra.close();
      })());
    return { gateway, infra, url, close };
  } catch (error) {
    await gateway?.close().catch(() => undefined);
    await infra.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Entry point of a gateway process (`npm run dema -- gateway`, the cluster): reads the environment,
 * starts, prints where it listens and what it balances, and stops gracefully on SIGINT / SIGTERM.
 * Monitoring and alerting always run in it (at the edge, every request passes, and the instances'
 * database and cache figures are read from them); `options.modules` run beside (GraphQL, which
 * apps/server composes).
 */
export async function runGateway(overrides: Partial<DemaConfig> = {}, options: GatewayOptions = {}): Promise<void> {
  const config = loadConfigOrExit(overrides);
  const monitoring: GatewayModuleFactory = (infra, { pools }) =>
    createMonitoring(infra, { application: upstreamApplication(pools, { serviceToken: config.serviceToken, metrics: infra.metrics, log: infra.log }) });
  const starting = startGateway(config, { ...options, modules: [monitoring, ...(options.modules ?? [])] });
  closeOnSignals(starting, config);
  const running = await exitOnStartupFailure(starting, config);
  const lines = [`  Dema gateway at ${running.url.replace('127.0.0.1', 'localhost')}`];
  for (const [service, pool] of Object.entries(running.gateway.pools)) lines.push(`    ${service.padEnd(9)} → ${pool.instances.map((i) => i.url).join(', ')}`);
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}
