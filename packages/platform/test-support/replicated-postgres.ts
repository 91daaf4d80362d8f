import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './startup.ts';
import { realServersRequired, realTarget } from './targets.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL primary and a streaming replica of it, each in a temp dir on a port of its own,
 * started from the installed server binaries: the machine's own cluster cannot be the primary, as
 * its pg_hba admits no replication connection.
 */
export interface ReplicatedPostgres {
  /** The `postgres` database on the primary, as the superuser. */
  primaryUrl: string;
  replicaUrl: string;
  /** Stops (or resumes) applying WAL on the replica: it still answers, with the data it had. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Resolves once the replica has replayed all the primary has flushed. */
  caughtUp(): Promise<void>;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  close(): Promise<void>;
}

/** The installed server binaries: the newest /usr/lib/postgresql/<version>/bin, or undefined. */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(root, v, 'bin')).find((dir) => existsSync(path.join(dir, 'pg_basebackup')));
}

/**
 * Why a replication test cannot run here, or false. It belongs to the real-server target; there,
 * with DEMA_TEST_REQUIRE_REAL=1 (CI) missing binaries fail the run rather than skip it.
 */
export function replicationSkip(): string | false {
  if (!realTarget()) return 'TEST_DATABASE_URL is not set';
  if (binDir()) return false;
  if (realServersRequired()) throw new Error('DEMA_TEST_REQUIRE_REAL=1 but no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin');
  return 'no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin';
}

/** Starts a primary and its replica; `close` stops both and deletes their files. */
export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const bin = binDir();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin');
  // PostgreSQL refuses to run as root: as root, every command runs as the postgres user.
  const asRoot = process.getuid?.() === 0;
  const command = (tool: string, args: string[]) =>
    (asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args]) as [string, string[]];
  const pgTool = async (tool: string, ...args: string[]) => {
    await run(...command(tool, args), { timeout: 120_000 });
  };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dema-replication-'));
  if (asRoot) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
    await chown(dir, uid!, gid!);
  }
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const startServer = (dataDir: string, port: number) =>
    pgTool('pg_ctl', '-D', dataDir, '-l', `${dataDir}.log`, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-w', '-t', '60', 'start');
  const stopServer = (dataDir: string) => pgTool('pg_ctl', '-D', dataDir, '-m', 'immediate', '-w', 'stop').catch(() => undefined);
  // A test that ends without `close` (a crash, Ctrl-C) must not leave servers running or files behind.
  const cleanUp = () => {
    for (const dataDir of [replicaDir, primaryDir]) {
      try {
        execFileSync(...command('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
      } catch {
        // not running
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);

  try {
    await pgTool('initdb', '-D', primaryDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8');
    await appendFile(path.join(primaryDir, 'postgresql.conf'), '\nwal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n');
    await appendFile(path.join(primaryDir, 'pg_hba.conf'), '\nhost replication postgres 127.0.0.1/32 trust\n');
    await startServer(primaryDir, primaryPort);
    await pgTool('pg_basebackup', '-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--no-sync');
    await startServer(replicaDir, replicaPort);
  } catch (error) {
    cleanUp();
    process.off('exit', cleanUp);
    throw error;
  }

  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
  const onReplica = async <Row>(sql: string, params: unknown[] = []): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: replicaUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Row[];
    } finally {
      await client.end();
    }
  };
  return {
    primaryUrl,
    replicaUrl,
    async pauseReplay() {
      await onReplica('SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await onReplica('SELECT pg_wal_replay_resume()');
    },
    async caughtUp() {
      const primary = new pg.Client({ connectionString: primaryUrl });
      await primary.connect();
      const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
      await primary.end();
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [row] = await onReplica<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0]!.lsn]);
        if (row?.done) return;
        if (Date.now() > deadline) throw new Error('the replica did not catch up with the primary within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stopReplica: () => stopServer(replicaDir),
    startReplica: () => startServer(replicaDir, replicaPort),
    async close() {
      await stopServer(replicaDir);
      await stopServer(primaryDir);
      process.off('exit', cleanUp);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
