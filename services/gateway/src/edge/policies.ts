import fp from 'fastify-plugin';
import type { DemaApp, Infrastructure, RateLimitClass, RateLimitRule } from '@dema/platform';
import { registerCors } from './cors.ts';
import { registerRateLimit } from './rate-limit.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export interface EdgePolicySettings {
  corsOrigins: string[];
  rateLimits: Record<RateLimitClass, RateLimitRule>;
  rateLimitAllowlist: string[];
}

/**
 * What every client meets at the public entry, whether that is the proxying gateway or the
 * all-in-one process (embedded mode, no proxy): CORS for the configured origins, security headers,
 * and per-client rate limits (Redis-shared when configured). Request ids (`x-request-id`: a sane
 * incoming one is kept, else one is made; returned and logged on every line) and the body-size
 * limit are the platform HTTP kit's and hold on every process already.
 *
 * Register on the root app before it listens; the hooks then cover every route, those registered
 * earlier included. Settings come from `infra.config` (DEMA_CORS_ORIGINS, DEMA_RATE_LIMIT_*),
 * `overrides` win.
 */
export async function registerEdgePolicies(
  app: DemaApp,
  infra: Pick<Infrastructure, 'config' | 'limiter'>,
  overrides: Partial<EdgePolicySettings> = {},
): Promise<void> {
  const settings: EdgePolicySettings = {
    corsOrigins: infra.config.corsOrigins,
    rateLimits: infra.config.rateLimits,
    rateLimitAllowlist: infra.config.rateLimitAllowlist,
    ...overrides,
  };
  await app.register(
    fp(
      async (root: DemaApp) => {
        registerSecurityHeaders(root);
        registerCors(root, { origins: settings.corsOrigins });
        registerRateLimit(root, { limiter: infra.limiter, rules: settings.rateLimits, allowlist: settings.rateLimitAllowlist });
      },
      { name: 'dema-edge-policies', fastify: '5.x' },
    ),
  );
}
