import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteIdent, type Db } from './db.ts';

/** A folder of `NNNN_name.sql` files, applied in name order; `scope` keeps names from colliding. */
export interface MigrationSource {
  scope: string;
  dir: string;
}

/** The platform's own tables (outbox, processed events), applied to every service's schema first. */
export const platformMigrations: MigrationSource = {
  scope: 'platform',
  dir: fileURLToPath(new URL('../../migrations/', import.meta.url)),
};

/**
 * Applies every migration not yet recorded, each in its own transaction, under a lock that spans
 * all instances: two instances starting at once apply each file exactly once, and the second waits
 * until the schema is complete. The same SQL runs on PGlite and PostgreSQL.
 */
export async function runMigrations(db: Db, sources: MigrationSource[]): Promise<string[]> {
  const schema = quoteIdent(db.schema);
  return db.withExclusiveLock(`dema:migrate:${db.schema}`, async (session) => {
    await session.exec(`
      CREATE SCHEMA IF NOT EXISTS ${schema};
      CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        name TEXT PRIMARY KEY,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );`);
    const { rows } = await session.query<{ name: string }>(`SELECT name FROM ${schema}.schema_migrations`);
    const applied = new Set(rows.map((row) => row.name));
    const done: string[] = [];
    for (const source of sources) {
      const files = (await readdir(source.dir)).filter((file) => file.endsWith('.sql')).sort();
      for (const file of files) {
        const name = `${source.scope}/${file}`;
        if (applied.has(name)) continue;
        const sql = await readFile(path.join(source.dir, file), 'utf8');
        await session.exec('BEGIN');
        try {
          await session.exec(`SET LOCAL search_path TO ${schema};\n${sql}`);
          await session.query(`INSERT INTO ${schema}.schema_migrations (name) VALUES ($1)`, [name]);
          await session.exec('COMMIT');
        } catch (error) {
          await session.exec('ROLLBACK');
          throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
        }
        done.push(name);
      }
    }
    return done;
  });
}
