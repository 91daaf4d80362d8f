import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, PostgresDb, loadConfig, platformMigrations, runMigrations, type Db, type MigrationSource } from '@dema/platform';
import { createDatabase, dbTargets, type DbTarget } from '@dema/platform/testing';

const noPostgres = dbTargets.find((t) => t.name === 'postgres')!.skip;

/** Three migrations where each depends on the one before; 0002 inserts a row, so running it twice shows. */
const threeMigrations: Record<string, string> = {
  '0003_gadgets.sql': `
    CREATE TABLE gadgets (id SERIAL PRIMARY KEY, widget_id INT NOT NULL REFERENCES widgets (id));
    ALTER TABLE widgets ADD COLUMN colour TEXT NOT NULL DEFAULT 'red';`,
  // A little slow, so two instances starting at once really overlap.
  '0001_widgets.sql': `
    SELECT pg_sleep(0.05);
    CREATE TABLE widgets (id SERIAL PRIMARY KEY, name TEXT NOT NULL);`,
  '0002_seed.sql': `INSERT INTO widgets (name) VALUES ('first');`,
  'README.md': 'not a migration',
};
const threeNames = ['test/0001_widgets.sql', 'test/0002_seed.sql', 'test/0003_gadgets.sql'];

const tempDirs: string[] = [];

/** A migrations folder holding `files`. */
async function migrationsDir(files: Record<string, string>, scope = 'test'): Promise<MigrationSource> {
  const dir = await mkdtemp(path.join(tmpdir(), 'dema-migrations-'));
  tempDirs.push(dir);
  for (const [name, sql] of Object.entries(files)) await writeFile(path.join(dir, name), sql);
  return { scope, dir };
}

