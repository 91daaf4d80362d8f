import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '@dema/platform';
import {
  AlertRulesError,
  checkAlertRules,
  conditionToPromQL,
  defaultAlertRules,
  defaultRulesFile,
  evaluateCondition,
  formatDuration,
  loadAlertRules,
  metricPaths,
  parseCondition,
  parseDuration,
} from '../src/index.ts';

const metrics = {
  cpu: { usage: 91.5, load: [1.5, 0.75, 0.25] },
  requests: { total: 200, success: 197, failed: 3, latency: 12 },
  memory: { total: 1000, used: 800, free: 200 },
};
const holds = (text: string, threshold: number, m: unknown = metrics) => evaluateCondition(parseCondition(text, metricPaths), m, threshold);

describe('alert conditions', () => {
  test("evaluate the seed's two conditions over a metrics object", () => {
    assert.deepEqual(holds('cpu.usage > threshold', 80), { holds: true, value: 91.5 });
    assert.deepEqual(holds('cpu.usage > threshold', 95), { holds: false, value: 91.5 });
    assert.deepEqual(holds('requests.failed / requests.total > threshold', 0.01), { holds: true, value: 0.015 });
    assert.deepEqual(holds('requests.failed / requests.total > threshold', 0.02), { holds: false, value: 0.015 });
  });

  test('follow arithmetic precedence, parentheses, unary minus and every comparison', () => {
    assert.equal(holds('memory.used / memory.total * 100 >= threshold', 80).value, 80);
    assert.equal(holds('memory.used / memory.total * 100 >= threshold', 80).holds, true);
    assert.equal(holds('memory.total - memory.used - memory.free == 0', 0).holds, true);
    assert.equal(holds('(memory.total - memory.used) * 2 < threshold', 401).value, 400);
    assert.equal(holds('-cpu.load[0] + 2 <= threshold', 0.5).holds, true);
    assert.equal(holds('cpu.load[2] != 0.25', 0).holds, false);
    assert.equal(holds('cpu.load[1]*4>2.9e0', 0).holds, true);
  });

  test('never hold on 0 / 0, so a ratio over no requests neither fires nor keeps firing', () => {
    const idle = { requests: { total: 0, success: 0, failed: 0, latency: 0 } };
    const result = holds('requests.failed / requests.total > threshold', 0.01, idle);
    assert.equal(result.holds, false);
    assert.ok(Number.isNaN(result.value));
    assert.equal(holds('requests.failed / requests.total < threshold', 0.01, idle).holds, false);
  });

  test('refuse what is not a comparison over known metrics, saying where', () => {
    const cases: Array<[string, RegExp]> = [
      ['cpu.usage', /expected a comparison/],
      ['cpu.usage >', /ends too early/],
      ['cpu.usge > 1', /unknown metric "cpu.usge"/],
      ['cpu.load[7] > 1', /unknown metric "cpu.load\[7\]"/],
      ['1 > threshold', /reads no metric/],
      ['cpu.usage > 1 > 2', /">" at character 15/],
      ['cpu.usage ^ 2 > 1', /unexpected "\^" at character 11/],
      ['(cpu.usage > 1', /expected "\)"/],
      ['process.exit() > 0', /unknown metric "process.exit"/],
      ['cpu.usage > threshold; require("fs")', /unexpected ";"/],
    ];
    for (const [text, message] of cases) assert.throws(() => parseCondition(text, metricPaths), message, text);
  });

  test('translate to PromQL keeping the grouping of the original', () => {
    const promql = (text: string) => conditionToPromQL(parseCondition(text, metricPaths), 5, (p) => p.replace(/\W/g, '_'));
    assert.equal(promql('cpu.usage > threshold'), '(cpu_usage) > 5');
    assert.equal(promql('memory.total - (memory.used - memory.free) > 1'), '(memory_total) - ((memory_used) - (memory_free)) > 1');
    assert.equal(promql('(memory.total - memory.used) / memory.total < threshold'), '((memory_total) - (memory_used)) / (memory_total) < 5');
    assert.equal(promql('memory.total / memory.used * 2 >= -1'), '(memory_total) / (memory_used) * 2 >= -1');
  });
});

describe('rule durations', () => {
  test("parse the seed's forms and finer ones", () => {
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1m'), 60_000);
    assert.equal(parseDuration('2s'), 2000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('250ms'), 250);
  });

  test('refuse anything else', () => {
    for (const bad of ['5', 'm', '1.5m', '5 minutes', '-1m', '1d', '']) assert.throws(() => parseDuration(bad), RangeError, bad);
  });

  test('format back to the shortest exact form', () => {
    assert.equal(formatDuration(60_000), '1m');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(7_200_000), '2h');
    assert.equal(formatDuration(1500), '1500ms');
  });
});

