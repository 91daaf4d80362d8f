import Type, { type Static } from 'typebox';
import { visibleTextPattern } from './names.ts';

/**
 * Monitoring contracts (seed: Monitoring & Alerting): the `SystemMetrics` and `ApplicationMetrics`
 * shapes the dashboard reads, with the seed's field names exactly, and the seed's `AlertRule`.
 */

const Bytes = Type.Number({ minimum: 0, description: 'Bytes' });

export const SystemMetrics = Type.Object(
  {
    cpu: Type.Object({
      usage: Type.Number({ minimum: 0, maximum: 100, description: 'Percent of all cores busy over the monitoring window' }),
      load: Type.Array(Type.Number({ minimum: 0 }), { minItems: 3, maxItems: 3, description: 'Load average over 1, 5 and 15 minutes' }),
    }),
    memory: Type.Object({
      total: Bytes,
      used: Type.Number({ minimum: 0, description: 'Bytes: total less free' }),
      free: Type.Number({ minimum: 0, description: 'Bytes available to new work without swapping (MemAvailable)' }),
    }),
    disk: Type.Object({
      total: Type.Number({ minimum: 0, description: 'Bytes of the filesystem holding the working directory' }),
      used: Bytes,
      free: Type.Number({ minimum: 0, description: 'Bytes an unprivileged process can still write' }),
    }),
    network: Type.Object({
      bytesIn: Type.Number({ minimum: 0, description: 'Bytes received on every interface but loopback since boot' }),
      bytesOut: Type.Number({ minimum: 0, description: 'Bytes sent on every interface but loopback since boot' }),
      connections: Type.Integer({ minimum: 0, description: 'Established TCP connections on this machine' }),
    }),
  },
  { $id: 'SystemMetrics' },
);
export type SystemMetrics = Static<typeof SystemMetrics>;

export const ApplicationMetrics = Type.Object(
  {
    requests: Type.Object({
      total: Type.Integer({ minimum: 0, description: 'HTTP requests answered since the process started' }),
      success: Type.Integer({ minimum: 0, description: 'Answered without a server error (status below 500)' }),
      failed: Type.Integer({ minimum: 0, description: 'Answered with a server error (status 500 and above)' }),
      latency: Type.Number({ minimum: 0, description: 'Mean time to answer, in milliseconds (0 before the first request)' }),
    }),
    database: Type.Object({
      connections: Type.Integer({ minimum: 0, description: 'Pool connections running a statement now' }),
      queryTime: Type.Number({ minimum: 0, description: 'Mean statement time, in milliseconds (0 before the first statement)' }),
      poolSize: Type.Integer({ minimum: 0, description: 'Connections open in the pools, busy or idle' }),
    }),
    cache: Type.Object({
      hits: Type.Integer({ minimum: 0, description: 'Look-ups served from the cache (fresh or stale)' }),
      misses: Type.Integer({ minimum: 0, description: 'Look-ups that went to the database (absent, or cache unavailable)' }),
      ratio: Type.Number({ minimum: 0, maximum: 1, description: 'hits / (hits + misses); 0 before the first look-up' }),
    }),
  },
  { $id: 'ApplicationMetrics' },
);
export type ApplicationMetrics = Static<typeof ApplicationMetrics>;

export const alertSeverities = ['info', 'warning', 'error', 'critical'] as const;
export type AlertSeverity = (typeof alertSeverities)[number];
export const alertChannels = ['slack', 'email', 'sms'] as const;
export type AlertChannel = (typeof alertChannels)[number];
const Severity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('error'), Type.Literal('critical')]);
const Channel = Type.Union([Type.Literal('slack'), Type.Literal('email'), Type.Literal('sms')]);

/** The seed's `AlertRule`, as written in a rules file. */
export const AlertRule = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: visibleTextPattern }),
    condition: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'A comparison over metric paths (cpu.usage, requests.failed, cpu.load[0], ...), numbers, `threshold` and + - * /',
    }),
    threshold: Type.Number(),
    duration: Type.String({ pattern: '^\\d+(ms|s|m|h)$', description: 'How long the condition must hold before the alert fires: 30s, 5m, 1h' }),
    severity: Severity,
    channels: Type.Array(Channel, { minItems: 1, uniqueItems: true }),
  },
  { $id: 'AlertRule', additionalProperties: false },
);
export type AlertRule = Static<typeof AlertRule>;

export const AlertRuleList = Type.Array(Type.Ref('AlertRule'), { $id: 'AlertRuleList' });

const Timestamp = Type.String({ format: 'date-time' });

/** One attempt to tell a channel that an alert fired or resolved, after its retries. */
export const AlertDelivery = Type.Object(
  {
    channel: Channel,
    event: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
    delivered: Type.Boolean(),
    attempts: Type.Integer({ minimum: 0 }),
    error: Type.Optional(Type.String()),
    at: Timestamp,
  },
  { $id: 'AlertDelivery' },
);
export type AlertDelivery = Static<typeof AlertDelivery>;

export const Alert = Type.Object(
  {
    name: Type.String(),
    severity: Severity,
    state: Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')], {
      description: 'pending: the condition holds but not yet for the rule duration',
    }),
    condition: Type.String(),
    threshold: Type.Number(),
    value: Type.Union([Type.Number(), Type.Null()], { description: 'Left side of the condition at the last evaluation; null when undefined (0 / 0)' }),
    since: Timestamp,
    firedAt: Type.Optional(Timestamp),
    resolvedAt: Type.Optional(Timestamp),
    channels: Type.Array(Type.String()),
    deliveries: Type.Array(Type.Ref('AlertDelivery')),
  },
  { $id: 'Alert' },
);
export type Alert = Omit<Static<typeof Alert>, 'deliveries'> & { deliveries: AlertDelivery[] };

export const AlertList = Type.Object(
  {
    active: Type.Array(Type.Ref('Alert'), { description: 'Pending and firing alerts' }),
    recent: Type.Array(Type.Ref('Alert'), { description: 'Resolved alerts, newest first' }),
  },
  { $id: 'AlertList' },
);
export type AlertList = { active: Alert[]; recent: Alert[] };

/** One reading of the machine and the application, as the alert engine took it. */
export const MetricsSample = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'When the reading was taken' }),
    system: Type.Ref('SystemMetrics'),
    application: Type.Ref('ApplicationMetrics'),
  },
  { $id: 'MetricsSample' },
);
export type MetricsSample = { at: string; system: SystemMetrics; application: ApplicationMetrics };

/** Most history a sample list covers: the dashboard's last hour. */
export const metricsHistoryMaxMinutes = 60;

export const MetricsHistoryQuery = Type.Object(
  {
    minutes: Type.Integer({ minimum: 1, maximum: metricsHistoryMaxMinutes, default: metricsHistoryMaxMinutes, description: 'How far back to go, in minutes' }),
  },
  { additionalProperties: false },
);
export type MetricsHistoryQuery = Static<typeof MetricsHistoryQuery>;

export const MetricsHistory = Type.Object(
  {
    intervalMs: Type.Integer({ minimum: 1, description: 'Time between samples (the alert evaluation interval)' }),
    samples: Type.Array(Type.Ref('MetricsSample'), { description: 'Oldest first' }),
  },
  { $id: 'MetricsHistory' },
);
export type MetricsHistory = { intervalMs: number; samples: MetricsSample[] };
