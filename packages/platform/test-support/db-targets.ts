import type { Db } from '../src/db/db.ts';
import { PgliteHost } from '../src/db/pglite.ts';
import { PostgresDb } from '../src/db/postgres.ts';
import { createDatabase, realTarget } from './targets.ts';

/** A database server for tests of the db layer itself: PGlite always, PostgreSQL when configured. */
export interface DbTarget {
  name: 'pglite' | 'postgres';
  /** A reason to skip (no PostgreSQL configured), or false. */
  skip: string | false;
  /** The server (one PGlite, or one fresh PostgreSQL database) a suite's tests share. */
  open(): Promise<{ database(schema: string): Db; close(): Promise<void> }>;
}

export const dbTargets: DbTarget[] = [
  {
    name: 'pglite',
    skip: false,
    async open() {
      const host = await PgliteHost.open();
      return { database: (schema) => host.database(schema), close: () => host.close() };
    },
  },
  {
    name: 'postgres',
    skip: realTarget() ? false : 'TEST_DATABASE_URL is not set',
    async open() {
      const { url, drop } = await createDatabase();
      const dbs: Db[] = [];
      return {
        database(schema) {
          const db = new PostgresDb(url, schema, 5);
          dbs.push(db);
          return db;
        },
        async close() {
          for (const db of dbs) await db.close();
          await drop();
        },
      };
    },
  },
];
