import { createMonitoring } from '@dema/platform';
import { runGateway } from './edge/run-gateway.ts';

/**
 * The API gateway alone, in front of services started as their own processes (the cluster, or an
 * orchestrator): DEMA_UPSTREAM_USER / _PRODUCT / _ORDER / _ANALYTICS list each service's instances.
 * Monitoring and alerting run here, at the edge, where every request passes.
 */
await runGateway({}, { modules: [(infra) => createMonitoring(infra)] });
