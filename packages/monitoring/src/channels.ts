import { setTimeout as delay } from 'node:timers/promises';
import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer';
import type { AlertChannel, AlertDelivery, AlertRule } from '@dema/contracts';
import type { Logger } from '@dema/platform';

/** What a channel is told: a rule started firing, or stopped. */
export interface AlertNotification {
  rule: AlertRule;
  event: 'firing' | 'resolved';
  /** Left side of the condition at the evaluation that fired or resolved it. */
  value: number;
  firedAt: Date;
  resolvedAt?: Date;
}

/** A place alerts are delivered to; `send` resolves once the far end accepted the message. */
export interface NotificationChannel {
  readonly name: AlertChannel;
  send(notification: AlertNotification): Promise<void>;
  close?(): void;
}

const formatValue = (value: number) => (Number.isFinite(value) ? String(Math.round(value * 10_000) / 10_000) : String(value));

/** One line a person reads first: `[FIRING] High Error Rate (critical)`. */
export function alertTitle(n: AlertNotification): string {
  return `[${n.event === 'firing' ? 'FIRING' : 'RESOLVED'}] ${n.rule.name} (${n.rule.severity})`;
}

/** The whole message, the same on every channel. */
export function alertText(n: AlertNotification): string {
  const lines = [
    alertTitle(n),
    `Condition: ${n.rule.condition} (threshold ${n.rule.threshold}, for ${n.rule.duration})`,
    `Value: ${formatValue(n.value)}`,
    `Firing since: ${n.firedAt.toISOString()}`,
  ];
  if (n.resolvedAt) lines.push(`Resolved at: ${n.resolvedAt.toISOString()}`);
  return lines.join('\n');
}

async function expectOk(response: Response, what: string): Promise<void> {
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const detail = (await response.text().catch(() => '')).slice(0, 200);
  throw new Error(`${what} answered ${response.status}${detail ? `: ${detail}` : ''}`);
}

/** Slack incoming webhook: one JSON POST with `text` (and a coloured attachment). */
export class SlackChannel implements NotificationChannel {
  readonly name = 'slack' as const;
  constructor(
    private readonly webhookUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(n: AlertNotification): Promise<void> {
    const color = n.event === 'resolved' ? 'good' : n.rule.severity === 'critical' || n.rule.severity === 'error' ? 'danger' : 'warning';
    const response = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        text: alertTitle(n),
        attachments: [{ color, text: alertText(n).split('\n').slice(1).join('\n') }],
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await expectOk(response, 'the Slack webhook');
  }
}

export interface EmailSettings {
  /** smtp://user:pass@host:port or smtps://… */
  smtpUrl: string;
  from: string;
  to: string[];
}

/** Email over SMTP (nodemailer), one message to every recipient. */
export class EmailChannel implements NotificationChannel {
  readonly name = 'email' as const;
  private readonly transport: Transporter;

  constructor(
    private readonly settings: EmailSettings,
    timeoutMs = 10_000,
  ) {
    this.transport = nodemailer.createTransport({
      url: settings.smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as TransportOptions);
  }

  async send(n: AlertNotification): Promise<void> {
    await this.transport.sendMail({ from: this.settings.from, to: this.settings.to, subject: alertTitle(n), text: alertText(n) });
  }

  close(): void {
    this.transport.close();
  }
}

export interface SmsSettings {
  /** The provider's account base, e.g. https://api.twilio.com/2010-04-01/Accounts/AC…; messages go to `{url}/Messages`. */
  url: string;
  account: string | undefined;
  token: string | undefined;
  from: string;
  to: string[];
}

/**
 * SMS through a Twilio-style API: `POST {url}/Messages` as a form (To, From, Body) with basic auth,
 * one message per recipient. A retry sends only to the recipients not yet reached.
 */
export class SmsChannel implements NotificationChannel {
  readonly name = 'sms' as const;
  private readonly reached = new WeakMap<AlertNotification, Set<string>>();

  constructor(
    private readonly settings: SmsSettings,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(n: AlertNotification): Promise<void> {
    const reached = this.reached.get(n) ?? new Set<string>();
    this.reached.set(n, reached);
    const { url, account, token, from } = this.settings;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (account && token) headers.authorization = `Basic ${Buffer.from(`${account}:${token}`).toString('base64')}`;
    // An SMS is short: the title and the value, not the whole text.
    const body = `${alertTitle(n)}: ${n.rule.condition} = ${formatValue(n.value)}`;
    for (const to of this.settings.to) {
      if (reached.has(to)) continue;
      const response = await fetch(`${url.replace(/\/+$/, '')}/Messages`, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ To: to, From: from, Body: body }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await expectOk(response, `the SMS provider (to ${to})`);
      reached.add(to);
    }
  }
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before the second try; doubles before each further one. */
  baseDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 3, baseDelayMs: 1000 };

/**
 * Sends `notification` on `channel`, retrying failures with exponential backoff up to
 * `policy.attempts` tries; every failure is logged. Never throws: the outcome is the returned
 * delivery record, so a channel that fails cannot stop the others.
 */
export async function deliver(channel: NotificationChannel, notification: AlertNotification, policy: RetryPolicy, log: Logger): Promise<AlertDelivery> {
  let error = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      await channel.send(notification);
      if (attempt > 1) log.info({ channel: channel.name, alert: notification.rule.name, attempt }, 'alert delivered after a retry');
      return { channel: channel.name, event: notification.event, delivered: true, attempts: attempt, at: new Date().toISOString() };
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      const last = attempt === policy.attempts;
      log[last ? 'error' : 'warn'](
        { channel: channel.name, alert: notification.rule.name, event: notification.event, attempt, err: error },
        last ? 'alert delivery failed; giving up' : 'alert delivery failed; will retry',
      );
      if (!last) await delay(policy.baseDelayMs * 2 ** (attempt - 1));
    }
  }
  return { channel: channel.name, event: notification.event, delivered: false, attempts: policy.attempts, error, at: new Date().toISOString() };
}
