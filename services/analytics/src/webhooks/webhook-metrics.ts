import client from 'prom-client';
import type { Queryable } from '@dema/platform';
import type { AttemptOutcome } from './webhooks.repository.ts';
import { countPendingDeliveries } from './webhooks.repository.ts';

/** How one attempt ended: a 2xx, another status, or no answer at all (refused, timed out, unreachable). */
export type AttemptResult = 'succeeded' | 'rejected' | 'no_response';

export function attemptResult(outcome: Pick<AttemptOutcome, 'responseStatus'>): AttemptResult {
  if (outcome.responseStatus === null) return 'no_response';
  return outcome.responseStatus >= 200 && outcome.responseStatus < 300 ? 'succeeded' : 'rejected';
}

/**
 * The Prometheus series of webhook delivery, on the process's registry:
 * `dema_webhook_attempts_total{outcome}` and `dema_webhook_attempt_duration_seconds{outcome}` for
 * each attempt this instance made, `dema_webhook_deliveries_finished_total{status}` for deliveries it
 * ended, `dema_webhook_deliveries_pruned_total` for those its sweep deleted, and
 * `dema_webhook_deliveries_pending`, read from the database at scrape time (so every instance reports
 * the same figure: take the max, not the sum).
 */
export class WebhookMetrics {
  private readonly attempts: client.Counter<'outcome'>;
  private readonly durations: client.Histogram<'outcome'>;
  private readonly finished: client.Counter<'status'>;
  private readonly pruned: client.Counter;

  constructor(registry: client.Registry, db: Queryable) {
    const registers = [registry];
    this.attempts = new client.Counter({
      name: 'dema_webhook_attempts_total',
      help: 'Webhook delivery attempts, by outcome: succeeded (2xx), rejected (another status), no_response',
      labelNames: ['outcome'],
      registers,
    });
    this.durations = new client.Histogram({
      name: 'dema_webhook_attempt_duration_seconds',
      help: "Time from sending a webhook to the receiver's answer (or to giving up), by outcome",
      labelNames: ['outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.finished = new client.Counter({
      name: 'dema_webhook_deliveries_finished_total',
      help: 'Webhook deliveries ended, by status: succeeded, or failed once their retry window was over',
      labelNames: ['status'],
      registers,
    });
    this.pruned = new client.Counter({
      name: 'dema_webhook_deliveries_pruned_total',
      help: 'Ended webhook deliveries deleted from the delivery log once older than the retention',
      registers,
    });
    new client.Gauge({
      name: 'dema_webhook_deliveries_pending',
      help: 'Webhook deliveries still to be sent or retried, across all instances',
      registers,
      async collect() {
        // A database that cannot answer leaves the series out of this scrape rather than failing it.
        const pending = await countPendingDeliveries(db).catch(() => undefined);
        if (pending === undefined) this.reset();
        else this.set(pending);
      },
    });
  }

  /** Counts one attempt and its time. */
  observeAttempt(outcome: AttemptOutcome): void {
    const labels = { outcome: attemptResult(outcome) };
    this.attempts.inc(labels);
    this.durations.observe(labels, outcome.durationMs / 1000);
  }

  observeFinished(status: 'succeeded' | 'failed'): void {
    this.finished.inc({ status });
  }

  observePruned(deliveries: number): void {
    this.pruned.inc(deliveries);
  }
}
