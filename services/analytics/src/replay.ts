import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { EventEnvelope } from '@dema/contracts';
import { platformMigrations, runMigrations, type Db, type MigrationSource, type Queryable } from '@dema/platform';
import { checkEnvelope, factOf, InvalidEvent } from './domain/analytics-events.ts';
import { appendEvents, countEvents, eventsAfter, freezeEventLog } from './db/event-log.repository.ts';
import { applyFacts, clearFacts } from './db/facts.repository.ts';

/** The Analytics service's own migrations (applied after the platform's). */
export const analyticsMigrations: MigrationSource = { scope: 'analytics', dir: fileURLToPath(new URL('./db/migrations/', import.meta.url)) };

export interface ReplayOptions {
  /** An NDJSON file of event envelopes (one `{id,type,version,payload}` per line) to add to the history first. */
  from?: string;
  /** Events written or read per statement while importing and re-applying the history. */
  batchSize?: number;
}

export interface ReplayReport {
  /** Lines of the file that held an event (blank lines aside). */
  read: number;
  /** Of those, events new to the history. */
  imported: number;
  /** Of those, events the history had already, or that an earlier line of the file repeated. */
  alreadyKnown: number;
  /** Events in the history after the replay. */
  events: number;
  /** Events whose figures were applied. */
  applied: number;
  /** Events kept in the history that no figure derives from (other types, newer versions). */
  historyOnly: number;
}

/**
 * Rebuilds the analytics figures from scratch: applies pending migrations, optionally adds the
 * events of an NDJSON export to the history (each id once, however often the file or the history
 * repeats it), then empties every fact table and re-applies the whole history in order.
 *
 * All of it is one transaction: readers see the old figures until the new ones are complete, and a
 * bad line or an event that cannot be applied rolls everything back (the error names the line or
 * the event). Live events arriving meanwhile wait and are applied on top of the rebuilt figures,
 * so nothing is counted twice or lost. Running it again gives identical figures.
 */
export async function replayAnalytics(db: Db, options: ReplayOptions = {}): Promise<ReplayReport> {
  await runMigrations(db, [platformMigrations, analyticsMigrations]);
  const batchSize = options.batchSize ?? 1000;
  return db.transaction(async (tx) => {
    await freezeEventLog(tx);
    const report: ReplayReport = { read: 0, imported: 0, alreadyKnown: 0, events: 0, applied: 0, historyOnly: 0 };
    if (options.from !== undefined) await importHistory(tx, options.from, batchSize, report);
    await clearFacts(tx);
    let after = '0';
    for (;;) {
      const batch = await eventsAfter(tx, after, batchSize);
      const facts = batch.map(({ seq, event }) => {
        try {
          return { fact: factOf(event), seq };
        } catch (error) {
          throw new Error(`replay stopped at event ${event.id} (#${seq}), nothing was changed: ${(error as Error).message}`, { cause: error });
        }
      });
      await applyFacts(tx, facts);
      for (const { fact } of facts) {
        if (fact.kind === 'history-only') report.historyOnly += 1;
        else report.applied += 1;
      }
      if (batch.length < batchSize) break;
      after = batch[batch.length - 1]!.seq;
    }
    report.events = await countEvents(tx);
    return report;
  });
}

async function importHistory(tx: Queryable, file: string, batchSize: number, report: ReplayReport): Promise<void> {
  // Opened first so a missing file is its own plain error, before any line is read.
  const handle = await open(file);
  const pending: EventEnvelope[] = [];
  const append = async () => {
    for (const seq of await appendEvents(tx, pending.splice(0))) {
      if (seq === undefined) report.alreadyKnown += 1;
      else report.imported += 1;
    }
  };
  try {
    let number = 0;
    for await (const line of handle.readLines({ encoding: 'utf8' })) {
      number += 1;
      if (line.trim() === '') continue;
      let event: EventEnvelope;
      try {
        event = checkEnvelope(JSON.parse(line));
        // Checked now so a bad event is reported by its line rather than during the rebuild.
        factOf(event);
      } catch (error) {
        const reason = error instanceof InvalidEvent ? error.message : `not JSON (${(error as Error).message})`;
        throw new Error(`${file}:${number}: ${reason}; nothing was changed`, { cause: error });
      }
      report.read += 1;
      pending.push(event);
      if (pending.length >= batchSize) await append();
    }
    await append();
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Writes the whole history as NDJSON, one envelope per line in history order: the file
 * `replayAnalytics({ from })` reads, for rebuilding another analytics database. Resolves the count.
 */
export async function exportAnalyticsEvents(db: Db, out: Writable, batchSize = 1000): Promise<number> {
  await runMigrations(db, [platformMigrations, analyticsMigrations]);
  let after = '0';
  let written = 0;
  for (;;) {
    const batch = await eventsAfter(db, after, batchSize);
    for (const { event } of batch) {
      if (!out.write(`${JSON.stringify(event)}\n`)) await new Promise((resolve) => out.once('drain', resolve));
      written += 1;
    }
    if (batch.length < batchSize) return written;
    after = batch[batch.length - 1]!.seq;
  }
}
