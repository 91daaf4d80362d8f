import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PgliteHost, PostgresDb, type Db } from '@dema/platform';
import { createDatabase, testTargets } from '@dema/platform/testing';
import { Analytics } from '../src/app.ts';
import { orderCreated, products, stockUpdated } from './helpers.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = path.join(root, 'apps/server/src/cli.ts');
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** `npm run dema -- analytics …` against one analytics database, with nothing else configured. */
async function dema(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [cli, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

for (const target of testTargets()) {
  describe(`npm run dema -- analytics replay / export (${target.name})`, () => {
    let dir: string;
    let env: Record<string, string>;
    /** Opens the database the commands wrote, once they have exited. */
    let open: () => Promise<{ db: Db; close(): Promise<void> }>;
    let dropDatabase: (() => Promise<void>) | undefined;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'dema-analytics-cli-'));
      if (target.name === 'embedded') {
        env = { DEMA_DATA_DIR: path.join(dir, 'data') };
        open = async () => {
          const host = await PgliteHost.open(path.join(dir, 'data', 'pgdata'));
          return { db: host.database('analytics'), close: () => host.close() };
        };
      } else {
        const { url, drop } = await createDatabase();
        dropDatabase = drop;
        env = { ANALYTICS_DATABASE_URL: url };
        open = async () => {
          const db = new PostgresDb(url, 'analytics', 2);
          return { db, close: () => db.close() };
        };
      }
    });
    after(async () => {
      await dropDatabase?.();
      await rm(dir, { recursive: true, force: true });
    });

    test('replay --from loads an export into an empty database, each event once, and export writes it back', async () => {
      const order = orderCreated({ timestamp: '2024-05-01T12:00:00.000Z', items: [{ productId: products.mug, quantity: 3, price: 2.35 }] });
      const stock = stockUpdated(products.mug, 7, 4, 'ORDER', '2024-05-01T12:00:00.000Z');
      const file = path.join(dir, 'history.ndjson');
      await writeFile(file, [order, stock, order].map((e) => JSON.stringify(e)).join('\n'));

      const replay = await dema(['analytics', 'replay', '--from', file], env);
      assert.equal(replay.code, 0, replay.stderr);
      assert.match(replay.stdout, /rebuilt from 2 events \(2 counted, 0 kept without figures\).*3 events, 2 new, 1 already known/);

      const out = path.join(dir, 'export.ndjson');
      const exported = await dema(['analytics', 'export', '--out', out], env);
      assert.equal(exported.code, 0, exported.stderr);
      const lines = (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      assert.deepEqual(lines, [order, stock]);

      const { db, close } = await open();
      try {
        const analytics = new Analytics(db);
        const summary = await analytics.summary({ from: '2024-05-01', to: '2024-05-01' });
        assert.deepEqual([summary.orders, summary.revenue, summary.unitsSold], [1, 7.05, 3]);
        assert.deepEqual(
          (await analytics.lowStock({ threshold: 5, limit: 10 })).items.map((i) => i.stock),
          [4],
        );
      } finally {
        await close();
      }
    });
  });
}

test('an unknown analytics action fails the command with the usage', async () => {
  const unknown = await dema(['analytics', 'rebuild'], {});
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /analytics needs a subcommand: replay or export/);
  assert.match(unknown.stderr, /analytics replay \[--from <file\.ndjson>\]/);
});
