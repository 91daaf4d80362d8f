import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { UpstreamInstance, UpstreamPool } from './upstream-pool.ts';
import { describeError } from './upstream-pool.ts';

export interface UpstreamJwksOptions {
  /** After a fetch, how long an unknown `kid` must wait before it may cause another. */
  cooldownMs?: number;
  /** How long fetched keys are used before they are fetched again regardless. */
  cacheMaxAgeMs?: number;
  timeoutMs?: number;
}

const jwksPath = '/.well-known/jwks.json';

/** Verification keys at the edge, and the timer that refreshes them. */
export interface EdgeKeys {
  keys: JWTVerifyGetKey;
  close(): void;
}

/**
 * The User service's public keys (its JWKS) for verifying access tokens at the edge, fetched from
 * any healthy user instance (another one when the first fails) and cached. A token whose `kid` is
 * not among the cached keys makes jose fetch again — at most once per `cooldownMs` (5 s) — so a new
 * signing key is picked up without restarting the gateway, and a flood of tokens with made-up kids
 * costs one fetch per cooldown, not one per token. The set is also refreshed in the background every
 * `cacheMaxAgeMs`; a refresh that fails keeps the keys it has, so a User service outage does not
 * turn every valid token into a 401.
 */
export function upstreamJwks(pool: UpstreamPool, options: UpstreamJwksOptions = {}): EdgeKeys {
  const keys = createRemoteJWKSet(new URL(`http://${pool.service}.upstream${jwksPath}`), {
    cooldownDuration: options.cooldownMs ?? 5_000,
    cacheMaxAge: Infinity,
    timeoutDuration: options.timeoutMs ?? 5_000,
    [customFetch]: async (_url, init) => fetchFromPool(pool, init.signal),
  });
  const timer = setInterval(() => {
    if (!keys.reloading) keys.reload().catch(() => undefined);
  }, options.cacheMaxAgeMs ?? 600_000);
  timer.unref();
  return { keys, close: () => clearInterval(timer) };
}

async function fetchFromPool(pool: UpstreamPool, signal: AbortSignal): Promise<Response> {
  const tried = new Set<UpstreamInstance>();
  let failure = 'no healthy instance';
  for (let instance = pool.pick(tried); instance; instance = pool.pick(tried)) {
    tried.add(instance);
    try {
      const response = await instance.dispatcher.request({ path: jwksPath, method: 'GET', headers: { accept: 'application/json' }, signal });
      const text = await response.body.text();
      if (response.statusCode === 200) return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
      failure = `${instance.url} answered ${response.statusCode}`;
    } catch (error) {
      if (signal.aborted) throw error;
      failure = `${instance.url}: ${describeError(error)}`;
    }
  }
  throw new Error(`could not fetch the ${pool.service} service's JWKS: ${failure}`);
}
