import type { DemaConfig } from '../src/config.ts';
import { startProcess, type RunningProcess, type ServiceFactories, type ServiceFactory, type ServiceModule } from '../src/service.ts';
import type { TestEnvironment, TestTarget } from './targets.ts';

export { testTargets, realTarget, testRedis, testAmqpUrl, createDatabase, type TestTarget, type TestEnvironment } from './targets.ts';
export { TcpProxy } from './tcp-proxy.ts';
export { startRedisCluster, redisClusterSkip, type LocalRedisCluster } from './redis-cluster.ts';
export { behindProxies, keepBusy, leakPattern, statusCounts, type Outages, type Outcome } from './outages.ts';
export { dbTargets, type DbTarget } from './db-targets.ts';
export { sampleOrderCreated, sampleOrderStatusChanged, sampleStockUpdated } from './sample-events.ts';
export { waitFor, assertEachOnce } from './wait.ts';
export { deleteRedisKeys, realServersRequired } from './targets.ts';
export { replicationSkip, startReplicatedPostgres, type ReplicatedPostgres } from './replicated-postgres.ts';

export interface TestProcess<Services = ServiceModule[]> extends Omit<RunningProcess, 'services'> {
  /** The services, by name when they were given by name. */
  services: Services;
  environment: TestEnvironment;
  /** Stops the process and drops its database and keys. */
  dispose(): Promise<void>;
}

/** What each factory of `F` builds, by the same names. */
export type ServicesOf<F extends ServiceFactories> = { [Name in keyof F]: Awaited<ReturnType<F[Name]>> };

/**
 * Starts services on a fresh environment of `target`, listening on a free local port. Given by
 * name (`{ user: createUserService }`), they come back by name (`running.services.user`).
 */
export async function startTestProcess<F extends ServiceFactories>(
  target: TestTarget,
  factories: F,
  overrides?: Partial<DemaConfig>,
): Promise<TestProcess<ServicesOf<F>>>;
export async function startTestProcess(target: TestTarget, factories: ServiceFactory[], overrides?: Partial<DemaConfig>): Promise<TestProcess>;
export async function startTestProcess(
  target: TestTarget,
  factories: ServiceFactory[] | ServiceFactories,
  overrides: Partial<DemaConfig> = {},
): Promise<TestProcess<unknown>> {
  const environment = await target.environment(overrides);
  const named = !Array.isArray(factories);
  const running = await startProcess(environment.config, 'test', Object.values(factories), { inMemory: environment.inMemory });
  // Object.values keeps the names' order, so the i-th service built is the i-th name's.
  const names = Object.keys(factories);
  return {
    ...running,
    services: named ? Object.fromEntries(running.services.map((service, i) => [names[i]!, service])) : running.services,
    environment,
    async dispose() {
      await running.close();
      await environment.dispose();
    },
  };
}
export { runEntry, assertOneLine, occupyPort, freePort, type EntryResult, type RunOptions } from './startup.ts';
