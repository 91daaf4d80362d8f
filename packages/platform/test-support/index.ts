import type { DemaConfig } from '../config.ts';
import { startProcess, type RunningProcess, type ServiceFactory } from '../service.ts';
import type { TestEnvironment, TestTarget } from './targets.ts';

export { testTargets, realTarget, testRedis, testAmqpUrl, createDatabase, type TestTarget, type TestEnvironment } from './targets.ts';
export { TcpProxy } from './tcp-proxy.ts';
export { behindProxies, keepBusy, leakPattern, statusCounts, type Outages, type Outcome } from './outages.ts';
export { dbTargets, type DbTarget } from './db-targets.ts';
export { sampleOrderCreated, sampleStockUpdated } from './sample-events.ts';
export { waitFor, assertEachOnce } from './wait.ts';
export { deleteRedisKeys } from './targets.ts';

export interface TestProcess extends RunningProcess {
  environment: TestEnvironment;
  /** Stops the process and drops its database and keys. */
  dispose(): Promise<void>;
}

/** Starts services on a fresh environment of `target`, listening on a free local port. */
export async function startTestProcess(target: TestTarget, factories: ServiceFactory[], overrides: Partial<DemaConfig> = {}): Promise<TestProcess> {
  const environment = await target.environment(overrides);
  const running = await startProcess(environment.config, 'test', factories, { inMemory: environment.inMemory });
  return {
    ...running,
    environment,
    async dispose() {
      await running.close();
      await environment.dispose();
    },
  };
}
