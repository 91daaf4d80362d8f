import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import type { AlertRule } from '@dema/contracts';
import { Metrics } from '@dema/platform';
import { defaultAlertRules, exportPrometheusRules, metricPaths } from '../src/index.ts';

/**
 * The exported alerting rules against Prometheus's own tooling: `promtool check rules` accepts the
 * file, and `promtool test rules` shows its PromQL firing and resolving as Dema's evaluator does.
 * Without promtool these tests skip, except under DEMA_TEST_REQUIRE_REAL=1 (CI), where they fail.
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const promtool = '/usr/bin/promtool';
const requireReal = process.env.DEMA_TEST_REQUIRE_REAL === '1';

interface RulesFile {
  groups: Array<{
    name: string;
    rules: Array<{ alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> }>;
  }>;
}

async function havePromtool(): Promise<boolean> {
  try {
    await access(promtool);
    return true;
  } catch {
    if (requireReal) throw new Error(`${promtool} is missing (apt-get install prometheus) and DEMA_TEST_REQUIRE_REAL=1`);
    return false;
  }
}

async function promtoolRun(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool, args);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

/** `dema alerts export` exactly as a person runs it. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('dema alerts export', () => {
  let dir: string;
  let exported: string;
  let document: RulesFile;

  let failed: { code: number; stdout: string; stderr: string };

  // The CLI loads every service, so its two runs (a good and a bad rules file) go side by side.
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dema-prom-'));
    exported = path.join(dir, 'dema-alerts.yml');
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify([{ ...defaultAlertRules[0], condition: 'cpu.usage >> 1' }]));
    const [result, failure] = await Promise.all([
      cli(['alerts', 'export', '--out', exported], { DEMA_ALERT_WINDOW_MS: '120000' }),
      cli(['alerts', 'export', '--rules', bad]),
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /wrote .*dema-alerts\.yml/);
    failed = failure;
    document = parse(await readFile(exported, 'utf8')) as RulesFile;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("writes the seed's two rules as Prometheus alerting rules", () => {
    const rules = document.groups[0]!.rules;
    assert.deepEqual(
      rules.map((r) => [r.alert, r.for, r.labels]),
      [
        ['High CPU Usage', '5m', { severity: 'warning', channels: 'slack,email' }],
        ['High Error Rate', '1m', { severity: 'critical', channels: 'slack,sms,email' }],
      ],
    );
    // Counters over DEMA_ALERT_WINDOW_MS (2m here), as Dema's own evaluator measures them.
    assert.match(rules[0]!.expr, /system_cpu_seconds_total\{mode=~"idle\|iowait"\}\[2m\]/);
    assert.match(rules[0]!.expr, / > 80$/);
    assert.match(rules[1]!.expr, /http_requests_total\{status_code=~"5\.\."\}\[2m\]/);
    assert.match(rules[1]!.expr, / > 0\.01$/);
  });

  test('fails with the problem, and writes nothing, when the --rules file is bad', () => {
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /\/0\/condition: unexpected ">"/);
    assert.equal(failed.stdout, '');
  });

  test('reads only series a Dema process exposes at /metrics', async () => {
    const text = await new Metrics().registry.metrics();
    const names = new Set<string>();
    for (const rule of document.groups[0]!.rules) {
      for (const [, name] of rule.expr.matchAll(/\b([a-z][a-z0-9_]*)\s*(?=[{[])/g)) names.add(name!);
    }
    const all = exportPrometheusRules(
      [...metricPaths].map((p, i) => ({
        name: `r${i}`,
        condition: `${p} > threshold`,
        threshold: 1,
        duration: '1m',
        severity: 'info' as const,
        channels: ['email' as const],
      })),
      60_000,
    );
    for (const rule of (parse(all) as RulesFile).groups[0]!.rules) {
      for (const [, name] of rule.expr.matchAll(/\b([a-z][a-z0-9_]*)\s*(?=[{[])/g)) names.add(name!);
    }
    names.add('system_network_connections');
    assert.ok(names.size >= 8);
    for (const name of names) {
      const base = name.replace(/_(sum|count)$/, '');
      assert.match(text, new RegExp(`^# TYPE ${base} `, 'm'), `${name} is not exposed`);
    }
  });

  test('promtool check rules accepts the exported file', async (t) => {
    if (!(await havePromtool())) return t.skip('promtool is not installed');
    const result = await promtoolRun(['check', 'rules', exported]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /SUCCESS: 2 rules found/);
  });

  test('promtool check rules accepts a rule over every metric path, and refuses a broken file', async (t) => {
    if (!(await havePromtool())) return t.skip('promtool is not installed');
    const rules: AlertRule[] = [...metricPaths].map((p, i) => ({
      name: `Rule ${i}`,
      condition: `${p} * 2 - 1 >= threshold`,
      threshold: 3,
      duration: '30s',
      severity: 'info',
      channels: ['slack'],
    }));
    const file = path.join(dir, 'every-path.yml');
    await writeFile(file, exportPrometheusRules(rules, 120_000));
    const result = await promtoolRun(['check', 'rules', file]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, new RegExp(`SUCCESS: ${rules.length} rules found`));
    // promtool really checks: a corrupted expression is refused.
    await writeFile(file, (await readFile(file, 'utf8')).replace('sum by (instance)', 'sum by (instance'));
    assert.equal((await promtoolRun(['check', 'rules', file])).code, 1);
  });

  test('promtool test rules: the exported PromQL fires after `for` and resolves, per instance', async (t) => {
    if (!(await havePromtool())) return t.skip('promtool is not installed');
    // Annotations carry {{ $value }}; the test compares labels, so they are left out of this copy.
    const stripped = structuredClone(document);
    for (const rule of stripped.groups[0]!.rules) rule.annotations = {};
    const rulesFile = path.join(dir, 'stripped.yml');
    await writeFile(rulesFile, stringify(stripped));
    const error = { severity: 'critical', channels: 'slack,sms,email' };
    const cpu = { severity: 'warning', channels: 'slack,email' };
    const tests = {
      rule_files: [rulesFile],
      evaluation_interval: '15s',
      tests: [
        {
          interval: '15s',
          input_series: [
            // Instance a: 5 % of requests fail for 10 minutes, then none do.
            { series: 'http_requests_total{instance="a",route="/x",status_code="200"}', values: '0+25x80' },
            { series: 'http_requests_total{instance="a",route="/x",status_code="500"}', values: '0+1x40 40x40' },
            // Instance b: 0.5 % fail, under the 1 % threshold.
            { series: 'http_requests_total{instance="b",route="/x",status_code="200"}', values: '0+199x80' },
            { series: 'http_requests_total{instance="b",route="/x",status_code="503"}', values: '0+1x80' },
            // Instance a: one core 90 % busy; instance b: 50 %.
            { series: 'system_cpu_seconds_total{instance="a",mode="user"}', values: '0+13.5x80' },
            { series: 'system_cpu_seconds_total{instance="a",mode="idle"}', values: '0+1.5x80' },
            { series: 'system_cpu_seconds_total{instance="b",mode="user"}', values: '0+7.5x80' },
            { series: 'system_cpu_seconds_total{instance="b",mode="idle"}', values: '0+7.5x80' },
          ],
          alert_rule_test: [
            // Pending for the first minute of failures: not yet firing.
            { eval_time: '1m', alertname: 'High Error Rate', exp_alerts: [] },
            { eval_time: '3m', alertname: 'High Error Rate', exp_alerts: [{ exp_labels: { ...error, instance: 'a' } }] },
            { eval_time: '9m', alertname: 'High Error Rate', exp_alerts: [{ exp_labels: { ...error, instance: 'a' } }] },
            // Failures stopped at 10m; a minute later the window holds none.
            { eval_time: '12m', alertname: 'High Error Rate', exp_alerts: [] },
            { eval_time: '4m', alertname: 'High CPU Usage', exp_alerts: [] },
            { eval_time: '8m', alertname: 'High CPU Usage', exp_alerts: [{ exp_labels: { ...cpu, instance: 'a' } }] },
          ],
        },
      ],
    };
    const testFile = path.join(dir, 'tests.yml');
    await writeFile(testFile, stringify(tests));
    const result = await promtoolRun(['test', 'rules', testFile]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /SUCCESS/);
  });
});
