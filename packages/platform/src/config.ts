import path from 'node:path';
import { cacheConfigs } from '@dema/contracts';
import type { LogFormat } from './logger.ts';

/**
 * Typed configuration. This is the only module that reads `process.env`; everything else receives
 * a `DemaConfig`. Which adapter runs (PGlite or PostgreSQL, in-memory or Redis, in-process bus or
 * RabbitMQ) follows from which URLs are present, never from code edits.
 */
export const serviceNames = ['user', 'product', 'order', 'analytics', 'payment'] as const;
export type ServiceName = (typeof serviceNames)[number];
/** The services with reads a replica may serve (catalog pages, reports); the others read and write on the primary only. */
export const replicaReadingServices = ['product', 'analytics'] as const satisfies readonly ServiceName[];

export interface RedisSettings {
  host: string;
  port: number;
  password: string | undefined;
  /**
   * The seed's `dema:`; another prefix lets several installs (or test runs) share one Redis. Always
   * ends in `:` (REDIS_KEY_PREFIX=shop1 gives `shop1:`).
   */
  keyPrefix: string;
  /**
   * REDIS_CLUSTER_NODES: the seed nodes of a Redis Cluster (any few of its masters or replicas; the
   * rest are discovered). Present → every connection is an ioredis `Cluster`, and `host`/`port` are
   * the first seed (named in startup errors).
   */
  clusterNodes?: Array<{ host: string; port: number }>;
}

export interface DemaConfig {
  host: string;
  port: number;
  logLevel: string;
  /** LOG_FORMAT; default `pretty` on a terminal outside production, else `json`. */
  logFormat: LogFormat;
  /** Where embedded data (PGlite files, generated keys) lives. */
  dataDir: string;
  /** PostgreSQL URL per service; absent → embedded PGlite. */
  databaseUrls: Partial<Record<ServiceName, string>>;
  /**
   * A streaming replica's URL per service of `replicaReadingServices` (PRODUCT_DATABASE_READ_URL,
   * else DATABASE_READ_URL), for the reads that may be served from it; absent → the primary's.
   */
  databaseReadUrls: Partial<Record<ServiceName, string>>;
  redis: RedisSettings | undefined;
  amqpUrl: string | undefined;
  /**
   * Prefix of every exchange and queue name; another one lets several installs share a broker.
   * Empty, or ending in `.` (AMQP_NAMESPACE=shop1 gives `shop1.`).
   */
  amqpNamespace: string;
  /** Delete queues unused this long (throw-away installs, test runs); absent → keep them. */
  amqpQueueExpiresMs: number | undefined;
  /** AMQP_QUEUE_TYPE: `quorum` (the default with NODE_ENV=production: replicated on a RabbitMQ cluster) or `classic`. */
  amqpQueueType: 'classic' | 'quorum';
  cacheEnabled: boolean;
  /** Load the demo catalog into an empty database. */
  demoData: boolean;
  /** Where a service started without the User service fetches the access-token public keys. */
  jwksUrl: string;
  /** The access-token signing key (Ed25519 private JWK, JSON); absent → generated once and stored. */
  jwtPrivateKey: string | undefined;
  /** DEMA_KEY_ENCRYPTION_KEY: 32 bytes (base64 or hex) that encrypt the stored signing keys; absent → stored as they are. */
  keyEncryptionKey: string | undefined;
  /** The first admin, created on start when no user has this email. */
  firstAdmin: { email: string; password: string } | undefined;
  bodyLimit: number;
  /**
   * DEMA_IMPORT_BODY_LIMIT: the largest catalog file `POST /api/products/import` takes (default
   * 64 MiB, about 200,000 rows with long descriptions); the one body allowed past `bodyLimit`, as it
   * is streamed rather than held.
   */
  importBodyLimit: number;
  /** Largest number of PostgreSQL connections one service instance opens. */
  dbPoolSize: number;
  /**
   * DEMA_OUTBOX_RETENTION_DAYS: how long an event stays in its service's outbox once the bus took it
   * (to look at after an incident), before an hourly sweep deletes it, and the id of an event a
   * consumer handled stays in `processed_events`. Pending and dead-lettered events stay until they
   * are published.
   */
  outboxRetentionDays: number;
  shutdownTimeoutMs: number;
  /**
   * On SIGTERM, how long readiness answers 503 while requests are still served, before the process
   * stops taking them: time for a balancer (the gateway, Kubernetes) to route away from it.
   */
  shutdownDrainMs: number;
  /**
   * Instances of each service, for the gateway to balance across and for a service that calls
   * another (order → product) when they run as separate processes. Absent → in the same process.
   */
  upstreams: Partial<Record<ServiceName, string[]>>;
  /** The web app `npm start` serves beside the API (production build), unless disabled. */
  web: { enabled: boolean; port: number };
  /** How long an untouched cart lives (seed: user-cart ttl). */
  cartTtlSeconds: number;
  /** Shared secret on service-to-service calls (`/internal/...`), which the gateway never forwards. */
  serviceToken: string | undefined;
  /** Browser origins allowed to call the API (CORS); the web app's by default. */
  corsOrigins: string[];
  /** Requests each client may make per window at the edge (gateway, all-in-one process), by route class. */
  rateLimits: Record<RateLimitClass, RateLimitRule>;
  /** Clients the edge never rate-limits (load tests): addresses, CIDRs or user ids. Empty by default. */
  rateLimitAllowlist: string[];
  /** How long the gateway waits for an upstream's response headers before answering 504. */
  upstreamTimeoutMs: number;
  /**
   * Proxies (addresses or CIDRs) whose X-Forwarded-For names the client, e.g. the gateway in front of
   * a service; empty → the connection's address is the client's.
   */
  trustProxy: string[];
  /** Monitoring & alerting (seed: Monitoring & Alerting). */
  alerting: AlertingSettings;
  /** The GraphQL API at `/graphql`. */
  graphql: GraphqlSettings;
  /** Card payments through Stripe; absent (no STRIPE_SECRET_KEY) → only manual payments. */
  stripe: StripeSettings | undefined;
  /** Deliveries of the shop's events to the webhook endpoints merchants register. */
  webhooks: WebhookSettings;
  /** Emails to customers (verification, password reset, orders). */
  mail: MailSettings;
}

