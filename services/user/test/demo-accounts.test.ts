import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startProcess, type DemaConfig } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { createUserService, describeDemoAccounts, type UserService } from '../src/app.ts';
import { makeClient } from './helpers.ts';

// Demo accounts exist only on the embedded database.
for (const target of testTargets().filter((t) => t.name === 'embedded')) {
  describe(`the demo accounts' passwords at start (${target.name}, data dir on disk)`, () => {
    let dir: string;
    let config: DemaConfig;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'dema-demo-accounts-'));
      config = (await target.environment({ dataDir: path.join(dir, 'data'), demoData: true })).config;
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test('the first start shows the passwords and where they are kept; a later start shows only where', async () => {
      const file = path.join(config.dataDir, 'demo-credentials.json');
      let process = await startProcess(config, 'first-start', [createUserService]);
      let firstLines: string[];
      try {
        const demo = (process.services[0] as UserService).demoAccounts!;
        firstLines = describeDemoAccounts(demo);
      } finally {
        await process.close();
      }
      const kept = JSON.parse(await readFile(file, 'utf8'));
      const shown = firstLines.join('\n');
      assert.ok(shown.includes(kept.admin.password) && shown.includes(kept.customer.password), shown);
      assert.ok(shown.includes(file), shown);

      process = await startProcess(config, 'second-start', [createUserService]);
      try {
        const later = describeDemoAccounts((process.services[0] as UserService).demoAccounts!).join('\n');
        assert.ok(!later.includes(kept.admin.password) && !later.includes(kept.customer.password), `a later start shows a password: ${later}`);
        assert.ok(later.includes(file) && later.includes(kept.admin.email), later);
        const login = await makeClient(process.url, '127.0.0.1').login(kept.admin.email, kept.admin.password);
        assert.equal(login.status, 200, 'the kept password works');
      } finally {
        await process.close();
      }
    });
  });
}
