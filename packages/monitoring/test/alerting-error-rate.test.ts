import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AlertList, ApplicationMetrics } from '@dema/contracts';
import type { ServiceFactory } from '@dema/platform';
import { startTestProcess, testTargets, waitFor, type TestProcess } from '@dema/platform/testing';
import { createMonitoring, defaultAlertRules } from '../src/index.ts';
import { HttpReceiver, SmtpReceiver, testIdentity } from './alerting-receivers.ts';

/**
 * The seed's High Error Rate rule end to end: a real Dema process answers real HTTP requests with
 * 500s, the rule (from a rules file, its duration shortened to 2s) fires after that duration on
 * Slack, SMS and email, tells nobody twice, and resolves once the failures stop.
 */
const duration = 2000;
const firing = '[FIRING] High Error Rate (critical)';
const resolved = '[RESOLVED] High Error Rate (critical)';

/** A route that fails while `failing` is set, through the platform's own error handling. */
function flakyService(state: { failing: boolean }): ServiceFactory {
  return async () => ({
    name: 'flaky',
    schemas: [],
    async routes(app) {
      app.get('/api/test/flaky', async () => {
        if (state.failing) throw new Error('the dependency is down');
        return { ok: true };
      });
    },
    start: () => undefined,
    close: async () => undefined,
  });
}

for (const target of testTargets()) {
  describe(`High Error Rate end to end (${target.name})`, () => {
    let dir: string;
    let slack: HttpReceiver;
    let sms: HttpReceiver;
    let smtp: SmtpReceiver;
    let dema: TestProcess;
    let adminToken: string;
    const state = { failing: false };

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'dema-alerts-'));
      const rulesFile = path.join(dir, 'alert-rules.json');
      const seedRule = defaultAlertRules.find((r) => r.name === 'High Error Rate')!;
      await writeFile(rulesFile, JSON.stringify([{ ...seedRule, duration: '2s' }]));
      [slack, sms, smtp] = await Promise.all([HttpReceiver.start(), HttpReceiver.start(), SmtpReceiver.start({ user: 'dema', pass: 'mail-secret' })]);
      const identity = await testIdentity();
      dema = await startTestProcess(target, [async () => identity.module, flakyService(state), (infra) => createMonitoring(infra)], {
        alerting: {
          rulesFile,
          intervalMs: 200,
          windowMs: 1000,
          slackWebhookUrl: `${slack.url}/services/T1/B1/secret`,
          email: { smtpUrl: smtp.url, from: 'dema@shop.test', to: ['oncall@shop.test'] },
          sms: { url: `${sms.url}/2010-04-01/Accounts/AC9`, account: 'AC9', token: 'sms-token', from: '+15550100', to: ['+15550199'] },
        },
      });
      adminToken = await identity.token('admin');
    });

    after(async () => {
      await dema?.dispose();
      await Promise.all([slack?.close(), sms?.close(), smtp?.close()]);
      await rm(dir, { recursive: true, force: true });
    });

    const adminGet = async <T>(url: string): Promise<T> => {
      const response = await fetch(`${dema.url}${url}`, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(response.status, 200);
      return (await response.json()) as T;
    };
    const told = () => ({
      slack: slack.received.map((d) => (JSON.parse(d.body) as { text: string }).text),
      sms: sms.received.map((d) => new URLSearchParams(d.body).get('Body')!.split(':')[0]),
      email: smtp.messages.map((m) => SmtpReceiver.subject(m)),
    });

    test('fires after its duration on every channel, once, and resolves when the failures stop', async () => {
      const seen = { ok: 0, failed: 0, other: 0 };
      let sending = true;
      // Steady traffic, one request at a time, as long as the test runs.
      const traffic = (async () => {
        while (sending) {
          const response = await fetch(`${dema.url}/api/test/flaky`);
          if (response.status === 200) seen.ok++;
          else if (response.status === 500 && /problem\+json/.test(response.headers.get('content-type') ?? '')) seen.failed++;
          else seen.other++;
          await response.arrayBuffer();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      try {
        await waitFor('some successful traffic', () => seen.ok >= 10);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepEqual(await adminGet<AlertList>('/api/monitoring/alerts'), { active: [], recent: [] });

        state.failing = true;
        const failuresBegan = Date.now();
        await waitFor('failures', () => seen.failed >= 3);
        let pendingSeen = false;
        await waitFor(
          'the alert to fire',
          async () => {
            const { active } = await adminGet<AlertList>('/api/monitoring/alerts');
            pendingSeen ||= active[0]?.state === 'pending';
            return active[0]?.state === 'firing';
          },
          15_000,
        );
        assert.ok(pendingSeen, 'pending before firing');
        const alert = (await adminGet<AlertList>('/api/monitoring/alerts')).active[0]!;
        assert.ok(Date.parse(alert.firedAt!) - Date.parse(alert.since) >= duration, `held ${Date.parse(alert.firedAt!) - Date.parse(alert.since)} ms`);
        assert.ok(Date.parse(alert.firedAt!) - failuresBegan >= duration, `fired ${Date.parse(alert.firedAt!) - failuresBegan} ms after failures began`);
        assert.ok(alert.value! > 0.01, `error rate ${alert.value}`);

        await waitFor('every channel to be told', () => told().slack.length + told().sms.length + told().email.length >= 3, 10_000);
        // Failing on for longer than the duration again: still one message per channel.
        await new Promise((resolve) => setTimeout(resolve, duration + 500));
        assert.equal((await adminGet<AlertList>('/api/monitoring/alerts')).active[0]?.state, 'firing');
        assert.deepEqual(told(), { slack: [firing], sms: [firing], email: [firing] });
        assert.equal(slack.received[0]!.url, '/services/T1/B1/secret');
        assert.equal(sms.received[0]!.url, '/2010-04-01/Accounts/AC9/Messages');
        assert.equal(new URLSearchParams(sms.received[0]!.body).get('To'), '+15550199');
        assert.equal(smtp.messages[0]!.user, 'dema');
        assert.deepEqual(smtp.messages[0]!.to, ['oncall@shop.test']);

        state.failing = false;
        await waitFor('the alert to resolve', async () => (await adminGet<AlertList>('/api/monitoring/alerts')).recent.length === 1, 10_000);
        await waitFor('every channel to hear it resolved', () => told().slack.length + told().sms.length + told().email.length >= 6, 10_000);
        const after = await adminGet<AlertList>('/api/monitoring/alerts');
        assert.deepEqual(after.active, []);
        assert.equal(after.recent[0]!.state, 'resolved');
        assert.ok(Date.parse(after.recent[0]!.resolvedAt!) > Date.parse(after.recent[0]!.firedAt!));
        assert.deepEqual(after.recent[0]!.deliveries.map((d) => `${d.channel}:${d.event}:${d.delivered}`).sort(), [
          'email:firing:true',
          'email:resolved:true',
          'slack:firing:true',
          'slack:resolved:true',
          'sms:firing:true',
          'sms:resolved:true',
        ]);
        assert.deepEqual(told(), { slack: [firing, resolved], sms: [firing, resolved], email: [firing, resolved] });
      } finally {
        sending = false;
        await traffic;
      }
      // The failures the client saw are the ones the process counted.
      const metrics = await adminGet<ApplicationMetrics>('/api/monitoring/application');
      assert.equal(seen.other, 0);
      assert.equal(metrics.requests.failed, seen.failed);
      assert.ok(metrics.requests.total >= seen.ok + seen.failed);
    });
  });
}
