import type pg from 'pg';
import type { Logger } from 'pino';
import { timed } from './pglite.ts';
import { isUnreachable, poolStatsOf, replanned } from './postgres-statements.ts';
import type { PoolStats, Queryable, QueryObserver, QueryResult, ReadFreshness, ReplicaHealth, ReplicaProbe, ReplicaReadOutcome } from './db.ts';

export interface ReadReplicaOptions {
  /** The replica's PostgreSQL URL (e.g. PRODUCT_DATABASE_READ_URL). */
  url: string;
  /** Told who answered each read (`db_replica_reads_total`). */
  observe?: (outcome: ReplicaReadOutcome) => void;
  /** Where the replica going away and coming back is said. */
  log?: Pick<Logger, 'warn' | 'info'>;
  /** How long reads stay on the primary after the replica could not be reached, before it is tried again. */
  retryAfterMs?: number;
}

// The replica cancelled the statement because replaying WAL needed the rows it was reading.
const conflictWithRecovery = '40001';

/**
 * The read side of a service's database: a streaming replica of the primary. A read it cannot
 * serve goes to the primary instead, so a replica that is behind, paused or down costs the primary
 * load, never a wrong or failed answer.
 */
export class ReadReplica implements ReplicaHealth {
  /** While set, the replica was unreachable and is not tried before this time (ms since the epoch). */
  private retryAt: number | undefined;

  constructor(
    private readonly options: ReadReplicaOptions,
    private readonly pool: pg.Pool,
    private readonly primary: Queryable,
    private readonly observeQuery?: QueryObserver,
  ) {}

  reader(freshness: ReadFreshness): Queryable {
    return { query: (sql, params = []) => this.query(freshness, sql, params) };
  }

  private async query<Row>(freshness: ReadFreshness, sql: string, params: unknown[]): Promise<QueryResult<Row>> {
    if (this.retryAt !== undefined && Date.now() < this.retryAt) return this.fromPrimary('unavailable', sql, params);
    try {
      if (freshness === 'current' && !(await this.caughtUp())) return this.fromPrimary('behind', sql, params);
      const result = await timed(this.observeQuery, () => replanned((config) => this.pool.query(config), sql, params));
      this.reached();
      this.options.observe?.('replica');
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    } catch (error) {
      if (isUnreachable(error)) {
        this.unreachable(error);
        return this.fromPrimary('unavailable', sql, params);
      }
      if ((error as { code?: unknown }).code === conflictWithRecovery) return this.fromPrimary('behind', sql, params);
      throw error;
    }
  }

  /**
   * Whether the replica has replayed all WAL the primary has flushed now, and so every transaction
   * committed before this read began (a commit is flushed before its client hears of it). A server
   * that is not in recovery is a primary, hence current.
   */
  private async caughtUp(): Promise<boolean> {
    const { rows } = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
    const replayed = await this.pool.query<{ current: boolean | null }>('SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn AS current', [
      rows[0]!.lsn,
    ]);
    return replayed.rows[0]?.current === true;
  }

  private async fromPrimary<Row>(outcome: ReplicaReadOutcome, sql: string, params: unknown[]): Promise<QueryResult<Row>> {
    this.options.observe?.(outcome);
    return this.primary.query<Row>(sql, params);
  }

  private unreachable(error: unknown): void {
    const retryAfterMs = this.options.retryAfterMs ?? 5_000;
    if (this.retryAt === undefined) this.options.log?.warn({ err: error, retryAfterMs }, 'read replica unreachable: its reads go to the primary');
    this.retryAt = Date.now() + retryAfterMs;
  }

  private reached(): void {
    if (this.retryAt === undefined) return;
    this.retryAt = undefined;
    this.options.log?.info('read replica reachable again: reads go to it');
  }

  async probe(timeoutMs: number): Promise<ReplicaProbe> {
    let timer: NodeJS.Timeout | undefined;
    const probe = this.pool.query('SELECT 1').then(
      () => 'answers' as const,
      (error: unknown) => {
        if (isUnreachable(error)) return 'unreachable' as const;
        throw error;
      },
    );
    // A connection attempt cannot be cancelled: past the deadline the probe settles unheard.
    const late = new Promise<ReplicaProbe>((resolve) => {
      timer = setTimeout(() => resolve('slow'), timeoutMs);
    });
    return Promise.race([probe, late]).finally(() => clearTimeout(timer));
  }

  poolStats(): PoolStats {
    return poolStatsOf(this.pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