describe('alert rules files', () => {
  test("the shipped file holds exactly the seed's two rules", async () => {
    const shipped = JSON.parse(await readFile(defaultRulesFile, 'utf8'));
    assert.deepEqual(shipped, defaultAlertRules);
    const parsed = await loadAlertRules();
    assert.deepEqual(
      parsed.map((r) => [r.rule.name, r.rule.condition, r.rule.threshold, r.rule.duration, r.durationMs, r.rule.severity, r.rule.channels]),
      [
        ['High CPU Usage', 'cpu.usage > threshold', 80, '5m', 300_000, 'warning', ['slack', 'email']],
        ['High Error Rate', 'requests.failed / requests.total > threshold', 0.01, '1m', 60_000, 'critical', ['slack', 'sms', 'email']],
      ],
    );
  });

  test('load JSON and YAML files, bare arrays or under `rules`', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dema-rules-'));
    try {
      const rule = { name: 'Slow answers', condition: 'requests.latency > threshold', threshold: 250, duration: '30s', severity: 'info', channels: ['email'] };
      await writeFile(path.join(dir, 'a.json'), JSON.stringify({ rules: [rule] }));
      await writeFile(
        path.join(dir, 'b.yaml'),
        'rules:\n  - name: Slow answers\n    condition: requests.latency > threshold\n    threshold: 250\n    duration: 30s\n    severity: info\n    channels: [email]\n',
      );
      for (const file of ['a.json', 'b.yaml']) {
        const [parsed] = await loadAlertRules(path.join(dir, file));
        assert.deepEqual(parsed!.rule, rule);
        assert.equal(parsed!.durationMs, 30_000);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('report every problem of a bad file with where it is', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dema-rules-'));
    try {
      const file = path.join(dir, 'bad.json');
      await writeFile(
        file,
        JSON.stringify([
          { name: 'A', condition: 'cpu.usage > threshold', threshold: '80', duration: '5m', severity: 'warning', channels: ['slack'] },
          { name: 'B', condition: 'cpu.usage > threshold', threshold: 80, duration: 'five minutes', severity: 'urgent', channels: ['pager'] },
          { condition: 'cpu.usage > threshold', threshold: 80, duration: '5m', severity: 'info', channels: [] },
        ]),
      );
      await assert.rejects(loadAlertRules(file), (error: Error) => {
        assert.ok(error instanceof AlertRulesError);
        assert.match(error.message, /\/1\/severity must be one of: info, warning, error, critical/);
        assert.match(error.message, /\/1\/channels\/0 must be one of: slack, email, sms/);
        for (const part of ['/0/threshold', '/1/duration', '/1/severity', '/1/channels/0', '/2 ', 'name', '/2/channels'])
          assert.match(error.message, new RegExp(part.replace(/[/]/g, '\\/')), part);
        return true;
      });
      await writeFile(file, '[{"name": "A",');
      await assert.rejects(loadAlertRules(file), /not valid JSON/);
      await assert.rejects(loadAlertRules(path.join(dir, 'missing.json')), /cannot read the alert rules file .*missing\.json: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refuse duplicate names and conditions that do not parse, naming the rule index and field', () => {
    const base = { threshold: 1, duration: '1m', severity: 'info', channels: ['slack'] };
    assert.throws(
      () =>
        checkAlertRules([
          { ...base, name: 'Same', condition: 'cpu.usage > threshold' },
          { ...base, name: 'Same', condition: 'cpu.usage > threshold' },
          { ...base, name: 'Other', condition: 'disk.usage > threshold' },
        ]),
      (error: Error) => /\/1\/name: "Same" is used by an earlier rule/.test(error.message) && /\/2\/condition: unknown metric "disk.usage"/.test(error.message),
    );
  });
});

describe('alerting configuration', () => {
  test('has no channel and the shipped rules by default', () => {
    const { alerting } = loadConfig({});
    assert.deepEqual(alerting, { rulesFile: undefined, intervalMs: 15_000, windowMs: 60_000, slackWebhookUrl: undefined, email: undefined, sms: undefined });
  });

  test('reads every channel from its variables', () => {
    const { alerting } = loadConfig({
      DEMA_ALERT_RULES: 'ops/rules.yaml',
      DEMA_ALERT_INTERVAL_MS: '5000',
      DEMA_ALERT_WINDOW_MS: '120000',
      DEMA_SLACK_WEBHOOK_URL: 'https://hooks.example/services/T/B/X',
      DEMA_SMTP_URL: 'smtps://u:p@mail.example:465',
      DEMA_ALERT_EMAIL_FROM: 'dema@shop.example',
      DEMA_ALERT_EMAIL_TO: 'a@shop.example, b@shop.example',
      DEMA_SMS_URL: 'https://sms.example/2010-04-01/Accounts/AC1',
      DEMA_SMS_ACCOUNT: 'AC1',
      DEMA_SMS_TOKEN: 'tok',
      DEMA_SMS_FROM: '+1555',
      DEMA_SMS_TO: '+1666,+1777',
    });
    assert.equal(alerting.rulesFile, path.resolve('ops/rules.yaml'));
    assert.equal(alerting.intervalMs, 5000);
    assert.equal(alerting.windowMs, 120_000);
    assert.equal(alerting.slackWebhookUrl, 'https://hooks.example/services/T/B/X');
    assert.deepEqual(alerting.email, { smtpUrl: 'smtps://u:p@mail.example:465', from: 'dema@shop.example', to: ['a@shop.example', 'b@shop.example'] });
    assert.deepEqual(alerting.sms, { url: 'https://sms.example/2010-04-01/Accounts/AC1', account: 'AC1', token: 'tok', from: '+1555', to: ['+1666', '+1777'] });
  });

  test('refuses a channel without its addresses, and bad URLs and numbers, naming each variable', () => {
    assert.throws(
      () =>
        loadConfig({
          DEMA_SMTP_URL: 'smtp://mail.example',
          DEMA_SMS_URL: 'ftp://sms.example',
          DEMA_SLACK_WEBHOOK_URL: 'not a url',
          DEMA_ALERT_INTERVAL_MS: '10',
        }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        for (const name of ['DEMA_ALERT_EMAIL_FROM', 'DEMA_ALERT_EMAIL_TO', 'DEMA_SMS_URL', 'DEMA_SLACK_WEBHOOK_URL', 'DEMA_ALERT_INTERVAL_MS'])
          assert.match(error.message, new RegExp(name), name);
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ DEMA_SMS_URL: 'https://sms.example', DEMA_SMS_FROM: '+1' }),
      /DEMA_SMS_TO: needed \(comma-separated\) when DEMA_SMS_URL is set/,
    );
  });
});
