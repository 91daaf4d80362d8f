import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisSettings } from '../config.ts';
import { isRedisAuthFailure } from '../startup-errors.ts';

/** The seed's `redisConfig`, verbatim but for where host, port, password (and prefix) come from. */
export function redisConfig(settings: RedisSettings): RedisOptions {
  return {
    host: settings.host,
    port: settings.port,
    password: settings.password,
    db: 0,
    keyPrefix: settings.keyPrefix,
    maxRetriesPerRequest: 3,
    retryStrategy: (times: number) => {
      if (times > 3) return null;
      return Math.min(times * 100, 3000);
    },
  };
}

/** How long to wait, after the seed's retryStrategy gives up, before dialling Redis again. */
const healIntervalMs = 2_000;

/**
 * A Redis connection with the seed's options that heals: the seed's retryStrategy stops after three
 * tries, which would leave the process without Redis for good; here a new attempt starts every few
 * seconds until Redis answers again. Callers check `isReady` and fall back when it is false.
 */
export class HealingRedis {
  readonly client: Redis;
  private closing = false;
  private healTimer: NodeJS.Timeout | undefined;
  private readonly readyListeners: Array<(reconnect: boolean) => void> = [];
  private everReady = false;
  private refusal: Error | undefined;

  constructor(
    settings: RedisSettings,
    options: Partial<RedisOptions>,
    private readonly log: Logger,
    name: string,
  ) {
    this.client = new Redis({
      ...redisConfig(settings),
      // A stalled Redis must cost a request milliseconds, not hang it.
      commandTimeout: 500,
      connectTimeout: 2_000,
      lazyConnect: true,
      connectionName: name,
      ...options,
    });
    this.client.on('error', (error: Error) => {
      if (isRedisAuthFailure(error)) this.refusal ??= error;
      this.log.debug({ err: error, redis: name }, 'redis error');
    });
    this.client.on('ready', () => {
      const reconnect = this.everReady;
      this.everReady = true;
      this.log.info({ redis: name, reconnect }, 'redis ready');
      for (const listener of this.readyListeners) listener(reconnect);
    });
    this.client.on('end', () => {
      if (this.closing) return;
      this.log.warn({ redis: name }, 'redis unreachable; serving without it and retrying');
      this.scheduleHeal();
    });
  }

  get isReady(): boolean {
    return this.client.status === 'ready';
  }

  /** Called on every transition to ready; `reconnect` is false the first time. */
  onReady(listener: (reconnect: boolean) => void): void {
    this.readyListeners.push(listener);
  }

  /**
   * Connects, without failing when Redis is down at start: the process runs degraded and heals. It
   * fails when Redis refuses the password, which no retry mends (the operator has to).
   */
  async connect(): Promise<void> {
    await this.client.connect().catch(() => undefined);
    if (this.refusal) throw this.refusal;
  }

  private scheduleHeal(): void {
    clearTimeout(this.healTimer);
    this.healTimer = setTimeout(() => {
      if (this.closing || this.client.status !== 'end') return;
      this.client.connect().catch(() => undefined);
    }, healIntervalMs);
    this.healTimer.unref();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.healTimer);
    if (this.client.status === 'end') return;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
