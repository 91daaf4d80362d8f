import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AlertChannel, AlertRule } from '@dema/contracts';
import { Metrics } from '@dema/platform';
import { waitFor } from '@dema/platform/testing';
import { checkAlertRules, EmailChannel, Monitor, SlackChannel, SmsChannel, type NotificationChannel } from '../src/index.ts';
import { HttpReceiver, memoryLogger, SmtpReceiver } from './alerting-receivers.ts';

/**
 * The rule life cycle — pending, firing after `duration`, resolved — against a process's real
 * request series and the machine's real CPU, delivered to local Slack, SMTP and SMS receivers.
 */
const errorRate = (duration: string): AlertRule => ({
  name: 'High Error Rate',
  condition: 'requests.failed / requests.total > threshold',
  threshold: 0.01,
  duration,
  severity: 'critical',
  channels: ['slack', 'sms', 'email'],
});
const labels = (status: number) => ({ method: 'GET', route: '/probe', status_code: String(status), service: 'test' });

/** Counts requests into `metrics` every 25 ms, failing while `failing` is set, as a busy server would. */
function traffic(metrics: Metrics) {
  const state = { failing: false };
  const timer = setInterval(() => {
    metrics.httpRequests.inc(labels(200));
    if (state.failing) metrics.httpRequests.inc(labels(503));
  }, 25);
  return { state, stop: () => clearInterval(timer) };
}

