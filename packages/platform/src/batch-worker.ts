import type { Logger } from 'pino';

/** What one batch came to: how many items were done, how many failed (and wait for a later round). */
export interface BatchOutcome {
  done: number;
  failed: number;
}

export interface BatchWorkerOptions {
  /** Most items one batch takes: a full batch means more may be waiting, so the next round runs at once. */
  batchSize: number;
  /** How often to look for work written by other instances or due again. */
  pollMs: number;
  /** How the log names it. */
  name: string;
}

/**
 * Background work done in batches (the outbox relay, the email sender): a round at start, then one
 * every `pollMs`; at once again after a full batch or a `notify` during a round; never two rounds at
 * a time. A round that throws is logged and tried again at the next poll.
 */
export abstract class BatchWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private notified = false;
  private stopped = false;

  constructor(
    protected readonly log: Logger,
    protected readonly batching: BatchWorkerOptions,
  ) {}

  /** Takes and handles one batch of what is due. */
  protected abstract runBatch(): Promise<BatchOutcome>;

  /** How long to wait after a round that leaves nothing to do at once; by default the poll interval. */
  protected async pause(): Promise<number> {
    return this.batching.pollMs;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs a round now, or right after the running one (call after committing new work). */
  notify(): void {
    if (this.stopped) return;
    if (this.running) this.notified = true;
    else this.schedule(0);
  }

  /** Handles batches until nothing is due or one fails; returns how many items were done. */
  async drain(): Promise<number> {
    await this.running;
    let total = 0;
    for (;;) {
      const { done, failed } = await this.runBatch();
      total += done;
      if (done === 0 || failed > 0) return total;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    let next = this.batching.pollMs;
    this.running = (async () => {
      try {
        const { done, failed } = await this.runBatch();
        // A full batch means more may be waiting; a failure waits for the next poll.
        next = failed === 0 && (done === this.batching.batchSize || this.notified) ? 0 : await this.pause();
      } catch (error) {
        this.log.warn({ err: error }, `${this.batching.name} failed; will retry`);
      }
    })();
    await this.running;
    this.running = undefined;
    this.notified = false;
    if (!this.stopped) this.schedule(next);
  }
}
