/**
 * The API gateway: the public entry in front of service instances (`main.ts` runs it alone), and
 * the edge policies (CORS, rate limits, security headers) that the all-in-one process applies too.
 */
export { buildGateway, type Gateway, type GatewayEdge, type GatewayModuleFactory, type GatewayOptions } from './edge/gateway-app.ts';
export { runGateway, startGateway, type RunningGateway } from './edge/run-gateway.ts';
export { registerEdgePolicies, type EdgePolicySettings } from './edge/policies.ts';
export { upstreamApplication, InstanceTotals, type InstanceReading } from './edge/upstream-application.ts';
export { UpstreamPool } from './edge/upstream-pool.ts';
export { upstreamTransport, type UpstreamTransportOptions } from './edge/upstream-transport.ts';
export type { EdgePolicies } from './edge/policies.ts';
export { serviceFor } from './edge/routes-table.ts';
export type { OpenApiDocument } from './edge/merged-openapi.ts';
