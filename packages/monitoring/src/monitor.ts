import { setTimeout as delay } from 'node:timers/promises';
import {
  metricsHistoryMaxMinutes,
  type Alert,
  type AlertChannel,
  type AlertDelivery,
  type AlertList,
  type ApplicationMetrics,
  type MetricsHistory,
  type MetricsSample,
  type SystemMetrics,
} from '@dema/contracts';
import {
  applicationMetrics,
  readApplication,
  readSystem,
  systemMetrics,
  type ApplicationReading,
  type Logger,
  type Metrics,
  type SystemReading,
} from '@dema/platform';
import { deliver, defaultRetryPolicy, type AlertNotification, type NotificationChannel, type RetryPolicy } from './channels.ts';
import { evaluateCondition } from './condition.ts';
import type { ParsedRule } from './rules.ts';

interface Reading {
  at: number;
  system: SystemReading;
  application: ApplicationReading;
}

/** What conditions read: SystemMetrics and ApplicationMetrics side by side, counters over the window. */
export type MetricsSnapshot = SystemMetrics & ApplicationMetrics;

export interface MonitorOptions {
  /** How often rules are evaluated and the machine read. */
  intervalMs: number;
  /** Span over which counters and CPU usage are measured for conditions and for cpu.usage. */
  windowMs: number;
  retry?: RetryPolicy;
  /** Resolved alerts kept for `alerts().recent`. */
  recentLimit?: number;
  /** Filesystem reported as `disk`. */
  diskPath?: string;
  /** Where requests, database and cache are read; default this process's own metrics. */
  application?: () => Promise<ApplicationReading>;
}

interface RuleState {
  alert: Alert;
  sinceMs: number;
}

/**
 * The last `capacity` samples in a fixed array, so an hour of history costs the same memory on the
 * first day as on the hundredth.
 */
class SampleRing {
  private readonly slots: (MetricsSample | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<MetricsSample | undefined>(capacity);
  }

