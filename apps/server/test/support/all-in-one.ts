import { buildApp, createInfrastructure, type DemaApp, type DemaConfig, type Infrastructure, type ServiceFactories, type ServiceModule } from '@dema/platform';
import type { ServicesOf, TestTarget } from '@dema/platform/testing';
import { registerEdgePolicies, type EdgePolicySettings } from '@dema/gateway';
import type { allInOneServices } from '../../src/services.ts';

/** The services of the all-in-one process, by name. */
export type AllInOneServices = ServicesOf<ReturnType<typeof allInOneServices>>;

/** An all-in-one process as `npm start` runs it: services on one app, with the edge policies. */
export interface AllInOne<Services = AllInOneServices> {
  app: DemaApp;
  infra: Infrastructure;
  /** By the names they were given. */
  services: Services;
  url: string;
  dispose(): Promise<void>;
}

/**
 * The all-in-one process of embedded mode on `target`: `buildApp` with the services, then
 * `registerEdgePolicies` — what `apps/server/src/main.ts` does through `runProcess`'s `configure` step.
 */
export async function startAllInOne<F extends ServiceFactories>(
  target: TestTarget,
  factories: F,
  /** The policy settings, or a function of the services that works them out (an allowlisted user's id). */
  policies: Partial<EdgePolicySettings> | ((services: ServicesOf<F>) => Promise<Partial<EdgePolicySettings>>) = {},
  overrides: Partial<DemaConfig> = {},
): Promise<AllInOne<ServicesOf<F>>> {
  const environment = await target.environment(overrides);
  const infra = await createInfrastructure(environment.config, { name: 'test', inMemory: environment.inMemory });
  const named: Record<string, ServiceModule> = {};
  for (const [name, factory] of Object.entries(factories)) named[name] = await factory(infra);
  const services = named as ServicesOf<F>;
  const modules = Object.values(named);
  const app = await buildApp(infra, modules, 'dema');
  await registerEdgePolicies(app, infra, typeof policies === 'function' ? await policies(services) : policies);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  for (const service of modules) service.start();
  return {
    app,
    infra,
    services,
    url,
    async dispose() {
      await app.close();
      for (const service of modules) await service.close();
      await infra.close();
      await environment.dispose();
    },
  };
}
