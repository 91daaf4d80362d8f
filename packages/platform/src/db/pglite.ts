import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import { Mutex } from './mutex.ts';
import {
  quoteIdent,
  timestampToIso,
  TIMESTAMP_OID,
  TIMESTAMPTZ_OID,
  type Db,
  type Queryable,
  type QueryObserver,
  type QueryResult,
  type Session,
} from './db.ts';

/**
 * The embedded database: one PGlite instance (it costs ~830 MB, so never one per service) shared by
 * every service of the process, each in its own schema. PGlite runs one statement at a time; the
 * host's lock also makes "switch search_path, then query" atomic, so services never see each
 * other's tables.
 */
export class PgliteHost {
  private readonly lock = new Mutex();
  private currentSchema: string | undefined;
  private closed = false;

  private constructor(private readonly pg: PGlite) {}

  /** `dataDir` undefined → in memory (tests); otherwise persisted there. */
  static async open(dataDir?: string): Promise<PgliteHost> {
    // Options in one object: `new PGlite(undefined, options)` ignores them for an in-memory database.
    const pg = new PGlite({
      ...(dataDir === undefined ? {} : { dataDir }),
      parsers: { [TIMESTAMP_OID]: timestampToIso, [TIMESTAMPTZ_OID]: timestampToIso },
    });
    await pg.waitReady;
    await pg.exec(`SET TIME ZONE 'UTC'`);
    return new PgliteHost(pg);
  }

  database(schema: string, observe?: QueryObserver): Db {
    return new PgliteDb(this, schema, observe);
  }

  /** Runs `work` with the session's search_path on `schema`, holding the instance. */
  async use<T>(schema: string, work: (pg: PGlite) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      if (this.closed) throw new Error('the embedded database is closed');
      if (this.currentSchema !== schema) {
        await this.pg.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; SET search_path TO ${quoteIdent(schema)}`);
        this.currentSchema = schema;
      }
      return work(this.pg);
    });
  }

  async close(): Promise<void> {
    await this.lock.run(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.pg.close();
    });
  }
}

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;

  constructor(
    private readonly host: PgliteHost,
    readonly schema: string,
    private readonly observe?: QueryObserver,
  ) {}

  async query<Row>(sql: string, params: unknown[] = []): Promise<QueryResult<Row>> {
    return this.host.use(this.schema, (pg) => timed(this.observe, () => run<Row>(pg, sql, params)));
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.host.use(this.schema, (pg) => pg.transaction((tx) => work({ query: (sql, params = []) => timed(this.observe, () => run(tx, sql, params)) })));
  }

  async withExclusiveLock<T>(_name: string, work: (session: Session) => Promise<T>): Promise<T> {
    // One process owns the embedded database and the host lock admits one holder at a time,
    // which is all the exclusion an advisory lock would add.
    return this.host.use(this.schema, (pg) =>
      work({
        query: (sql, params = []) => run(pg, sql, params),
        exec: async (sql) => {
          await pg.exec(sql);
        },
      }),
    );
  }

  reader(): Queryable {
    // One embedded instance, no replica: every read is the primary's.
    return this;
  }

  poolStats() {
    return { size: 1, idle: 1, waiting: 0 };
  }

  async close(): Promise<void> {
    // The host is shared by every service of the process; its owner closes it.
  }
}

async function run<Row>(pg: PGlite | Transaction, sql: string, params: unknown[]): Promise<QueryResult<Row>> {
  const result = await pg.query<Row>(sql, params.map(toParam));
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}

// PGlite serialises plain objects to JSON only for json/jsonb parameters it has type info for;
// doing it here keeps both drivers identical.
function toParam(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value) && !Array.isArray(value)
    ? JSON.stringify(value)
    : value;
}

async function timed<T>(observe: QueryObserver | undefined, work: () => Promise<T>): Promise<T> {
  if (!observe) return work();
  const start = performance.now();
  try {
    const result = await work();
    observe((performance.now() - start) / 1000, true);
    return result;
  } catch (error) {
    observe((performance.now() - start) / 1000, false);
    throw error;
  }
}

export { timed, toParam };