after(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

async function applied(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(`SELECT name FROM "${db.schema}".schema_migrations ORDER BY name`);
  return rows.map((row) => row.name);
}

async function tableExists(db: Db, table: string): Promise<boolean> {
  const { rows } = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${db.schema}".${table}`]);
  return rows[0]!.t !== null;
}

async function count(db: Db, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

let schemas = 0;
const freshSchema = () => `svc_${++schemas}`;

for (const target of dbTargets) {
  describe(`migrations (${target.name})`, { skip: target.skip }, () => {
    let server: Awaited<ReturnType<DbTarget['open']>>;

    before(async () => {
      server = await target.open();
    });
    after(() => server?.close());

    test('applies each .sql file once, in name order, and a second run applies nothing', async () => {
      const db = server.database(freshSchema());
      const source = await migrationsDir(threeMigrations);
      assert.deepEqual(await runMigrations(db, [source]), threeNames);
      assert.deepEqual(await runMigrations(db, [source]), []);
      assert.deepEqual(await applied(db), threeNames);
      assert.equal(await count(db, 'widgets'), 1);
      assert.ok(await tableExists(db, 'gadgets'));
    });

    test('a failing migration is rolled back, reported by file name, and the run stops there', async () => {
      const db = server.database(freshSchema());
      const source = await migrationsDir({
        '0001_ok.sql': 'CREATE TABLE ok_table (id INT);',
        '0002_bad.sql': 'CREATE TABLE half_done (id INT);\nINSERT INTO no_such_table VALUES (1);',
        '0003_later.sql': 'CREATE TABLE later (id INT);',
      });
      await assert.rejects(runMigrations(db, [source]), (error: Error) => {
        assert.match(error.message, /test\/0002_bad\.sql/);
        assert.match(error.message, /no_such_table/);
        return true;
      });
      assert.equal(await tableExists(db, 'half_done'), false, 'the failed migration’s table must be rolled back');
      assert.equal(await tableExists(db, 'later'), false);
      assert.ok(await tableExists(db, 'ok_table'));
      assert.deepEqual(await applied(db), ['test/0001_ok.sql']);

      // Once the file is fixed, the next start applies what is left.
      await writeFile(path.join(source.dir, '0002_bad.sql'), 'CREATE TABLE half_done (id INT);');
      assert.deepEqual(await runMigrations(db, [source]), ['test/0002_bad.sql', 'test/0003_later.sql']);
    });

    test('sources are applied in order and scoped, so equal file names do not collide', async () => {
      const db = server.database(freshSchema());
      const service = await migrationsDir({ '0001_outbox.sql': 'CREATE TABLE orders (id INT); SELECT count(*) FROM outbox;' }, 'order');
      assert.deepEqual(await runMigrations(db, [platformMigrations, service]), [
        'platform/0001_outbox.sql',
        'platform/0002_outbox_dead_letters.sql',
        'platform/0003_retention_indexes.sql',
        'order/0001_outbox.sql',
      ]);
      assert.ok(await tableExists(db, 'outbox'));
      assert.ok(await tableExists(db, 'orders'));
    });

    test('a running instance keeps reading a table after another instance’s migration adds a column to it', async () => {
      const schema = freshSchema();
      const running = server.database(schema);
      const upgraded = server.database(schema);
      const v1 = await migrationsDir({ '0001_things.sql': 'CREATE TABLE things (id INT PRIMARY KEY); INSERT INTO things VALUES (1);' });
      await runMigrations(running, [v1]);
      const read = async () => (await running.query<Record<string, unknown>>('SELECT t.* FROM things t ORDER BY t.id')).rows;
      assert.deepEqual(await read(), [{ id: 1 }]);
      assert.deepEqual(await read(), [{ id: 1 }]);

      // A newer version of the service starts (rolling deploy) and migrates the shared schema.
      await writeFile(path.join(v1.dir, '0002_label.sql'), "ALTER TABLE things ADD COLUMN label TEXT NOT NULL DEFAULT 'new';");
      assert.deepEqual(await runMigrations(upgraded, [v1]), ['test/0002_label.sql']);
      assert.deepEqual(await read(), [{ id: 1, label: 'new' }]);
    });

    test('each service schema keeps its own record of what was applied', async () => {
      const first = server.database(freshSchema());
      const second = server.database(freshSchema());
      const source = await migrationsDir(threeMigrations);
      assert.deepEqual(await runMigrations(first, [source]), threeNames);
      assert.deepEqual(await runMigrations(second, [source]), threeNames);
      assert.equal(await count(first, 'widgets'), 1);
      assert.equal(await count(second, 'widgets'), 1);
    });
  });
}

describe('migrations (postgres): instances starting at once', { skip: noPostgres }, () => {
  let url: string;
  let drop: () => Promise<void>;
  const dbs: PostgresDb[] = [];

  before(async () => {
    ({ url, drop } = await createDatabase());
  });
  after(async () => {
    for (const db of dbs) await db.close();
    await drop();
  });

  test('two instances migrating a fresh database concurrently apply each file exactly once, without error', async () => {
    const source = await migrationsDir(threeMigrations);
    const instances = [new PostgresDb(url, 'svc', 5), new PostgresDb(url, 'svc', 5)];
    dbs.push(...instances);
    const results = await Promise.all(
      instances.map(async (db) => {
        const done = await runMigrations(db, [source]);
        // Whichever instance waited, it resumes only once the schema is complete.
        return { done, complete: await tableExists(db, 'gadgets') };
      }),
    );
    assert.deepEqual(results.flatMap((r) => r.done).sort(), threeNames);
    assert.ok(results.every((r) => r.complete));
    assert.deepEqual(await applied(instances[0]!), threeNames);
    assert.equal(await count(instances[0]!, 'widgets'), 1);

    const again = await Promise.all(instances.map((db) => runMigrations(db, [source])));
    assert.deepEqual(again, [[], []]);
  });
});

describe('config', () => {
  test('reports every invalid variable at once, with what was expected, without echoing URLs', () => {
    assert.throws(
      () => loadConfig({ PORT: 'abc', DEMA_CACHE: 'maybe', DATABASE_URL: 'mysql://x' }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.name, 'ConfigError');
        assert.match(error.message, /PORT.*whole number from 0 to 65535/);
        assert.match(error.message, /DEMA_CACHE.*true\/false/);
        assert.match(error.message, /DATABASE_URL.*postgres:\/\//);
        assert.ok(!error.message.includes('mysql'), error.message);
        return true;
      },
    );
  });

  test('never echoes a database URL, credentials included', () => {
    assert.throws(
      () => loadConfig({ ORDER_DATABASE_URL: 'mysql://admin:s3cret@db.internal/orders' }),
      (error: Error) => {
        assert.match(error.message, /ORDER_DATABASE_URL/);
        assert.ok(!error.message.includes('s3cret') && !error.message.includes('db.internal'), error.message);
        return true;
      },
    );
  });

  test('without environment: port 8080, cache on, everything embedded', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.cacheEnabled, true);
    assert.deepEqual(config.databaseUrls, {});
    assert.equal(config.redis, undefined);
    assert.equal(config.amqpUrl, undefined);
    assert.equal(config.logLevel, 'info');
  });

  test('DATABASE_URL puts every service on PostgreSQL; PRODUCT_DATABASE_URL overrides it for product only', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db.internal/dema', PRODUCT_DATABASE_URL: 'postgresql://catalog.internal/products' });
    assert.deepEqual(config.databaseUrls, {
      user: 'postgres://db.internal/dema',
      product: 'postgresql://catalog.internal/products',
      order: 'postgres://db.internal/dema',
      analytics: 'postgres://db.internal/dema',
      payment: 'postgres://db.internal/dema',
    });
  });

  test('a service URL alone moves only that service to PostgreSQL', () => {
    assert.deepEqual(loadConfig({ PRODUCT_DATABASE_URL: 'postgres://catalog.internal/products' }).databaseUrls, {
      product: 'postgres://catalog.internal/products',
    });
  });

  test('REDIS_HOST enables Redis with the seed defaults', () => {
    assert.deepEqual(loadConfig({ REDIS_HOST: 'cache.internal' }).redis, {
      host: 'cache.internal',
      port: 6379,
      password: undefined,
      keyPrefix: 'dema:',
    });
  });

  test('DEMA_CACHE accepts off/false/0 to turn the cache off', () => {
    for (const value of ['off', 'false', '0', 'NO']) assert.equal(loadConfig({ DEMA_CACHE: value }).cacheEnabled, false, value);
    for (const value of ['on', 'true', '1', 'yes']) assert.equal(loadConfig({ DEMA_CACHE: value }).cacheEnabled, true, value);
  });
});
