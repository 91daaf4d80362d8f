import fp from 'fastify-plugin';
import type { DemaApp, Infrastructure, RateLimitClass, RateLimitRule } from '@dema/platform';
import { registerCors } from './cors.ts';
import { EdgeRateLimit, registerRateLimit } from './rate-limit.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export interface EdgePolicySettings {
  corsOrigins: string[];
  rateLimits: Record<RateLimitClass, RateLimitRule>;
  rateLimitAllowlist: string[];
}

/** The edge policies of one public entry, built once and applied to every path into it. */
export interface EdgePolicies {
  /** Origins whose pages may call the API (DEMA_CORS_ORIGINS). */
  corsOrigins: ReadonlySet<string>;
  /** One limiter, so that every path into the entry counts against the same budgets. */
  rateLimit: EdgeRateLimit;
}

/**
 * What every client meets at the public entry, whether that is the proxying gateway or the
 * all-in-one process (embedded mode, no proxy): CORS for the configured origins, security headers
 * (`securityHeaders`), and per-client rate limits, Redis-shared when configured. Settings come from
 * `infra.config` (DEMA_CORS_ORIGINS, DEMA_RATE_LIMIT_*); `overrides` win.
 */
export function createEdgePolicies(infra: Pick<Infrastructure, 'config' | 'limiter'>, overrides: Partial<EdgePolicySettings> = {}): EdgePolicies {
  const settings: EdgePolicySettings = {
    corsOrigins: infra.config.corsOrigins,
    rateLimits: infra.config.rateLimits,
    rateLimitAllowlist: infra.config.rateLimitAllowlist,
    ...overrides,
  };
  return {
    corsOrigins: new Set(settings.corsOrigins),
    rateLimit: new EdgeRateLimit({ limiter: infra.limiter, rules: settings.rateLimits, allowlist: settings.rateLimitAllowlist }),
  };
}

/**
 * The edge policies as hooks on every route of a Fastify app. Request ids (`x-request-id`: a sane
 * incoming one is kept, else one is made; returned and logged on every line) and the body-size limit
 * are the platform HTTP kit's and hold on every process already.
 *
 * Register on the root app before it listens; the hooks then cover every route, those registered
 * earlier included.
 */
export async function applyEdgePolicies(app: DemaApp, policies: EdgePolicies): Promise<void> {
  await app.register(
    fp(
      async (root: DemaApp) => {
        registerSecurityHeaders(root);
        registerCors(root, { origins: policies.corsOrigins });
        registerRateLimit(root, policies.rateLimit);
      },
      { name: 'dema-edge-policies', fastify: '5.x' },
    ),
  );
}

/** `createEdgePolicies` and `applyEdgePolicies` in one: the all-in-one process's edge. */
export async function registerEdgePolicies(
  app: DemaApp,
  infra: Pick<Infrastructure, 'config' | 'limiter'>,
  overrides: Partial<EdgePolicySettings> = {},
): Promise<void> {
  await applyEdgePolicies(app, createEdgePolicies(infra, overrides));
}
