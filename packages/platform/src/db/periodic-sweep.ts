import type { Logger } from 'pino';

/** Rows per DELETE of a sweep: short statements that hold few locks, so the writes beside it never wait long. */
const sweepBatchSize = 500;

export interface PeriodicSweepOptions {
  /** What is swept, for the log: "outbox:order", "webhook delivery log". */
  what: string;
  /** The first sweep, this long after `start`. */
  firstAfterMs: number;
  everyMs: number;
}

/**
 * Deletes what is past its retention: a sweep `firstAfterMs` after `start`, then one every
 * `everyMs`, never two at once. A sweep that fails is logged and tried again at the next. Every
 * instance of a service runs one; their batches skip the rows another is deleting (SKIP LOCKED in
 * the sweep's statements), so several sweeping together neither block each other nor fail.
 */
export class PeriodicSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly options: PeriodicSweepOptions,
    /** One sweep; resolves how many rows it deleted. */
    private readonly sweep: () => Promise<number>,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.options.firstAfterMs);
  }

  /** Stops sweeping; resolves once the batch in flight is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * Runs `batch` (one DELETE of at most `size` rows, resolving how many it deleted) until a batch
   * finds fewer than a full one, or the sweep is stopped; resolves how many in all.
   */
  async deleteInBatches(batch: (size: number) => Promise<number>): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await batch(sweepBatchSize);
      deleted += n;
      if (n < sweepBatchSize || this.stopped) return deleted;
    }
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.running = this.sweep();
    try {
      const deleted = await this.running;
      if (deleted > 0) this.log.info({ deleted, swept: this.options.what }, 'rows past their retention deleted');
    } catch (error) {
      this.log.warn({ err: error, swept: this.options.what }, 'the sweep failed; trying again at the next one');
    } finally {
      this.running = undefined;
    }
    if (!this.stopped) this.schedule(this.options.everyMs);
  }
}
