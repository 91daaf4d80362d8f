import { BlockList, isIP } from 'node:net';
import type { Principal } from '@dema/contracts';
import { tooManyRequests, type DemaApp, type RateLimitClass, type RateLimitRule, type RateLimiter } from '@dema/platform';
import { splitTarget } from './request-target.ts';

export interface RateLimitOptions {
  limiter: RateLimiter;
  rules: Record<RateLimitClass, RateLimitRule>;
  /** Addresses, CIDRs or user ids that are never limited. */
  allowlist: string[];
}

/**
 * The class of a request: signing in, signing up and refreshing are `auth` (strict: they are what
 * credential stuffing aims at), other reads `read`, other writes `write`. Undefined → not limited:
 * health checks and metrics scrapes, and CORS preflights.
 */
export function rateLimitClass(method: string, path: string): RateLimitClass | undefined {
  if (method === 'OPTIONS' || path.startsWith('/health/') || path === '/metrics') return undefined;
  // A GraphQL request counts as one read, whatever it asks: each REST call its resolvers make is
  // counted by its own class (an aliased login is an `auth` hit), as if the client had made it.
  if (path === '/graphql') return 'read';
  const read = method === 'GET' || method === 'HEAD';
  if (!read && (path === '/api/auth' || path.startsWith('/api/auth/'))) return 'auth';
  return read ? 'read' : 'write';
}

/** Who a request comes from, as far as limits go: FastifyRequest is one. */
export interface LimitedClient {
  readonly principal: Principal | undefined;
  /** The client's address (after any trusted proxies). */
  readonly ip: string;
}

/**
 * Who is limited: the signed-in user when the request carried a valid token (so users behind one
 * NAT do not share a budget), the address otherwise.
 */
export function rateLimitClient(client: LimitedClient): string {
  return client.principal?.kind === 'user' ? `user:${client.principal.userId}` : `ip:${plainAddress(client.ip)}`;
}

/** The rate-limit fields of an answer (draft-ietf-httpapi-ratelimit-headers). */
export type RateLimitHeaders = { 'ratelimit-policy': string; ratelimit: string };

/**
 * Per-client, per-class fixed-window limits at the edge (seed: Rate Limiting). Counters live in
 * Redis when it is configured, so every gateway instance draws from the same budget; while Redis is
 * away each instance counts for itself and keeps serving. Every limited response says where the
 * client stands in the IETF draft's fields (`RateLimit-Policy: "read";q=1200;w=60` and
 * `RateLimit: "read";r=1187;t=42`); one over the limit gets a 429 problem with `Retry-After`.
 * Allowlisted addresses and users are not counted at all.
 */
export class EdgeRateLimit {
  private readonly allowed: (client: LimitedClient) => boolean;
  private readonly policies: Record<RateLimitClass, string>;

  constructor(private readonly options: RateLimitOptions) {
    this.allowed = parseAllowlist(options.allowlist);
    this.policies = Object.fromEntries(
      Object.entries(options.rules).map(([name, rule]) => [name, `"${name}";q=${rule.limit};w=${rule.windowSeconds}`]),
    ) as Record<RateLimitClass, string>;
  }

  /**
   * Counts a request to `path` (normalized, no query) from `client`, authenticated first so that it can be keyed
   * on the user. Undefined when it is not counted (no class, or allowlisted), without a promise:
   * that is every request of a load test. Otherwise the fields to answer with, or a rejection with
   * the 429 AppError when the client is over its limit.
   */
  check(method: string, path: string, client: LimitedClient): Promise<RateLimitHeaders> | undefined {
    const kind = rateLimitClass(method, path);
    if (!kind || this.allowed(client)) return undefined;
    return this.count(kind, client);
  }

  private async count(kind: RateLimitClass, client: LimitedClient): Promise<RateLimitHeaders> {
    const rule = this.options.rules[kind];
    const state = await this.options.limiter.hit(`edge:${kind}:${rateLimitClient(client)}`, rule.windowSeconds);
    const remaining = Math.max(0, rule.limit - state.count);
    const headers = { 'ratelimit-policy': this.policies[kind], ratelimit: `"${kind}";r=${remaining};t=${state.resetSeconds}` };
    if (state.count > rule.limit) {
      throw tooManyRequests(
        `More than ${rule.limit} ${kind} requests in ${rule.windowSeconds} s; try again in ${state.resetSeconds} s`,
        state.resetSeconds,
        headers,
      );
    }
    return headers;
  }
}

/**
 * `limit` on every request of a Fastify app (the all-in-one process, the gateway's own routes), on
 * its normalized path (`splitTarget`): the router reads escapes the same way, so `/api/%61uth/login`
 * is counted as the sign-in it is routed to. A request whose credentials are refused is counted too,
 * against its address, before its 401: a flood of bad tokens gets a 429.
 */
export function registerRateLimit(app: DemaApp, limit: EdgeRateLimit): void {
  // A callback hook that leaves at once for requests it does not count (no promise per request).
  app.addHook('onRequest', (request, reply, done) => {
    const counted = limit.check(request.method, splitTarget(request.url).pathname, request);
    if (!counted) return done();
    counted.then((headers) => {
      reply.headers(headers);
      done();
    }, done);
  });
  app.onRefusedCredentials(async (request, reply) => {
    const counted = limit.check(request.method, splitTarget(request.url).pathname, { principal: undefined, ip: request.ip });
    if (counted) reply.headers(await counted);
  });
}

/** A predicate for the allowlist: IPv4/IPv6 addresses and CIDRs by address, anything else by user id. */
function parseAllowlist(entries: string[]): (client: LimitedClient) => boolean {
  if (entries.length === 0) return () => false;
  const addresses = new BlockList();
  const users = new Set<string>();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address);
    if (family === 0) {
      if (prefix !== undefined) throw new TypeError(`DEMA_RATE_LIMIT_ALLOWLIST: ${entry} is not a CIDR`);
      users.add(entry);
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) addresses.addAddress(address, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new TypeError(`DEMA_RATE_LIMIT_ALLOWLIST: ${entry} is not a CIDR`);
      addresses.addSubnet(address, bits, type);
    }
  }
  // Checking a BlockList allocates; the answer for an address never changes, so remember it.
  const known = new Map<string, boolean>();
  return (client) => {
    if (client.principal?.kind === 'user' && users.has(client.principal.userId)) return true;
    const address = client.ip;
    let listed = known.get(address);
    if (listed === undefined) {
      const ip = plainAddress(address);
      const family = isIP(ip);
      listed = family !== 0 && addresses.check(ip, family === 4 ? 'ipv4' : 'ipv6');
      if (known.size >= 10_000) known.clear();
      known.set(address, listed);
    }
    return listed;
  };
}

// A server listening on :: sees IPv4 clients as ::ffff:a.b.c.d; allowlists and keys use a.b.c.d.
function plainAddress(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
