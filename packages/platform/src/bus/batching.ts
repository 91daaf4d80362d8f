import type { EventEnvelope } from '@dema/contracts';
import type { EventHandler } from './bus.ts';

/**
 * Handles several events at once, all or nothing (typically one transaction, see
 * `handleOnceBatch`). Throwing means none of them is done.
 */
export type BatchHandler = (events: EventEnvelope[]) => Promise<void>;

export interface BatchingOptions {
  /** The most events one call of the batch handler gets (default 256). */
  maxBatchSize?: number;
}

interface Waiting {
  event: EventEnvelope;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Turns a batch handler into the per-event handler a bus calls, group-commit style: each call
 * queues its event and resolves once a batch holding it has been handled. When no batch is running,
 * one starts with everything queued (up to `maxBatchSize`); events arriving meanwhile wait for the
 * next. There is no timer: a lone event is handled at once, and batches grow only as far as the
 * bus delivers concurrently (RabbitMQ: up to its prefetch; the embedded bus: the events published
 * at once).
 *
 * When a batch throws, each of its events is handled again alone, in a batch of one: only the
 * events that fail on their own reject (for the bus to retry or dead-letter), the others resolve.
 * Every call settles; one batch runs at a time per handler made here.
 */
export function handleInBatches(handleBatch: BatchHandler, options: BatchingOptions = {}): EventHandler {
  const maxBatchSize = Math.max(1, Math.floor(options.maxBatchSize ?? 256));
  const queue: Waiting[] = [];
  let running = false;

  async function run(batch: Waiting[]): Promise<void> {
    try {
      await handleBatch(batch.map((w) => w.event));
      for (const w of batch) w.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    for (const w of batch) {
      try {
        await handleBatch([w.event]);
        w.resolve();
      } catch (error) {
        w.reject(error);
      }
    }
  }

  async function drain(): Promise<void> {
    // A broker's deliveries that arrive together are handed over in one synchronous run: letting
    // that run finish first puts them all in the first batch rather than the first alone.
    await Promise.resolve();
    while (queue.length > 0) await run(queue.splice(0, maxBatchSize));
    running = false;
  }

  return (event) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ event, resolve, reject });
      if (running) return;
      running = true;
      void drain();
    });
}
