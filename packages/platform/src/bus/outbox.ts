import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { eventVersions, routingKeys, type DemaEvent, type EventEnvelope } from '@dema/contracts';
import type { Db, Queryable } from '../db/db.ts';
import type { Metrics } from '../metrics.ts';
import type { EventBus } from './bus.ts';
import type { DeadLetter, DeadLetterSource } from './dead-letters.ts';
import { EventDeliveryError } from './memory-bus.ts';
import { BatchWorker, type BatchOutcome } from '../batch-worker.ts';
import { PeriodicSweep } from '../db/periodic-sweep.ts';

/** Builds an event in the seed's envelope with a fresh id and the type's current version. */
export function createEvent<E extends DemaEvent>(type: E['type'], payload: E['payload']): E {
  return { id: randomUUID(), type, version: eventVersions[type], payload } as E;
}

/**
 * Records `events` in the outbox through `tx`, the transaction that makes the change they describe:
 * all commit or none does. The relay publishes them after commit, in this order.
 */
export async function appendToOutbox(tx: Queryable, events: DemaEvent | DemaEvent[]): Promise<void> {
  const list = Array.isArray(events) ? events : [events];
  if (list.length === 0) return;
  if (list.length === 1) {
    const [event] = list as [DemaEvent];
    await tx.query('INSERT INTO outbox (id, type, version, routing_key, payload) VALUES ($1, $2, $3, $4, $5)', [
      event.id,
      event.type,
      event.version,
      routingKeys[event.type],
      event.payload,
    ]);
    return;
  }
  // One statement for many events: an order that moves the stock of several products.
  await tx.query(
    `INSERT INTO outbox (id, type, version, routing_key, payload)
     SELECT id, type, version, routing_key, payload
       FROM unnest($1::uuid[], $2::varchar[], $3::int[], $4::varchar[], $5::jsonb[]) WITH ORDINALITY AS e(id, type, version, routing_key, payload, n)
      ORDER BY n`,
    [
      list.map((e) => e.id),
      list.map((e) => e.type),
      list.map((e) => e.version),
      list.map((e) => routingKeys[e.type]),
      list.map((e) => JSON.stringify(e.payload)),
    ],
  );
}

interface OutboxRow {
  seq: string;
  id: string;
  type: string;
  version: number;
  routing_key: string;
  payload: unknown;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** How often to look for events written by other instances or left by a crash. */
  pollMs?: number;
  /** How long a claimed batch is reserved for this instance before another may take it. */
  claimSeconds?: number;
  /**
   * How long a published event stays in the outbox, and the id of a handled event in
   * `processed_events`, before the hourly sweep deletes them (default 7 days).
   */
  retainPublishedMs?: number;
}

/**
 * Publishes committed outbox events, oldest first, and marks them published once the bus accepted
 * them. Several instances may relay the same outbox: a batch is claimed with SKIP LOCKED and a
 * lease, so an instance that dies mid-batch only delays its events. An event the bus refused stays
 * pending and is retried; nothing is dropped. An event a consumer kept failing on (the embedded
 * bus's `EventDeliveryError`) stays in the outbox too, dead-lettered: no longer sent, counted in
 * `events_dead_letters`, listed and put back in line by `deadLetters` / `retryDeadLetters` (the
 * admin's dead-letter routes). A published event is deleted `retainPublishedMs` later by an hourly
 * sweep, so the outbox does not grow with every order for ever; a pending or dead-lettered one stays.
 * The same sweep forgets the events the service's consumers handled that long ago (`processed_events`).
 */
