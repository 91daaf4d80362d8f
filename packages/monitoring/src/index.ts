import {
  Alert,
  AlertDelivery,
  AlertList,
  AlertRule,
  ApplicationMetrics,
  MetricsHistory,
  MetricsSample,
  SystemMetrics,
  type AlertChannel,
  type AlertRule as AlertRuleType,
} from '@dema/contracts';
import type { ApplicationReading, Infrastructure, ServiceModule } from '@dema/platform';
import { EmailChannel, SlackChannel, SmsChannel, type NotificationChannel, type RetryPolicy } from './channels.ts';
import { Monitor } from './monitor.ts';
import { monitoringRoutes } from './routes.ts';
import { checkAlertRules, defaultRulesFile, loadAlertRules } from './rules.ts';

export { Monitor, type MonitorOptions, type MetricsSnapshot } from './monitor.ts';
export {
  SlackChannel,
  EmailChannel,
  SmsChannel,
  deliver,
  alertText,
  alertTitle,
  defaultRetryPolicy,
  type NotificationChannel,
  type AlertNotification,
  type RetryPolicy,
  type EmailSettings,
  type SmsSettings,
} from './channels.ts';
export { parseCondition, evaluateCondition, conditionToPromQL, readPath, ConditionError, type Condition } from './condition.ts';
export { parseDuration, formatDuration } from './duration.ts';
export { metricPaths } from './metric-paths.ts';
export { loadAlertRules, checkAlertRules, parseRule, defaultAlertRules, defaultRulesFile, AlertRulesError, type ParsedRule } from './rules.ts';
export { exportPrometheusRules, rulePromQL } from './prometheus-rules.ts';

export interface MonitoringOptions {
  /** Rules to use instead of a file (already in the seed's AlertRule form). */
  rules?: AlertRuleType[];
  /** Rules file; default: the configured DEMA_ALERT_RULES, else config/alert-rules.json. */
  rulesFile?: string;
  /** Default: the configured DEMA_ALERT_INTERVAL_MS. */
  intervalMs?: number;
  /** Default: the configured DEMA_ALERT_WINDOW_MS. */
  windowMs?: number;
  /** Channels to use instead of those configured (DEMA_SLACK_WEBHOOK_URL, DEMA_SMTP_URL, DEMA_SMS_URL). */
  channels?: NotificationChannel[];
  retry?: RetryPolicy;
  /** Filesystem reported as `disk`; default: the working directory. */
  diskPath?: string;
  /** Where requests, database and cache are read (`MonitorOptions.application`); default this process. */
  application?: () => Promise<ApplicationReading>;
}

/** The channels the configuration describes; a channel without its URL is absent. */
export function configuredChannels(settings: Infrastructure['config']['alerting']): NotificationChannel[] {
  const channels: NotificationChannel[] = [];
  if (settings.slackWebhookUrl) channels.push(new SlackChannel(settings.slackWebhookUrl));
  if (settings.email) channels.push(new EmailChannel(settings.email));
  if (settings.sms) channels.push(new SmsChannel(settings.sms));
  return channels;
}

/**
 * Monitoring & alerting as a module of the process it is mounted in (the gateway): the admin-only
 * routes GET /api/monitoring/system, /application, /history, /alerts and /dead-letters (and POST
 * /dead-letters/retry), and the evaluation loop, which
 * `start()` starts and `close()` stops after deliveries under way finish. Rules come from
 * `options.rules`, else the rules file; a missing or invalid file fails here, at start.
 */
export async function createMonitoring(infra: Infrastructure, options: MonitoringOptions = {}): Promise<ServiceModule & { monitor: Monitor }> {
  const settings = infra.config.alerting;
  const rules = options.rules
    ? checkAlertRules(options.rules, 'options.rules')
    : await loadAlertRules(options.rulesFile ?? settings.rulesFile ?? defaultRulesFile);
  const channels = new Map<AlertChannel, NotificationChannel>((options.channels ?? configuredChannels(settings)).map((c) => [c.name, c]));
  const log = infra.log.child({ module: 'monitoring' });
  const monitor = new Monitor(infra.metrics, rules, channels, log, {
    intervalMs: options.intervalMs ?? settings.intervalMs,
    windowMs: options.windowMs ?? settings.windowMs,
    retry: options.retry,
    diskPath: options.diskPath,
    application: options.application,
  });
  log.info({ rules: rules.map((r) => r.rule.name), channels: [...channels.keys()] }, 'alert rules loaded');
  return {
    name: 'monitoring',
    monitor,
    schemas: [SystemMetrics, ApplicationMetrics, MetricsSample, MetricsHistory, AlertRule, AlertDelivery, Alert, AlertList],
    routes: (app) => monitoringRoutes(app, monitor, infra.deadLetters, infra.bus),
    start: () => monitor.start(),
    close: () => monitor.stop(),
  };
}
