import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaReadOutcome } from '../src/db/db.ts';
import { PostgresDb } from '../src/db/postgres.ts';
import { replicationSkip, startReplicatedPostgres, type ReplicatedPostgres } from '../test-support/replicated-postgres.ts';

// A real primary and streaming replica, started by the test: replication exists only on real servers.
describe('a database with a read replica', { skip: replicationSkip() }, () => {
  let cluster: ReplicatedPostgres;
  let db: PostgresDb;
  const outcomes: ReplicaReadOutcome[] = [];
  const warnings: string[] = [];
  const recovering = async (freshness: 'current' | 'lagging') =>
    (await db.reader(freshness).query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby')).rows[0]!.standby;
  const notes = async (freshness: 'current' | 'lagging') =>
    (await db.reader(freshness).query<{ body: string }>('SELECT body FROM notes ORDER BY id')).rows.map((row) => row.body);

  before(async () => {
    cluster = await startReplicatedPostgres();
    const setup = new PostgresDb(cluster.primaryUrl, 'public', 1);
    await setup.query('CREATE SCHEMA svc');
    await setup.close();
    db = new PostgresDb(cluster.primaryUrl, 'svc', 4, undefined, {
      url: cluster.replicaUrl,
      observe: (outcome) => outcomes.push(outcome),
      log: { warn: (_details: unknown, message?: string) => warnings.push(message ?? ''), info: () => undefined } as never,
      retryAfterMs: 300,
    });
    await db.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
    await db.query(`INSERT INTO notes (body) VALUES ('first')`);
    await cluster.caughtUp();
  });
  after(async () => {
    await db?.close();
    await cluster?.close();
  });

  test('a lagging read is served by the replica', async () => {
    outcomes.length = 0;
    assert.equal(await recovering('lagging'), true);
    assert.deepEqual(outcomes, ['replica']);
  });

  test('a current read is served by the replica once it has replayed every commit', async () => {
    // The server's own WAL (a standby snapshot, autovacuum) may put the primary a record ahead
    // between the catch-up and the read, which then rightly goes to the primary: try again.
    let standby = false;
    for (let attempt = 0; attempt < 10 && !standby; attempt++) {
      await cluster.caughtUp();
      outcomes.length = 0;
      standby = await recovering('current');
      assert.deepEqual(outcomes, [standby ? 'replica' : 'behind']);
    }
    assert.ok(standby, 'no current read was served by the replica');
  });

  test('while the replica lags, a current read sees the latest commit from the primary; a lagging one the replica’s older view', async () => {
    await cluster.pauseReplay();
    try {
      await db.query(`INSERT INTO notes (body) VALUES ('second')`);
      outcomes.length = 0;
      assert.deepEqual(await notes('current'), ['first', 'second']);
      assert.deepEqual(outcomes, ['behind']);
      assert.deepEqual(await notes('lagging'), ['first']);
      // Writes never go through the reader: the write path is the primary's whatever the replica does.
      assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n, 2);
    } finally {
      await cluster.resumeReplay();
    }
    await cluster.caughtUp();
    assert.deepEqual(await notes('lagging'), ['first', 'second']);
  });

  test('a statement the replica refuses is the caller’s error, not a reason to ask the primary', async () => {
    outcomes.length = 0;
    await assert.rejects(db.reader('lagging').query('SELECT * FROM no_such_table'), { code: '42P01' });
    assert.deepEqual(outcomes, []);
  });

  test('readiness asks the replica itself: it answers; one refusing (no such database) rejects with its error rather than passing for unreachable', async () => {
    assert.equal(await db.replica!.probe(500), 'answers');
    const refused = new PostgresDb(cluster.primaryUrl, 'svc', 1, undefined, { url: cluster.replicaUrl.replace(/\/postgres$/, '/no_such_database') });
    try {
      await assert.rejects(refused.replica!.probe(500), { code: '3D000' });
    } finally {
      await refused.close();
    }
  });

  test('the replica stopped: concurrent reads all answer from the primary, said once in the log; once it is back it serves again', async () => {
    await cluster.stopReplica();
    outcomes.length = 0;
    warnings.length = 0;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => recovering(i % 2 === 0 ? 'current' : 'lagging')));
    assert.deepEqual(new Set(answers), new Set([false]));
    assert.deepEqual(new Set(outcomes), new Set(['unavailable']));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /read replica unreachable/);
    // Within the retry pause the replica is not even tried.
    assert.equal(await recovering('lagging'), false);
    assert.equal(await db.replica!.probe(500), 'unreachable');

    await cluster.startReplica();
    await new Promise((resolve) => setTimeout(resolve, 350));
    outcomes.length = 0;
    assert.equal(await recovering('lagging'), true);
    assert.deepEqual(outcomes, ['replica']);
  });
});
