import Type from 'typebox';
import type { DemaApp } from './server.ts';

export type CheckStatus = 'up' | 'degraded' | 'down';

/** One dependency readiness depends on. `degraded` still serves (e.g. cache down → database). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ status: CheckStatus; detail?: string }>;
}

const draining = new WeakSet<DemaApp>();

/** From now on `app`'s readiness answers 503 (`draining`), whatever its dependencies say: it is shutting down. */
export function startDraining(app: DemaApp): void {
  draining.add(app);
}

/** Whether `startDraining` was called for `app`. */
export function isDraining(app: DemaApp): boolean {
  return draining.has(app);
}

const CheckResult = Type.Object({ status: Type.String(), detail: Type.Optional(Type.String()) });
const Readiness = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), CheckResult) });

/** `/health/live`: the process answers; the same route for every service and the gateway. */
export function registerLiveness(app: DemaApp): void {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        operationId: 'checkLiveness',
        summary: 'Liveness: the process answers',
        response: { 200: Type.Object({ status: Type.String() }) },
      },
    },
    async () => ({ status: 'up' }),
  );
}

/**
 * `/health/live`: the process answers. `/health/ready`: every dependency answers within a second;
 * 503 when one is down, so an orchestrator or the gateway stops sending traffic.
 */
export function registerHealth(app: DemaApp, checks: ReadinessCheck[]): void {
  registerLiveness(app);

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        operationId: 'checkReadiness',
        summary: 'Readiness: every dependency answers (503 when one is down)',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      if (draining.has(app)) return reply.status(503).send({ status: 'draining', checks: {} });
      const results = await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            return [name, await withTimeout(check(), 1_000)] as const;
          } catch (error) {
            return [name, { status: 'down' as CheckStatus, detail: (error as Error).message }] as const;
          }
        }),
      );
      const down = results.some(([, r]) => r.status === 'down');
      const degraded = results.some(([, r]) => r.status === 'degraded');
      reply.status(down ? 503 : 200);
      return { status: down ? 'down' : degraded ? 'degraded' : 'up', checks: Object.fromEntries(results) };
    },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
