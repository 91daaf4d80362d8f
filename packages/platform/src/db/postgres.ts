import type pg from 'pg';
import type { Db, Queryable, QueryObserver, QueryResult, ReadFreshness, Session } from './db.ts';
import { timed, toParam } from './pglite.ts';
import { openPool, poolStatsOf, replanned, rethrowAsUnavailable } from './postgres-statements.ts';
import { ReadReplica, type ReadReplicaOptions } from './read-replica.ts';

/**
 * A service's PostgreSQL database. The service's tables live in a schema named after it, so one
 * database per service (production) and one shared database (small installs) both work unchanged.
 */
export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  readonly replica: ReadReplica | undefined;

  /** With `replica`, `reader` sends reads to that server (a streaming replica of this one). */
  constructor(
    url: string,
    readonly schema: string,
    poolSize: number,
    private readonly observe?: QueryObserver,
    replica?: ReadReplicaOptions,
  ) {
    this.pool = openPool(url, schema, poolSize, 5_000);
    this.replica = replica && new ReadReplica(replica, openPool(replica.url, schema, poolSize, 2_000), this, observe);
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

  reader(freshness: ReadFreshness): Queryable {
    return this.replica ? this.replica.reader(freshness) : this;
  }

  poolStats() {
    return poolStatsOf(this.pool);
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.replica?.close()]);
  }
}

function ignoreError(): void {}

function checkIn(client: pg.PoolClient): void {
  client.off('error', ignoreError);
  client.release();
}
