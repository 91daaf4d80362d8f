import { Client, Pool } from 'undici';
import type { Logger } from '@dema/platform';

export type InstanceState = 'unknown' | 'up' | 'down';

/** What `/health/ready` reports of one instance. */
export interface InstanceStatus {
  url: string;
  state: InstanceState;
  /** When the instance entered this state (ISO 8601). */
  since: string;
  /** Why it is down, or the last failed check. */
  lastError?: string;
}

export interface UpstreamPoolOptions {
  log: Logger;
  /** How often each instance's `/health/ready` is asked. */
  healthIntervalMs?: number;
  /** A check that has not answered within this long failed. */
  healthTimeoutMs?: number;
  /** Consecutive failed checks that take an instance out. */
  unhealthyThreshold?: number;
  /** Consecutive passed checks that bring a down instance back. */
  healthyThreshold?: number;
  /** Most connections the gateway keeps open to one instance. */
  connections?: number;
  /** Told of every state change, for metrics. */
  onStateChange?: (instance: UpstreamInstance) => void;
}

/** One instance of a service: its connection pool for traffic and a separate connection for checks. */
export class UpstreamInstance {
  readonly dispatcher: Pool;
  // Checks on their own connection: a pool busy with 1000 requests must not make the instance look dead.
  readonly probe: Client;
  state: InstanceState = 'unknown';
  since = new Date();
  lastError: string | undefined;
  failures = 0;
  successes = 0;

  constructor(
    readonly url: string,
    connections: number,
  ) {
    this.dispatcher = new Pool(url, { connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
    this.probe = new Client(url, { keepAliveTimeout: 30_000, pipelining: 1 });
  }

  get eligible(): boolean {
    // Unknown counts as up: the gateway serves from its first second, before the first check answers.
    return this.state !== 'down';
  }

  status(): InstanceStatus {
    return { url: this.url, state: this.state, since: this.since.toISOString(), ...(this.lastError ? { lastError: this.lastError } : {}) };
  }
}

/**
 * The instances of one service (seed: Load Balancing). Requests go round-robin over the instances
 * not known to be down. Each instance's `/health/ready` is checked every `healthIntervalMs`
 * (1 s): `unhealthyThreshold` failed checks in a row take it out, `healthyThreshold` passed ones
 * bring it back; a connection the instance refuses or drops, or a readiness that says it is
 * draining, takes it out at once (`eject`), so a killed or stopping instance stops getting traffic
 * on the first sign, not seconds later.
 */
export class UpstreamPool {
  readonly instances: UpstreamInstance[];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly unhealthyThreshold: number;
  private readonly healthyThreshold: number;

  constructor(
    readonly service: string,
    urls: string[],
    private readonly options: UpstreamPoolOptions,
  ) {
    if (urls.length === 0) throw new TypeError(`upstream ${service} needs at least one instance URL`);
    this.instances = urls.map((url) => new UpstreamInstance(url, options.connections ?? 128));
    this.intervalMs = options.healthIntervalMs ?? 1_000;
    this.timeoutMs = options.healthTimeoutMs ?? 2_000;
    this.unhealthyThreshold = options.unhealthyThreshold ?? 2;
    this.healthyThreshold = options.healthyThreshold ?? 1;
  }

  /**
   * The next instance in round-robin order that is not down and not in `exclude` (the instances a
   * request already tried); undefined when there is none.
   */
  pick(exclude?: ReadonlySet<UpstreamInstance>): UpstreamInstance | undefined {
    const count = this.instances.length;
    for (let i = 0; i < count; i++) {
      const instance = this.instances[(this.next + i) % count]!;
      if (instance.eligible && !exclude?.has(instance)) {
        this.next = (this.next + i + 1) % count;
        return instance;
      }
    }
    return undefined;
  }

  /** Takes `instance` out now (it refused or dropped a connection, or said it is closing). */
  eject(instance: UpstreamInstance, reason: string): void {
    instance.successes = 0;
    instance.failures = Math.max(instance.failures, this.unhealthyThreshold);
    instance.lastError = reason;
    this.setState(instance, 'down', reason);
  }

  /** Starts the periodic health checks; the first runs at once. */
  start(): void {
    if (this.timer) return;
    void this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), this.intervalMs);
    this.timer.unref();
  }

  status(): InstanceStatus[] {
    return this.instances.map((instance) => instance.status());
  }

  /** Checks every instance once; resolves when all have answered or timed out. */
  async checkAll(): Promise<void> {
    // A slow round must not pile up behind itself.
    if (this.checking) return;
    this.checking = true;
    try {
      await Promise.all(this.instances.map((instance) => this.check(instance)));
    } finally {
      this.checking = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.instances.flatMap((instance) => [instance.dispatcher.destroy(), instance.probe.destroy()]));
  }

  private async check(instance: UpstreamInstance): Promise<void> {
    let failure: string | undefined;
    try {
      const response = await instance.probe.request({
        path: '/health/ready',
        method: 'GET',
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (response.statusCode === 200) await response.body.dump();
      else {
        // 503 means a dependency it cannot serve without (its database) is down, or that it is
        // shutting down; "degraded" is a 200.
        const answer = (await response.body.json().catch(() => undefined)) as { status?: unknown } | undefined;
        if (answer?.status === 'draining') {
          // No second check for this one: the instance stops accepting once its drain time is over
          // (DEMA_SHUTDOWN_DRAIN_MS), which two checks a second apart could outlast.
          this.eject(instance, '/health/ready answered 503 draining: shutting down');
          return;
        }
        failure = `/health/ready answered ${response.statusCode}`;
      }
    } catch (error) {
      failure = describeError(error);
    }
    if (failure === undefined) {
      instance.failures = 0;
      instance.successes += 1;
      if (instance.state !== 'up' && (instance.state === 'unknown' || instance.successes >= this.healthyThreshold)) {
        instance.lastError = undefined;
        this.setState(instance, 'up');
      }
    } else {
      instance.successes = 0;
      instance.failures += 1;
      instance.lastError = failure;
      if (instance.state !== 'down' && (instance.state === 'unknown' || instance.failures >= this.unhealthyThreshold)) this.setState(instance, 'down', failure);
    }
  }

  private setState(instance: UpstreamInstance, state: InstanceState, reason?: string): void {
    if (instance.state === state) return;
    const from = instance.state;
    instance.state = state;
    instance.since = new Date();
    const entry = { service: this.service, instance: instance.url, from, to: state, ...(reason ? { reason } : {}) };
    if (state === 'down') this.options.log.warn(entry, 'upstream instance down');
    else this.options.log.info(entry, 'upstream instance up');
    this.options.onStateChange?.(instance);
  }
}

/** A short, log-friendly reason from an undici or network error. */
export function describeError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  return code ? `${code}: ${err.message ?? ''}`.trim() : (err.message ?? String(error));
}
