import { PeriodicSweep, type Db } from '@dema/platform';
import type { Logger } from 'pino';
import type { WebhookMetrics } from './webhook-metrics.ts';
import { pruneEndedDeliveries, pruneOrphanMessages } from './webhooks.repository.ts';

/**
 * Deletes deliveries from the log once they ended more than `retentionMs` ago: at start, then
 * every hour (the log only needs trimming about as often as a day turns over; hourly keeps each
 * sweep small), in batches. Every instance runs one.
 */
export class WebhookLogPruner {
  private readonly periodic: PeriodicSweep;

  constructor(
    private readonly db: Db,
    private readonly retentionMs: number,
    private readonly metrics: WebhookMetrics,
    log: Logger,
  ) {
    this.periodic = new PeriodicSweep(log, { what: 'webhook delivery log', firstAfterMs: 0, everyMs: 3_600_000 }, () => this.sweep());
  }

  start(): void {
    this.periodic.start();
  }

  /** Stops sweeping; resolves once the batch in flight is done. */
  close(): Promise<void> {
    return this.periodic.stop();
  }

  /**
   * Deletes every delivery past the retention, then the event bodies left without a delivery.
   * Resolves how many deliveries it deleted.
   */
  async sweep(): Promise<number> {
    const deleted = await this.periodic.deleteInBatches((n) => pruneEndedDeliveries(this.db, this.retentionMs, n));
    this.metrics.observePruned(deleted);
    await this.periodic.deleteInBatches((n) => pruneOrphanMessages(this.db, this.retentionMs, n));
    return deleted;
  }
}
