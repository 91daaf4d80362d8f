import Type from 'typebox';
import { isDraining, registerLiveness, type DemaApp, type ReadinessCheck, type ServiceName } from '@dema/platform';
import type { UpstreamPool } from './upstream-pool.ts';

const Instance = Type.Object({
  url: Type.String(),
  state: Type.Union([Type.Literal('unknown'), Type.Literal('up'), Type.Literal('down')]),
  since: Type.String({ format: 'date-time' }),
  lastError: Type.Optional(Type.String()),
});
const CheckResult = Type.Object({ status: Type.String(), detail: Type.Optional(Type.String()) });
const GatewayReadiness = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('degraded'), Type.Literal('down'), Type.Literal('draining')]),
  checks: Type.Record(Type.String(), CheckResult),
  upstreams: Type.Record(Type.String(), Type.Array(Instance)),
});

/**
 * The gateway's `/health/live` and `/health/ready`. Ready reports every upstream instance with its
 * state (`unknown` until its first check), plus the gateway's own dependencies (Redis for rate
 * limits and sessions). `up`: everything answers; `degraded` (200): some instance, whole service or
 * Redis is down, and the rest is still served; `down` (503) only when no instance of any service
 * answers — a gateway that can still serve the catalog must stay in its load balancer's rotation.
 */
export function registerGatewayHealth(app: DemaApp, pools: Partial<Record<ServiceName, UpstreamPool>>, checks: ReadinessCheck[]): void {
  registerLiveness(app);

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        operationId: 'checkReadiness',
        summary: 'Readiness: every dependency answers (503 when one is down)',
        response: { 200: GatewayReadiness, 503: GatewayReadiness },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            return [name, await check()] as const;
          } catch (error) {
            return [name, { status: 'down' as const, detail: (error as Error).message }] as const;
          }
        }),
      );
      const upstreams = Object.fromEntries(Object.entries(pools).map(([service, pool]) => [service, pool.status()]));
      if (isDraining(app)) return reply.status(503).send({ status: 'draining' as const, checks: Object.fromEntries(results), upstreams });
      const instances = Object.values(upstreams).flat();
      const down = instances.every((i) => i.state === 'down');
      const degraded = instances.some((i) => i.state === 'down') || results.some(([, r]) => r.status !== 'up');
      reply.status(down ? 503 : 200);
      const status = down ? ('down' as const) : degraded ? ('degraded' as const) : ('up' as const);
      return { status, checks: Object.fromEntries(results), upstreams };
    },
  );
}
