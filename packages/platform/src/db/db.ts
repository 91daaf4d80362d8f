/** What a repository needs from a database: parameterised SQL, inside or outside a transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

/** One connection held exclusively: `exec` runs several statements at once (migrations). */
export interface Session extends Queryable {
  exec(sql: string): Promise<void>;
}

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface PoolStats {
  size: number;
  idle: number;
  waiting: number;
}

/**
 * One service's database: its own schema in the embedded PGlite, or its own PostgreSQL database
 * (and schema) in production. Repositories see only this interface, so the same SQL runs on both.
 */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** The schema every unqualified table name resolves to. */
  readonly schema: string;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Inside,
   * use only the given `tx`; the embedded database runs one transaction at a time.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `work` while holding a lock that is exclusive across every instance sharing this database
   * (a PostgreSQL advisory lock; the embedded database is one process, so a local lock suffices).
   */
  withExclusiveLock<T>(name: string, work: (session: Session) => Promise<T>): Promise<T>;
  /**
   * Where read-only statements may go: the service's read replica when one is configured and
   * answers, else the primary (and always the primary in the embedded database). A `current` read
   * sees every transaction the primary had committed when the statement was sent (a replica still
   * replaying older WAL leaves it to the primary); a `lagging` read may miss the latest ones.
   * Never for a read a write decides on (stock checks): those belong in the write's transaction.
   */
  reader(freshness: ReadFreshness): Queryable;
  /** The read replica `reader` uses, when one is configured: for readiness and pool metrics. */
  readonly replica?: ReplicaHealth | undefined;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/** A read replica as readiness and metrics see it, apart from the reads it serves. */
export interface ReplicaHealth {
  /**
   * Asks the replica itself, never the primary: `answers` within `timeoutMs`; `unreachable` (its
   * reads then go to the primary); `slow` (no answer in time: reads wait for it, e.g. a full pool).
   * Rejects with the error of a replica that answers but refuses (a wrong password, a missing
   * database), as reads sent to it fail the same way.
   */
  probe(timeoutMs: number): Promise<ReplicaProbe>;
  poolStats(): PoolStats;
}

/** What `ReplicaHealth.probe` found. */
export type ReplicaProbe = 'answers' | 'unreachable' | 'slow';

/** How far behind the primary a read may be: see `Db.reader`. */
export type ReadFreshness = 'current' | 'lagging';

/**
 * Who answered a read sent to `Db.reader`: the replica, or the primary because the replica had not
 * replayed far enough (`behind`) or could not be reached (`unavailable`).
 */
export type ReplicaReadOutcome = 'replica' | 'behind' | 'unavailable';

/** Listens to every query, for metrics. */
export type QueryObserver = (seconds: number, ok: boolean) => void;

/** Timestamps leave the database as ISO-8601 strings in UTC, the form the API speaks. */
export function timestampToIso(value: string): string {
  const iso = value.includes('T') ? value : value.replace(' ', 'T');
  const withZone = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso) ? iso : `${iso}Z`;
  return new Date(withZone.replace(/([+-]\d{2})$/, '$1:00')).toISOString();
}

export const TIMESTAMP_OID = 1114;
export const TIMESTAMPTZ_OID = 1184;

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe identifier: ${name}`);
  return `"${name}"`;
}