export class OutboxRelay extends BatchWorker implements DeadLetterSource {
  private readonly claimSeconds: number;
  private readonly retainPublishedMs: number;
  private readonly sweep: PeriodicSweep;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    log: Logger,
    private readonly metrics?: Metrics,
    options: OutboxRelayOptions = {},
  ) {
    super(log, { batchSize: options.batchSize ?? 100, pollMs: options.pollMs ?? 1_000, name: 'outbox relay' });
    this.claimSeconds = options.claimSeconds ?? 30;
    this.retainPublishedMs = options.retainPublishedMs ?? 7 * 86_400_000;
    // The first sweep a minute after start, not during it; then hourly.
    this.sweep = new PeriodicSweep(
      log,
      { what: this.name, firstAfterMs: 60_000, everyMs: 3_600_000 },
      async () => (await this.prunePublished()) + (await this.pruneProcessed()),
    );
  }

  override start(): void {
    super.start();
    this.sweep.start();
  }

  override async stop(): Promise<void> {
    await Promise.all([super.stop(), this.sweep.stop()]);
  }

  /**
   * Deletes the events published more than `retainPublishedMs` ago, batch after batch; resolves how
   * many. Instances sweeping together skip each other's rows (SKIP LOCKED) rather than wait.
   */
  async prunePublished(): Promise<number> {
    return this.sweep.deleteInBatches(async (size) => {
      // created_at is for the index (migration 0003): an event is published after it was created.
      const { rowCount } = await this.db.query(
        `DELETE FROM outbox WHERE seq IN (
           SELECT seq FROM outbox
            WHERE created_at < now() - make_interval(secs => $1) AND published_at < now() - make_interval(secs => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [this.retainPublishedMs / 1000, size],
      );
      return rowCount;
    });
  }

  /**
   * Deletes the ids of the events this service's consumers handled more than `retainPublishedMs`
   * ago: they only guard against a redelivery, which comes within minutes. Resolves how many.
   */
  async pruneProcessed(): Promise<number> {
    return this.sweep.deleteInBatches(async (size) => {
      const { rowCount } = await this.db.query(
        `DELETE FROM processed_events WHERE (consumer, event_id) IN (
           SELECT consumer, event_id FROM processed_events WHERE processed_at < now() - make_interval(secs => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [this.retainPublishedMs / 1000, size],
      );
      return rowCount;
    });
  }

  /** `outbox:<service>`: where its dead letters wait. */
  get name(): string {
    return `outbox:${this.db.schema}`;
  }

  protected async runBatch(): Promise<BatchOutcome> {
    // The broker away is no fault of the events: they keep their place, without a backoff each.
    if (this.bus.isReady === false) return { done: 0, failed: 1 };
    const { rows } = await this.db.query<OutboxRow>(
      `UPDATE outbox SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
        WHERE seq IN (
          SELECT seq FROM outbox
           WHERE published_at IS NULL AND dead_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
           ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING seq, id, type, version, routing_key, payload`,
      [this.batching.batchSize, this.claimSeconds],
    );
    if (rows.length === 0) return { done: 0, failed: 0 };
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const outcomes = await Promise.allSettled(
      rows.map((row) => {
        const event: EventEnvelope = { id: row.id, type: row.type, version: row.version, payload: row.payload };
        return this.bus.publish(event, row.routing_key);
      }),
    );
    const published = rows.filter((_, i) => outcomes[i]!.status === 'fulfilled');
    const failed = rows.filter((_, i) => outcomes[i]!.status === 'rejected');
    if (published.length > 0) {
      await this.db.query('UPDATE outbox SET published_at = now(), claimed_until = NULL, last_error = NULL WHERE seq = ANY($1::bigint[])', [
        published.map((row) => row.seq),
      ]);
    }
    let refused = 0;
    for (const row of failed) {
      const reason = (outcomes[rows.indexOf(row)] as PromiseRejectedResult).reason as Error;
      if (reason instanceof EventDeliveryError) {
        // The bus delivered it and a consumer kept failing: retrying on every poll would only fail
        // again. It waits here, dead-lettered, for the admin's retry.
        this.log.error({ eventId: row.id, type: row.type, err: reason }, 'event dead-lettered in the outbox');
        await this.db.query('UPDATE outbox SET dead_at = now(), claimed_until = NULL, last_error = $2, dead_consumers = $3 WHERE seq = $1', [
          row.seq,
          reason.message,
          reason.failures.map((f) => f.consumer),
        ]);
        this.metrics?.eventsPublished.inc({ type: row.type, outcome: 'dead_lettered' });
        continue;
      }
      if (refused++ === 0) this.log.warn({ err: reason, pending: failed.length }, 'bus refused outbox events; they stay pending');
      // The first retries come at once; after that with a growing pause (capped at 5 minutes), so an
      // event the bus keeps refusing does not hold back the ones behind it.
      await this.db.query(
        `UPDATE outbox SET last_error = $2,
                claimed_until = CASE WHEN attempts < 3 THEN NULL ELSE now() + make_interval(secs => LEAST(300, power(2, attempts))) END
          WHERE seq = $1`,
        [row.seq, String(reason?.message ?? reason)],
      );
      this.metrics?.eventsPublished.inc({ type: row.type, outcome: 'error' });
    }
    for (const row of published) this.metrics?.eventsPublished.inc({ type: row.type, outcome: 'ok' });
    return { done: published.length, failed: failed.length };
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const { rows } = await this.db.query<{
      id: string;
      type: string;
      routing_key: string;
      attempts: number;
      last_error: string | null;
      dead_at: Date | string;
      dead_consumers: string[] | null;
    }>('SELECT id, type, routing_key, attempts, last_error, dead_at, dead_consumers FROM outbox WHERE dead_at IS NOT NULL ORDER BY seq LIMIT $1', [limit]);
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      routingKey: row.routing_key,
      source: this.name,
      consumers: row.dead_consumers ?? [],
      error: row.last_error ?? '',
      attempts: row.attempts,
      deadAt: new Date(row.dead_at).toISOString(),
    }));
  }

  async countDeadLetters(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE dead_at IS NOT NULL');
    return rows[0]!.n;
  }

  async retryDeadLetters(ids?: string[]): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE outbox SET dead_at = NULL, dead_consumers = NULL, claimed_until = NULL, attempts = 0
        WHERE dead_at IS NOT NULL AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))`,
      [ids ?? null],
    );
    if ((rowCount ?? 0) > 0) this.notify();
    return rowCount ?? 0;
  }
}