  push(sample: MetricsSample): void {
    this.slots[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Samples taken at or after `since` (epoch ms), oldest first. */
  since(since: number): MetricsSample[] {
    const ordered = [...this.slots.slice(this.next), ...this.slots.slice(0, this.next)];
    return ordered.filter((s): s is MetricsSample => s !== undefined && Date.parse(s.at) >= since);
  }
}

/** Shortest span over which a CPU usage figure means something. */
const minimumCpuSpanMs = 100;

/**
 * Reads this machine and process every `intervalMs`, evaluates each alert rule over the last
 * `windowMs`, and keeps each rule's alert: pending while its condition holds for less than its
 * duration, firing (channels told once) when it has held that long, resolved (channels told once)
 * at the first evaluation where it no longer holds. A rule that stops holding while pending is
 * forgotten without a word. Deliveries run beside evaluation, so a slow channel delays nothing.
 */
export class Monitor {
  private readonly readings: Reading[] = [];
  private readonly states = new Map<string, RuleState>();
  private readonly recent: Alert[] = [];
  private readonly samples: SampleRing;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private evaluating: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly metrics: Metrics,
    readonly rules: ParsedRule[],
    private readonly channels: ReadonlyMap<AlertChannel, NotificationChannel>,
    private readonly log: Logger,
    readonly options: MonitorOptions,
  ) {
    this.samples = new SampleRing(Math.ceil((metricsHistoryMaxMinutes * 60_000) / options.intervalMs) + 1);
  }

  /** Evaluates at once, then every `intervalMs` until `stop`. */
  start(): void {
    if (this.timer || this.stopped) return;
    const missing = new Set(this.rules.flatMap((r) => r.rule.channels).filter((c) => !this.channels.has(c)));
    if (missing.size > 0)
      this.log.warn({ channels: [...missing] }, 'alert rules name channels that are not configured; those deliveries will be recorded as failed');
    const tick = async () => {
      await this.evaluate();
      if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs).unref();
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  /** Stops evaluating and waits for deliveries under way (their retries are bounded). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.evaluating;
    await Promise.all(this.inFlight);
    for (const channel of this.channels.values()) channel.close?.();
  }

  private async read(): Promise<Reading> {
    const [system, application] = await Promise.all([readSystem(this.options.diskPath), this.readApplication()]);
    return { at: Date.now(), system, application };
  }

  /** The latest reading taken at or before `at`, else the oldest one. */
  private readingAt(at: number): Reading | undefined {
    let found = this.readings[0];
    for (const reading of this.readings) if (reading.at <= at) found = reading;
    return found;
  }

  /** One evaluation of every rule against a fresh reading; concurrent calls share one. */
  evaluate(): Promise<void> {
    this.evaluating ??= this.evaluateOnce().finally(() => (this.evaluating = undefined));
    return this.evaluating;
  }

  private async evaluateOnce(): Promise<void> {
    let now: Reading;
    try {
      now = await this.read();
    } catch (error) {
      this.log.error({ err: error }, 'reading metrics for alert rules failed');
      return;
    }
    const previous = this.readings.at(-1) ?? now;
    this.readings.push(now);
    // The dashboard's figures, as /system and /application answer them: CPU over the last
    // interval, counters since the start (in cluster mode, summed over the instances).
    this.samples.push({
      at: new Date(now.at).toISOString(),
      system: systemMetrics(previous.system, now.system),
      application: applicationMetrics(now.application),
    });
    // Keep one reading at or before the window's start, and everything after it.
    while (this.readings.length > 1 && this.readings[1]!.at <= now.at - this.options.windowMs) this.readings.shift();
    const base = this.readingAt(now.at - this.options.windowMs)!;
    const snapshot: MetricsSnapshot = {
      ...systemMetrics(base.system, now.system, base.system),
      ...applicationMetrics(now.application, base.application, Number.NaN),
    };
    for (const parsed of this.rules) this.evaluateRule(parsed, snapshot, now.at);
  }

  private evaluateRule({ rule, condition, durationMs }: ParsedRule, snapshot: MetricsSnapshot, at: number): void {
    const { holds, value } = evaluateCondition(condition, snapshot, rule.threshold);
    const shown = Number.isFinite(value) ? value : null;
    const state = this.states.get(rule.name);
    if (!holds) {
      if (state?.alert.state === 'firing') {
        state.alert.state = 'resolved';
        state.alert.value = shown;
        state.alert.resolvedAt = new Date(at).toISOString();
        this.states.delete(rule.name);
        this.recent.unshift(state.alert);
        this.recent.length = Math.min(this.recent.length, this.options.recentLimit ?? 50);
        this.log.info({ alert: rule.name, value }, 'alert resolved');
        this.notify(state.alert, { rule, event: 'resolved', value, firedAt: new Date(state.alert.firedAt!), resolvedAt: new Date(at) });
      } else if (state) {
        this.states.delete(rule.name);
      }
      return;
    }
    if (!state) {
      const alert: Alert = {
        name: rule.name,
        severity: rule.severity,
        state: 'pending',
        condition: rule.condition,
        threshold: rule.threshold,
        value: shown,
        since: new Date(at).toISOString(),
        channels: [...rule.channels],
        deliveries: [],
      };
      this.states.set(rule.name, { alert, sinceMs: at });
      if (durationMs > 0) return;
    }
    const current = this.states.get(rule.name)!;
    current.alert.value = shown;
    if (current.alert.state === 'pending' && at - current.sinceMs >= durationMs) {
      current.alert.state = 'firing';
      current.alert.firedAt = new Date(at).toISOString();
      this.log.warn({ alert: rule.name, severity: rule.severity, value }, 'alert firing');
      this.notify(current.alert, { rule, event: 'firing', value, firedAt: new Date(at) });
    }
  }

  private notify(alert: Alert, notification: AlertNotification): void {
    for (const name of notification.rule.channels) {
      const channel = this.channels.get(name);
      const record = (delivery: AlertDelivery) => {
        alert.deliveries.push(delivery);
      };
      if (!channel) {
        record({ channel: name, event: notification.event, delivered: false, attempts: 0, error: 'channel not configured', at: new Date().toISOString() });
        continue;
      }
      const job = deliver(channel, notification, this.options.retry ?? defaultRetryPolicy, this.log).then(record);
      this.inFlight.add(job);
      void job.finally(() => this.inFlight.delete(job));
    }
  }

  /** The samples of the last `minutes` (at most an hour), one per evaluation, oldest first. */
  history(minutes: number): MetricsHistory {
    return { intervalMs: this.options.intervalMs, samples: this.samples.since(Date.now() - minutes * 60_000) };
  }

  /** Pending and firing alerts, and the most recent resolved ones (newest first). */
  alerts(): AlertList {
    return { active: [...this.states.values()].map((s) => structuredClone(s.alert)), recent: this.recent.map((a) => structuredClone(a)) };
  }

  /**
   * The machine now: cpu.usage over the window (or, before a reading that old exists, over the
   * time since the oldest one, at least 100 ms), the rest as the kernel reports them.
   */
  async systemMetrics(): Promise<SystemMetrics> {
    let now = await readSystem(this.options.diskPath);
    let base = this.readingAt(now.at - this.options.windowMs)?.system;
    if (!base || now.at - base.at < minimumCpuSpanMs) {
      base = now;
      await delay(minimumCpuSpanMs * 2);
      now = await readSystem(this.options.diskPath);
    }
    return systemMetrics(base, now);
  }

  /**
   * Requests, database and cache since the start, as /metrics reports them: this process's, or
   * what `options.application` reads (a gateway: its requests, its instances' database and cache).
   */
  async applicationMetrics(): Promise<ApplicationMetrics> {
    return applicationMetrics(await this.readApplication());
  }

  private readApplication(): Promise<ApplicationReading> {
    return this.options.application ? this.options.application() : readApplication(this.metrics);
  }
}
