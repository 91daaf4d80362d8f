import { createHash } from 'node:crypto';
import pg from 'pg';
import { unavailable } from '../http/errors.ts';
import { quoteIdent, timestampToIso, TIMESTAMP_OID, TIMESTAMPTZ_OID, type PoolStats } from './db.ts';
import { toParam } from './pglite.ts';

// What the primary's and the replica's pools share: how sessions are set up, which failures mean
// the server is out of reach, and the prepared statements every connection reuses.

const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_OID || oid === TIMESTAMPTZ_OID ? timestampToIso : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** A pool whose sessions resolve unqualified names in `schema` and speak UTC. */
export function openPool(url: string, schema: string, size: number, connectTimeoutMs: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: connectTimeoutMs,
    // search_path and timezone are per session; setting them at connect covers every pooled client.
    options: `-c search_path=${quoteIdent(schema)} -c timezone=UTC`,
    types,
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

/** How many connections `pool` holds, idle, and awaited: for `db_pool_connections`. */
export function poolStatsOf(pool: pg.Pool): PoolStats {
  return { size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

// Connection exceptions (08), the server shutting down or starting (57P01-03), too many connections (53300).
const unavailableStates = /^(08...|57P0[123]|53300)$/;
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What pg says, with no code, when a connection ends under a query or cannot be made in time.
const unavailableMessages = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i;

/** Whether `error` says the server could not be reached or went away, rather than refusing the statement. */
export function isUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (typeof code === 'string' && (unavailableStates.test(code) || networkCodes.has(code))) || (typeof message === 'string' && unavailableMessages.test(message))
  );
}

/**
 * Rethrows a failure to reach PostgreSQL as a 503 problem with Retry-After, so a client (or the
 * gateway) knows to try again rather than seeing a 500; any other error unchanged.
 */
export function rethrowAsUnavailable(error: unknown): never {
  if (!isUnreachable(error)) throw error;
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
export async function replanned<R>(run: (config: pg.QueryConfig) => Promise<R>, text: string, params: unknown[]): Promise<R> {
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
