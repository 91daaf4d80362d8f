import { createHash } from 'node:crypto';
import pg from 'pg';
import { unavailable } from '../http/errors.ts';
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
import { timed, toParam } from './pglite.ts';

const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_OID || oid === TIMESTAMPTZ_OID ? timestampToIso : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A service's PostgreSQL database. The service's tables live in a schema named after it, so one
 * database per service (production) and one shared database (small installs) both work unchanged.
 */
export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(
    url: string,
    readonly schema: string,
    poolSize: number,
    private readonly observe?: QueryObserver,
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      // search_path and timezone are per session; setting them at connect covers every pooled client.
      options: `-c search_path=${quoteIdent(schema)} -c timezone=UTC`,
      types,
    });
    // An idle client losing its server must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
  }

  /** Connects once, failing with the driver's own error (ECONNREFUSED, 28P01, 3D000, …) when it cannot. */
  async check(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async query<Row>(sql: string, params: unknown[] = []): Promise<QueryResult<Row>> {
    return timed(this.observe, async () => {
      const result = await replanned((config) => this.pool.query(config), sql, params).catch(rethrowAsUnavailable);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    });
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.inTransaction(work).catch(rethrowAsUnavailable);
  }

  private async inTransaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.checkOut();
    try {
      await client.query('BEGIN');
      const tx: Queryable = {
        query: (sql, params = []) =>
          timed(this.observe, async () => {
            const result = await replanned((config) => client.query(config), sql, params);
            return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
          }),
      };
      const value = await work(tx);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      checkIn(client);
    }
  }

  withExclusiveLock<T>(name: string, work: (session: Session) => Promise<T>): Promise<T> {
    return this.locked(name, work).catch(rethrowAsUnavailable);
  }

  private async locked<T>(name: string, work: (session: Session) => Promise<T>): Promise<T> {
    const client = await this.checkOut();
    try {
      // Session-level advisory lock: held across the several transactions `work` may run.
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      try {
        return await work({
          query: async (sql, params = []) => {
            const result = await client.query(sql, params.map(toParam));
            return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
          },
          exec: async (sql) => {
            await client.query(sql);
          },
        });
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      checkIn(client);
    }
  }

  /**
   * A client of the pool for several statements. A checked-out client whose server goes away
   * between statements emits 'error', which unheard would end the process; its next statement
   * fails instead, and the pool discards it when it is checked in.
   */
  private async checkOut(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on('error', ignoreError);
    return client;
  }

  poolStats() {
    return { size: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function ignoreError(): void {}

function checkIn(client: pg.PoolClient): void {
  client.off('error', ignoreError);
  client.release();
}

// Connection exceptions (08), the server shutting down or starting (57P01-03), too many connections (53300).
const unavailableStates = /^(08...|57P0[123]|53300)$/;
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What pg says, with no code, when a connection ends under a query or cannot be made in time.
const unavailableMessages = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i;

/**
 * Rethrows a failure to reach PostgreSQL as a 503 problem with Retry-After, so a client (or the
 * gateway) knows to try again rather than seeing a 500; any other error unchanged.
 */
function rethrowAsUnavailable(error: unknown): never {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const down =
    (typeof code === 'string' && (unavailableStates.test(code) || networkCodes.has(code))) ||
    (typeof message === 'string' && unavailableMessages.test(message));
  if (!down) throw error;
  throw unavailable('The database cannot be reached right now; nothing was changed by this request. Try again shortly.', 5);
}

const statementNames = new Map<string, string>();
/** Bumped when a schema change invalidated prepared plans: new names make every connection re-plan. */
let planGeneration = 0;

/**
 * A named statement: each connection parses and plans it once and reuses the plan, which for the
 * catalog's queries costs more than running them. The SQL shapes are fixed by the code (values are
 * always parameters), so the number of names stays small.
 */
function prepared(text: string, params: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `dema_${createHash('sha1').update(text).digest('hex').slice(0, 16)}_${planGeneration}`;
    statementNames.set(text, name);
  }
  return { name, text, values: params.map(toParam) };
}

/**
 * Runs a prepared statement, surviving another instance's migration: PostgreSQL refuses a cached
 * plan whose result shape a DDL change altered (0A000), so retry once under fresh names.
 */
async function replanned<R>(run: (config: pg.QueryConfig) => Promise<R>, text: string, params: unknown[]): Promise<R> {
  try {
    return await run(prepared(text, params));
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code !== '0A000' || !message?.includes('cached plan')) throw error;
    planGeneration += 1;
    statementNames.clear();
    return run(prepared(text, params));
  }
}