describe('alert rule evaluation', () => {
  let slack: HttpReceiver;
  let sms: HttpReceiver;
  let smtp: SmtpReceiver;
  let channels: NotificationChannel[];
  const messages = () => ({
    slack: slack.received.map((d) => (JSON.parse(d.body) as { text: string }).text),
    sms: sms.received.map((d) => new URLSearchParams(d.body).get('Body')!.split(':')[0]!),
    email: smtp.messages.map((m) => SmtpReceiver.subject(m)),
  });

  before(async () => {
    [slack, sms, smtp] = await Promise.all([HttpReceiver.start(), HttpReceiver.start(), SmtpReceiver.start()]);
  });
  beforeEach(() => {
    slack.received.length = 0;
    sms.received.length = 0;
    smtp.messages.length = 0;
    channels = [
      new SlackChannel(slack.url),
      new SmsChannel({ url: sms.url, account: 'AC1', token: 't', from: '+1', to: ['+2'] }),
      new EmailChannel({ smtpUrl: smtp.url, from: 'dema@shop.test', to: ['ops@shop.test'] }),
    ];
  });
  after(() => Promise.all([slack.close(), sms.close(), smtp.close()]));

  const monitorFor = (rules: AlertRule[], metrics: Metrics, use: NotificationChannel[] = channels, log = memoryLogger().log) =>
    new Monitor(metrics, checkAlertRules(rules), new Map<AlertChannel, NotificationChannel>(use.map((c) => [c.name, c])), log, {
      intervalMs: 100,
      windowMs: 500,
      retry: { attempts: 3, baseDelayMs: 30 },
    });

  test('fires only after the condition held for its duration, tells each channel once, resolves once', async () => {
    const metrics = new Metrics();
    const load = traffic(metrics);
    const monitor = monitorFor([errorRate('1s')], metrics);
    monitor.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.deepEqual(monitor.alerts(), { active: [], recent: [] }, 'no alert while nothing fails');

      load.state.failing = true;
      const failingSince = Date.now();
      await waitFor('the alert to be pending', () => monitor.alerts().active[0]?.state === 'pending', 2000);
      await waitFor('the alert to fire', () => monitor.alerts().active[0]?.state === 'firing', 4000);
      const alert = monitor.alerts().active[0]!;
      const firedAfter = Date.parse(alert.firedAt!) - failingSince;
      assert.ok(Date.parse(alert.firedAt!) - Date.parse(alert.since) >= 1000, `fired ${Date.parse(alert.firedAt!) - Date.parse(alert.since)} ms after pending`);
      // The upper bound leaves room for timers running late on a loaded machine (interval 100 ms).
      assert.ok(firedAfter >= 1000 && firedAfter < 4000, `fired ${firedAfter} ms after failures began`);
      assert.ok(alert.value! > 0.01 && alert.value! <= 0.5, `value ${alert.value}`);
      assert.deepEqual(
        [alert.name, alert.severity, alert.condition, alert.threshold, alert.channels],
        ['High Error Rate', 'critical', errorRate('1s').condition, 0.01, ['slack', 'sms', 'email']],
      );

      await waitFor('every channel to be told', () => monitor.alerts().active[0]!.deliveries.length === 3, 3000);
      // Still failing for well over the duration again: nobody is told twice.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(monitor.alerts().active[0]!.state, 'firing');
      assert.deepEqual(messages(), {
        slack: ['[FIRING] High Error Rate (critical)'],
        sms: ['[FIRING] High Error Rate (critical)'],
        email: ['[FIRING] High Error Rate (critical)'],
      });

      load.state.failing = false;
      const recoveredAt = Date.now();
      await waitFor('the alert to resolve', () => monitor.alerts().recent.length === 1, 3000);
      const { active, recent } = monitor.alerts();
      assert.deepEqual(active, []);
      assert.equal(recent[0]!.state, 'resolved');
      // Failures leave the 500 ms window, and the next evaluation sees the rate fall.
      assert.ok(Date.parse(recent[0]!.resolvedAt!) - recoveredAt < 1500);
      await waitFor('every channel to hear of it', () => monitor.alerts().recent[0]!.deliveries.length === 6, 3000);
      assert.deepEqual(
        monitor
          .alerts()
          .recent[0]!.deliveries.map((d) => [d.channel, d.event, d.delivered, d.attempts])
          .sort(),
        [
          ['email', 'firing', true, 1],
          ['email', 'resolved', true, 1],
          ['slack', 'firing', true, 1],
          ['slack', 'resolved', true, 1],
          ['sms', 'firing', true, 1],
          ['sms', 'resolved', true, 1],
        ],
      );
      const told = messages();
      for (const channel of ['slack', 'sms', 'email'] as const)
        assert.deepEqual(told[channel], ['[FIRING] High Error Rate (critical)', '[RESOLVED] High Error Rate (critical)'], channel);
    } finally {
      load.stop();
      await monitor.stop();
    }
  });

  test('a condition that stops holding before its duration is forgotten without a word', async () => {
    const metrics = new Metrics();
    const load = traffic(metrics);
    const monitor = monitorFor([errorRate('2s')], metrics);
    monitor.start();
    try {
      load.state.failing = true;
      await waitFor('the alert to be pending', () => monitor.alerts().active[0]?.state === 'pending', 2000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      load.state.failing = false;
      await waitFor('the pending alert to be dropped', () => monitor.alerts().active.length === 0, 3000);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.deepEqual(monitor.alerts(), { active: [], recent: [] });
      assert.deepEqual(messages(), { slack: [], sms: [], email: [] });
    } finally {
      load.stop();
      await monitor.stop();
    }
  });

  test('a channel that keeps failing is retried, logged and recorded, and the others are still told', async () => {
    const metrics = new Metrics();
    const load = traffic(metrics);
    const gone = net.createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const { log, lines } = memoryLogger();
    const broken = [channels[0]!, new SmsChannel({ url: `http://127.0.0.1:${port}`, account: 'a', token: 't', from: '+1', to: ['+2'] }), channels[2]!];
    // Slack fails twice first and is then told; SMS never answers.
    slack.failNext = 2;
    const monitor = monitorFor([errorRate('200ms')], metrics, broken, log);
    monitor.start();
    try {
      load.state.failing = true;
      await waitFor('three delivery outcomes', () => (monitor.alerts().active[0]?.deliveries.length ?? 0) === 3, 5000);
      const outcomes = Object.fromEntries(monitor.alerts().active[0]!.deliveries.map((d) => [d.channel, [d.delivered, d.attempts]]));
      assert.deepEqual(outcomes, { slack: [true, 3], sms: [false, 3], email: [true, 1] });
      assert.match(monitor.alerts().active[0]!.deliveries.find((d) => d.channel === 'sms')!.error!, /fetch failed|ECONNREFUSED/);
      assert.equal(messages().slack.length, 1);
      assert.equal(messages().email.length, 1);
      assert.ok(lines.some((l) => l.msg === 'alert delivery failed; giving up' && l.channel === 'sms'));
      assert.equal(lines.filter((l) => l.msg === 'alert delivery failed; will retry' && l.channel === 'slack').length, 2);
    } finally {
      load.stop();
      await monitor.stop();
    }
  });

  test('a channel a rule names but nobody configured is recorded as not configured and warned of at start', async () => {
    const metrics = new Metrics();
    const load = traffic(metrics);
    const { log, lines } = memoryLogger();
    const monitor = monitorFor([errorRate('100ms')], metrics, [channels[0]!], log);
    monitor.start();
    try {
      assert.ok(lines.some((l) => l.level === 40 && JSON.stringify(l.channels) === '["sms","email"]'));
      load.state.failing = true;
      await waitFor('three delivery outcomes', () => (monitor.alerts().active[0]?.deliveries.length ?? 0) === 3, 5000);
      const outcomes = monitor
        .alerts()
        .active[0]!.deliveries.map((d) => [d.channel, d.delivered, d.error ?? null])
        .sort();
      assert.deepEqual(outcomes, [
        ['email', false, 'channel not configured'],
        ['slack', true, null],
        ['sms', false, 'channel not configured'],
      ]);
    } finally {
      load.stop();
      await monitor.stop();
    }
  });

  test('High CPU Usage fires on the real CPU reading while every core is kept busy', async () => {
    const metrics = new Metrics();
    const rule: AlertRule = {
      name: 'High CPU Usage',
      condition: 'cpu.usage > threshold',
      threshold: 70,
      duration: '500ms',
      severity: 'warning',
      channels: ['slack', 'email'],
    };
    const monitor = monitorFor([rule], metrics);
    monitor.start();
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const workers = os
      .cpus()
      .map(
        () =>
          new Worker(
            'const { workerData } = require("worker_threads"); const end = Date.now() + 6000; while (Date.now() < end && Atomics.load(workerData, 0) === 0) {}',
            { eval: true, workerData: stop },
          ),
      );
    try {
      await waitFor('High CPU Usage to fire', () => monitor.alerts().active[0]?.state === 'firing', 6000);
      assert.ok(monitor.alerts().active[0]!.value! > 70, `cpu.usage ${monitor.alerts().active[0]!.value}`);
      await waitFor('slack and email to be told', () => messages().slack.length === 1 && messages().email.length === 1, 3000);
      assert.equal(messages().slack[0], '[FIRING] High CPU Usage (warning)');
      assert.equal(messages().sms.length, 0, 'the rule does not name sms');
    } finally {
      Atomics.store(stop, 0, 1);
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
      await monitor.stop();
    }
  });
});