/** How webhooks are delivered and which receivers they may reach. */
export interface WebhookSettings {
  /**
   * DEMA_WEBHOOKS_ALLOW_PRIVATE: endpoints may resolve to private, loopback or link-local addresses
   * (a receiver on the shop's own network, tests). Off by default: otherwise any admin could make
   * the server call its own network (SSRF).
   */
  allowPrivate: boolean;
  /** DEMA_WEBHOOKS_TIMEOUT_MS: longest one attempt may take before it counts as failed. */
  timeoutMs: number;
  /** DEMA_WEBHOOKS_RETRY_BASE_MS: the wait after a first failed attempt, doubled after each next one. */
  retryBaseMs: number;
  /** DEMA_WEBHOOKS_RETRY_WINDOW_MS: how long a delivery is retried before it is marked failed. */
  retryWindowMs: number;
  /**
   * DEMA_WEBHOOKS_DISABLE_AFTER_FAILURES and DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS: an endpoint is
   * disabled once this many consecutive attempts failed over at least this long, so a receiver down
   * for a few minutes during a busy hour is retried rather than disabled.
   */
  disableAfterFailures: number;
  disableAfterFailingMs: number;
  /** DEMA_WEBHOOKS_CONCURRENCY: attempts in flight at once per instance. */
  concurrency: number;
  /**
   * DEMA_WEBHOOKS_LOG_RETENTION_DAYS: how long a delivery that ended (succeeded, or failed for good)
   * stays in the delivery log before a periodic sweep deletes it with its attempts.
   */
  logRetentionDays: number;
}

