import type { Db } from '@dema/platform';
import type { Logger } from 'pino';
import type { WebhookMetrics } from './webhook-metrics.ts';
import { pruneEndedDeliveries, pruneOrphanMessages } from './webhooks.repository.ts';

/** Rows per DELETE: short statements that hold few locks, so delivery never waits long behind the sweep. */
const batchSize = 500;
/** The log only needs to be trimmed about as often as a day turns over; hourly keeps each sweep small. */
const sweepEveryMs = 3_600_000;

/**
 * Deletes deliveries from the log once they ended more than `retentionMs` ago: at start, then every
 * hour, in batches. Every instance runs one; their batches skip the rows another is deleting, so
 * several sweeping together neither block each other nor fail.
 */
export class WebhookLogPruner {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly retentionMs: number,
    private readonly metrics: WebhookMetrics,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Stops sweeping; resolves once the batch in flight is done. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  /**
   * Deletes every delivery past the retention, batch after batch until a batch finds fewer than a
   * full one (or the pruner is closed), then the event bodies left without a delivery. Resolves how
   * many deliveries it deleted.
   */
  async sweep(): Promise<number> {
    const deleted = await this.inBatches((n) => pruneEndedDeliveries(this.db, this.retentionMs, n));
    this.metrics.observePruned(deleted);
    await this.inBatches((n) => pruneOrphanMessages(this.db, this.retentionMs, n));
    return deleted;
  }

  private async inBatches(batch: (size: number) => Promise<number>): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await batch(batchSize);
      deleted += n;
      if (n < batchSize || this.closed) return deleted;
    }
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.sweeping = this.sweep();
    try {
      const deleted = await this.sweeping;
      if (deleted > 0) this.log.info({ deleted }, 'webhook delivery log pruned');
    } catch (error) {
      this.log.warn({ err: error }, 'webhook delivery log could not be pruned; trying again at the next sweep');
    } finally {
      this.sweeping = undefined;
    }
    if (!this.closed) this.schedule(sweepEveryMs);
  }
}
