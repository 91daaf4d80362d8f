import { runGateway } from './edge/run-gateway.ts';

/**
 * The API gateway alone, in front of services started as their own processes (the cluster, or an
 * orchestrator): DEMA_UPSTREAM_USER / _PRODUCT / _ORDER / _ANALYTICS list each service's instances.
 */
await runGateway();