/** How the User service sends customers' emails, and what they link to. */
export interface MailSettings {
  /**
   * DEMA_MAIL_SMTP_URL (smtp:// or smtps://); absent → the local mailbox: each email a file under
   * `<dataDir>/mail`, readable by the admin (GET /api/admin/mailbox).
   */
  smtpUrl: string | undefined;
  /** DEMA_MAIL_FROM: the sender of every email. */
  from: string;
  /** DEMA_MAIL_TEMPLATES: a folder whose files replace the shipped templates of the same name. */
  templatesDir: string | undefined;
  /** DEMA_WEB_URL: the store's public address, which every link in an email starts with. */
  publicUrl: string;
  /** DEMA_STORE_NAME: how emails name the shop. */
  storeName: string;
  /** DEMA_MAIL_RETRY_MS: the pause before the first retry of an email that failed; it doubles each time, up to an hour. */
  retryBaseMs: number;
}

/** Where and as whom the Payment service talks to Stripe, and how it checks Stripe's webhooks. */
export interface StripeSettings {
  /** STRIPE_SECRET_KEY: `sk_test_…` for test mode, `sk_live_…` for real money. */
  secretKey: string;
  /** STRIPE_WEBHOOK_SECRET (`whsec_…`): verifies webhook signatures; absent → every webhook is refused (400). */
  webhookSecret: string | undefined;
  /** STRIPE_PUBLISHABLE_KEY (`pk_test_…`): what the storefront's card form loads Stripe.js with; public (GET /api/checkout-settings). */
  publishableKey?: string;
  /**
   * STRIPE_API_BASE: another API host than Stripe's (a local fake in tests, e.g.
   * http://127.0.0.1:12111); absent → api.stripe.com.
   */
  api: { host: string; port: number; protocol: 'http' | 'https' } | undefined;
}

/** Limits and tools of the GraphQL API. */
export interface GraphqlSettings {
  /** DEMA_GRAPHQL_TIMEOUT_MS: longest one operation may run before it ends with TIMEOUT. */
  timeoutMs: number;
  /** Introspection and the GraphiQL page at /graphiql; DEMA_GRAPHQL_TOOLS, default on unless NODE_ENV=production. */
  tools: boolean;
  /** DEMA_GRAPHQL_MAX_COST: the cost limit of one operation (graphql-armor's cost, objects 2, scalars 1, × depth). */
  maxCost: number;
}

/** Where alert rules come from, how often they are evaluated, and where alerts are delivered. */
export interface AlertingSettings {
  /** DEMA_ALERT_RULES: a JSON or YAML file of AlertRule; absent → the shipped config/alert-rules.json. */
  rulesFile: string | undefined;
  /** How often rules are evaluated (and the machine read). */
  intervalMs: number;
  /** Span over which counters (requests, failures, CPU time) are measured for conditions. */
  windowMs: number;
  /** Slack incoming-webhook URL; absent → no Slack channel. */
  slackWebhookUrl: string | undefined;
  /** SMTP server and addresses; absent → no email channel. */
  email: { smtpUrl: string; from: string; to: string[] } | undefined;
  /** Twilio-style SMS API (`POST {url}/Messages`, basic auth); absent → no SMS channel. */
  sms: { url: string; account: string | undefined; token: string | undefined; from: string; to: string[] } | undefined;
}

/** Edge rate-limit classes: sign-in routes strict, reads generous, writes between. */
export type RateLimitClass = 'auth' | 'read' | 'write';
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** The variable that gave `service` its database URL: its own (ORDER_DATABASE_URL) when set, else DATABASE_URL. */
export function databaseUrlVariable(service: ServiceName, env: Env = process.env): string {
  const own = `${service.toUpperCase()}_DATABASE_URL`;
  return env[own]?.trim() ? own : 'DATABASE_URL';
}

/**
 * The configuration `env` describes. `terminal` (whether stdout is one) only picks the default log
 * format: readable lines for a person, JSON for anything that stores or forwards them.
 */
