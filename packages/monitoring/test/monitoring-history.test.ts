import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsHistory } from '@dema/contracts';
import { startTestProcess, testTargets, waitFor, type TestProcess } from '@dema/platform/testing';
import { createMonitoring } from '../src/index.ts';
import { testIdentity } from './alerting-receivers.ts';

/** GET /api/monitoring/history: the dashboard's last hour, one sample per alert evaluation. */
for (const target of testTargets()) {
  describe(`monitoring history (${target.name})`, () => {
    let dema: TestProcess;
    let adminToken: string;
    let customerToken: string;
    const get = async (url: string, token: string | null = adminToken) =>
      fetch(`${dema.url}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const history = async (query = '') => (await (await get(`/api/monitoring/history${query}`)).json()) as MetricsHistory;

    before(async () => {
      const identity = await testIdentity();
      dema = await startTestProcess(target, [async () => identity.module, (infra) => createMonitoring(infra, { rules: [], intervalMs: 100, windowMs: 1000 })]);
      adminToken = await identity.token('admin');
      customerToken = await identity.token('customer');
    });
    after(() => dema.dispose());

    test('gains a sample at each evaluation, oldest first, with the seed shapes and the requests counted so far', async () => {
      const first = await history();
      assert.equal(first.intervalMs, 100);
      let later = first;
      await waitFor('three more samples', async () => {
        later = await history();
        return later.samples.length >= first.samples.length + 3;
      });
      const times = later.samples.map((s) => Date.parse(s.at));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      const last = later.samples.at(-1)!;
      assert.ok(last.system.memory.total > 0);
      assert.ok(last.system.cpu.usage >= 0 && last.system.cpu.usage <= 100);
      // The history requests above were answered before the last sample was taken.
      assert.ok(last.application.requests.total >= 1, JSON.stringify(last.application));
      assert.equal(last.application.requests.success + last.application.requests.failed, last.application.requests.total);
    });

    test('is for admins only: 401 without a token, 403 for a customer', async () => {
      const anonymous = await get('/api/monitoring/history', null);
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const customer = await get('/api/monitoring/history', customerToken);
      assert.equal(customer.status, 403);
      assert.match(((await customer.json()) as { detail: string }).detail, /analytics:read/);
    });

    test('refuses minutes outside 1..60 with a problem naming the parameter', async () => {
      for (const minutes of ['0', '61', 'abc', '1.5']) {
        const response = await get(`/api/monitoring/history?minutes=${minutes}`);
        assert.equal(response.status, 400, minutes);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.match(JSON.stringify(await response.json()), /minutes/, minutes);
      }
    });
  });
}