export function loadConfig(env: Env = process.env, terminal = process.stdout.isTTY === true): DemaConfig {
  const read = new EnvReader(env);
  const sharedDatabaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const databaseUrls: Partial<Record<ServiceName, string>> = {};
  for (const service of serviceNames) {
    const url = read.url(`${service.toUpperCase()}_DATABASE_URL`, ['postgres:', 'postgresql:']) ?? sharedDatabaseUrl;
    if (url) databaseUrls[service] = url;
  }
  const sharedReadUrl = read.url('DATABASE_READ_URL', ['postgres:', 'postgresql:']);
  const databaseReadUrls: Partial<Record<ServiceName, string>> = {};
  for (const service of replicaReadingServices) {
    const own = `${service.toUpperCase()}_DATABASE_READ_URL`;
    const url = read.url(own, ['postgres:', 'postgresql:']);
    // A replica only makes sense beside its primary: a read URL on the embedded database would be ignored silently.
    if (url && !databaseUrls[service]) read.required(`${service.toUpperCase()}_DATABASE_URL or DATABASE_URL`, own);
    const readUrl = url ?? (databaseUrls[service] ? sharedReadUrl : undefined);
    if (readUrl) databaseReadUrls[service] = readUrl;
  }
  if (sharedReadUrl && !replicaReadingServices.some((service) => databaseUrls[service])) read.required('DATABASE_URL', 'DATABASE_READ_URL');
  const upstreams: Partial<Record<ServiceName, string[]>> = {};
  for (const service of serviceNames) {
    const urls = read.urlList(`DEMA_UPSTREAM_${service.toUpperCase()}`, ['http:', 'https:']);
    if (urls) upstreams[service] = urls;
  }
  const redisClusterNodes = read.hostPorts('REDIS_CLUSTER_NODES');
  const redisHost = read.string('REDIS_HOST') ?? redisClusterNodes?.[0]?.host;
  const redisKeyPrefix = read.prefix('REDIS_KEY_PREFIX', ':') ?? 'dema:';
  // A hash tag in the prefix would put every key of the install in one slot, on one master.
  if (redisClusterNodes && /[{}]/.test(redisKeyPrefix)) read.problem(`REDIS_KEY_PREFIX=${JSON.stringify(redisKeyPrefix)}: no { or } with REDIS_CLUSTER_NODES`);
  const mailTemplates = read.string('DEMA_MAIL_TEMPLATES');
  const config: DemaConfig = {
    host: read.string('HOST') ?? '0.0.0.0',
    port: read.int('PORT', 8080, 0, 65535),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    logFormat: read.oneOf<LogFormat>('LOG_FORMAT', ['json', 'pretty'], terminal && env.NODE_ENV !== 'production' ? 'pretty' : 'json'),
    dataDir: path.resolve(read.string('DEMA_DATA_DIR') ?? '.dema'),
    databaseUrls,
    databaseReadUrls,
    redis: redisHost
      ? {
          host: redisHost,
          port: redisClusterNodes?.[0]?.port ?? read.int('REDIS_PORT', 6379, 1, 65535),
          password: read.string('REDIS_PASSWORD'),
          keyPrefix: redisKeyPrefix,
          ...(redisClusterNodes ? { clusterNodes: redisClusterNodes } : {}),
        }
      : undefined,
    amqpUrl: read.url('AMQP_URL', ['amqp:', 'amqps:']),
    amqpNamespace: read.prefix('AMQP_NAMESPACE', '.') ?? '',
    amqpQueueExpiresMs: read.string('AMQP_QUEUE_EXPIRES_MS') === undefined ? undefined : read.int('AMQP_QUEUE_EXPIRES_MS', 0, 1000, 2_147_483_647),
    amqpQueueType: read.oneOf<'classic' | 'quorum'>('AMQP_QUEUE_TYPE', ['classic', 'quorum'], env.NODE_ENV === 'production' ? 'quorum' : 'classic'),
    cacheEnabled: read.bool('DEMA_CACHE', true),
    demoData: read.bool('DEMA_DEMO_DATA', true),
    jwksUrl: read.url('DEMA_JWKS_URL', ['http:', 'https:']) ?? 'http://127.0.0.1:8080/.well-known/jwks.json',
    jwtPrivateKey: read.string('DEMA_JWT_PRIVATE_KEY'),
    keyEncryptionKey: read.key32('DEMA_KEY_ENCRYPTION_KEY'),
    firstAdmin: read.pair('DEMA_ADMIN_EMAIL', 'DEMA_ADMIN_PASSWORD'),
    bodyLimit: read.int('DEMA_BODY_LIMIT', 1_048_576, 1024, 100 * 1_048_576),
    importBodyLimit: read.int('DEMA_IMPORT_BODY_LIMIT', 64 * 1_048_576, 1024, 1024 * 1_048_576),
    dbPoolSize: read.int('DEMA_DB_POOL_SIZE', 20, 1, 500),
    outboxRetentionDays: read.int('DEMA_OUTBOX_RETENTION_DAYS', 7, 1, 3650),
    shutdownTimeoutMs: read.int('DEMA_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 120_000),
    shutdownDrainMs: read.int('DEMA_SHUTDOWN_DRAIN_MS', 0, 0, 60_000),
    upstreams,
    web: { enabled: read.bool('DEMA_WEB', true), port: read.int('WEB_PORT', 3000, 0, 65535) },
    cartTtlSeconds: read.int('DEMA_CART_TTL_SECONDS', cacheConfigs['user-cart'].ttl, 1, 365 * 86400),
    serviceToken: read.string('DEMA_SERVICE_TOKEN'),
    corsOrigins: read.urlList('DEMA_CORS_ORIGINS', ['http:', 'https:']) ?? ['http://localhost:3000'],
    rateLimits: {
      auth: read.rate('DEMA_RATE_LIMIT_AUTH', { limit: 30, windowSeconds: 60 }),
      read: read.rate('DEMA_RATE_LIMIT_READ', { limit: 1200, windowSeconds: 60 }),
      write: read.rate('DEMA_RATE_LIMIT_WRITE', { limit: 300, windowSeconds: 60 }),
    },
    rateLimitAllowlist: read.list('DEMA_RATE_LIMIT_ALLOWLIST'),
    upstreamTimeoutMs: read.int('DEMA_UPSTREAM_TIMEOUT_MS', 10_000, 100, 300_000),
    trustProxy: read.list('DEMA_TRUST_PROXY'),
    alerting: readAlerting(read),
    graphql: {
      timeoutMs: read.int('DEMA_GRAPHQL_TIMEOUT_MS', 10_000, 100, 300_000),
      tools: read.bool('DEMA_GRAPHQL_TOOLS', env.NODE_ENV !== 'production'),
      maxCost: read.int('DEMA_GRAPHQL_MAX_COST', 50_000, 100, 10_000_000),
    },
    stripe: readStripe(read),
    webhooks: {
      allowPrivate: read.bool('DEMA_WEBHOOKS_ALLOW_PRIVATE', false),
      timeoutMs: read.int('DEMA_WEBHOOKS_TIMEOUT_MS', 10_000, 100, 60_000),
      retryBaseMs: read.int('DEMA_WEBHOOKS_RETRY_BASE_MS', 5_000, 10, 3_600_000),
      retryWindowMs: read.int('DEMA_WEBHOOKS_RETRY_WINDOW_MS', 86_400_000, 1_000, 7 * 86_400_000),
      disableAfterFailures: read.int('DEMA_WEBHOOKS_DISABLE_AFTER_FAILURES', 50, 1, 10_000),
      disableAfterFailingMs: read.int('DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS', 86_400_000, 0, 30 * 86_400_000),
      concurrency: read.int('DEMA_WEBHOOKS_CONCURRENCY', 16, 1, 256),
      logRetentionDays: read.int('DEMA_WEBHOOKS_LOG_RETENTION_DAYS', 30, 1, 3650),
    },
    mail: {
      smtpUrl: read.url('DEMA_MAIL_SMTP_URL', ['smtp:', 'smtps:']),
      from: read.string('DEMA_MAIL_FROM') ?? 'Dema Store <shop@localhost>',
      templatesDir: mailTemplates === undefined ? undefined : path.resolve(mailTemplates),
      publicUrl: (read.url('DEMA_WEB_URL', ['http:', 'https:']) ?? 'http://localhost:3000').replace(/\/+$/, ''),
      storeName: read.string('DEMA_STORE_NAME') ?? 'Dema Store',
      retryBaseMs: read.int('DEMA_MAIL_RETRY_MS', 30_000, 10, 3_600_000),
    },
  };
  read.throwIfInvalid();
  return config;
}

/** The alerting variables; a channel exists when its URL is set, and then needs its addresses. */
function readAlerting(read: EnvReader): AlertingSettings {
  const smtpUrl = read.url('DEMA_SMTP_URL', ['smtp:', 'smtps:']);
  const smsUrl = read.url('DEMA_SMS_URL', ['http:', 'https:']);
  const rulesFile = read.string('DEMA_ALERT_RULES');
  return {
    rulesFile: rulesFile === undefined ? undefined : path.resolve(rulesFile),
    intervalMs: read.int('DEMA_ALERT_INTERVAL_MS', 15_000, 100, 3_600_000),
    windowMs: read.int('DEMA_ALERT_WINDOW_MS', 60_000, 1000, 86_400_000),
    slackWebhookUrl: read.url('DEMA_SLACK_WEBHOOK_URL', ['http:', 'https:']),
    email: smtpUrl
      ? { smtpUrl, from: read.required('DEMA_ALERT_EMAIL_FROM', 'DEMA_SMTP_URL'), to: read.requiredList('DEMA_ALERT_EMAIL_TO', 'DEMA_SMTP_URL') }
      : undefined,
    sms: smsUrl
      ? {
          url: smsUrl,
          account: read.string('DEMA_SMS_ACCOUNT'),
          token: read.string('DEMA_SMS_TOKEN'),
          from: read.required('DEMA_SMS_FROM', 'DEMA_SMS_URL'),
          to: read.requiredList('DEMA_SMS_TO', 'DEMA_SMS_URL'),
        }
      : undefined,
  };
}

/** The Stripe variables: a secret key turns card payments on; the rest only make sense with it. */
function readStripe(read: EnvReader): StripeSettings | undefined {
  const secretKey = read.string('STRIPE_SECRET_KEY');
  const webhookSecret = read.string('STRIPE_WEBHOOK_SECRET');
  const apiBase = read.url('STRIPE_API_BASE', ['http:', 'https:']);
  const publishableKey = read.string('STRIPE_PUBLISHABLE_KEY');
  if (secretKey === undefined) {
    const orphan =
      webhookSecret !== undefined
        ? 'STRIPE_WEBHOOK_SECRET'
        : apiBase !== undefined
          ? 'STRIPE_API_BASE'
          : publishableKey !== undefined
            ? 'STRIPE_PUBLISHABLE_KEY'
            : undefined;
    if (orphan !== undefined) read.required('STRIPE_SECRET_KEY', orphan);
    return undefined;
  }
  const url = apiBase === undefined ? undefined : new URL(apiBase);
  const protocol = url?.protocol === 'http:' ? 'http' : 'https';
  return {
    secretKey,
    webhookSecret,
    ...(publishableKey === undefined ? {} : { publishableKey }),
    api: url && { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol },
  };
}

/** Collects every bad variable so one start reports them all, each with what was expected. */
class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'off', 'no'].includes(raw)) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)}: expected true/false (or on/off, 1/0)`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}=${JSON.stringify(raw)}: expected one of ${allowed.join(', ')}`);
    return fallback;
  }

  /**
   * A name prefix (Redis keys, RabbitMQ exchanges and queues) that ends in `separator`, added when
   * missing: `shop1` and `shop1:` name the same keys, rather than `shop1cache:…` and `shop1:cache:…`.
   */
  prefix(name: string, separator: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (/\s/.test(raw)) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: expected a prefix without spaces, e.g. shop1${separator}`);
      return undefined;
    }
    return raw.endsWith(separator) ? raw : `${raw}${separator}`;
  }

  /** A 256-bit secret key: base64 (e.g. `openssl rand -base64 32`) or 64 hex digits. */
  key32(name: string): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const bytes = /^[0-9a-f]{64}$/i.test(raw) ? 32 : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw) ? Buffer.from(raw, 'base64').length : 0;
    if (bytes === 32) return raw;
    this.problems.push(`${name}: expected 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits`);
    return undefined;
  }

  /** Two variables that only make sense together, e.g. an email and its password. */
  pair(first: string, second: string): { email: string; password: string } | undefined {
    const a = this.string(first);
    const b = this.env[second];
    if (a === undefined && !b) return undefined;
    if (a === undefined || !b) {
      this.problems.push(`${first} and ${second}: set both or neither`);
      return undefined;
    }
    return { email: a, password: b };
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol)) return raw;
    } catch {
      // reported below
    }
    this.problems.push(`${name}: expected a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);
    return undefined;
  }

  /** A comma-separated list of plain values (addresses, ids); absent → empty. */
  list(name: string): string[] {
    return (this.string(name) ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  }

  /** `count/seconds`, e.g. `1200/60`: at most `count` requests per `seconds`-long window. */
  rate(name: string, fallback: RateLimitRule): RateLimitRule {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const match = /^(\d+)\s*\/\s*(\d+)$/.exec(raw);
    const rule = match ? { limit: Number(match[1]), windowSeconds: Number(match[2]) } : undefined;
    if (!rule || rule.limit < 1 || rule.windowSeconds < 1 || rule.windowSeconds > 86_400) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: expected count/seconds, e.g. 1200/60 (window 1 to 86400 s)`);
      return fallback;
    }
    return rule;
  }

  /** A comma-separated list of URLs, e.g. the instances of one service. */
  problem(text: string): void {
    this.problems.push(text);
  }

  /** `host:port,host:port`: at least one, each port a whole number from 1 to 65535. */
  hostPorts(name: string): Array<{ host: string; port: number }> | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const nodes = raw.split(',').map((entry) => /^\s*([^\s:]+):(\d{1,5})\s*$/.exec(entry));
    if (nodes.some((node) => !node || Number(node[2]) < 1 || Number(node[2]) > 65535)) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: expected host:port pairs separated by commas, e.g. 10.0.0.1:7000,10.0.0.2:7000`);
      return undefined;
    }
    return nodes.map((node) => ({ host: node![1]!, port: Number(node![2]) }));
  }

  urlList(name: string, protocols: string[]): string[] | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const urls = raw
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    const bad = urls.filter((u) => {
      try {
        return !protocols.includes(new URL(u).protocol);
      } catch {
        return true;
      }
    });
    if (bad.length > 0 || urls.length === 0) {
      const not = bad.length > 0 ? `, not ${bad.map((u) => JSON.stringify(u)).join(', ')}` : '';
      this.problems.push(`${name}: expected comma-separated ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URLs${not}`);
      return undefined;
    }
    return urls.map((u) => u.replace(/\/+$/, ''));
  }

  /** A variable that another one, `because`, makes necessary. */
  required(name: string, because: string): string {
    const value = this.string(name);
    if (value === undefined) this.problems.push(`${name}: needed when ${because} is set`);
    return value ?? '';
  }

  /** A comma-separated list that `because` makes necessary. */
  requiredList(name: string, because: string): string[] {
    const items = (this.string(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (items.length === 0) this.problems.push(`${name}: needed (comma-separated) when ${because} is set`);
    return items;
  }

  throwIfInvalid(): void {
    if (this.problems.length > 0) {
      throw new ConfigError(`Invalid configuration:\n  - ${this.problems.join('\n  - ')}`);
    }
  }
}
