import type { Db, WebhookSettings } from '@dema/platform';
import type { Logger } from 'pino';
import { retryDelayMs } from './retry-schedule.ts';
import { sendWebhook } from './send-webhook.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';
import { claimDueDeliveries, recordAttempt, type ClaimedDelivery } from './webhooks.repository.ts';

/** How often due deliveries are looked for when nothing announced one (retries, other instances' events). */
const pollMs = 1_000;

/**
 * Sends due deliveries, up to `settings.concurrency` attempts at once, each in its own slot: a
 * receiver that is slow or down only ever holds the slots of its own attempts, each for at most
 * the attempt timeout. Every instance of the service runs one; the lease on each claimed delivery
 * keeps two of them from making the same attempt.
 */
export class WebhookDispatcher {
  private inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private claiming = false;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly settings: WebhookSettings,
    private readonly metrics: WebhookMetrics,
    private readonly log: Logger,
    /** The service's outbox relay, told when disabling an endpoint wrote WEBHOOK_ENDPOINT_DISABLED. */
    private readonly outbox: { notify(): void },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for due deliveries now rather than at the next poll (new deliveries were just created). */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops claiming, and resolves once the attempts in flight are recorded. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.claim(), ms);
    this.timer.unref();
  }

  private async claim(): Promise<void> {
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = true;
    try {
      const free = this.settings.concurrency - this.inFlight.size;
      // A lease outlives the attempt's timeout, so it only runs out when this instance died mid-attempt.
      const claimed = free > 0 && !this.stopped ? await claimDueDeliveries(this.db, free, 2 * this.settings.timeoutMs + 5_000) : [];
      for (const delivery of claimed) {
        const attempt = this.attempt(delivery).finally(() => {
          this.inFlight.delete(attempt);
          this.wake();
        });
        this.inFlight.add(attempt);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'webhooks could not claim due deliveries; trying again shortly');
    } finally {
      this.claiming = false;
    }
    if (this.stopped) return;
    const again = this.again;
    this.again = false;
    // A retry may be due before the next poll when the base delay is short.
    this.schedule(again ? 0 : Math.min(pollMs, this.settings.retryBaseMs));
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await sendWebhook(delivery, this.settings);
    this.metrics.observeAttempt(outcome);
    const succeeded = outcome.responseStatus !== null && outcome.responseStatus >= 200 && outcome.responseStatus < 300;
    try {
      const recorded = await this.db.transaction((tx) =>
        recordAttempt(tx, delivery, outcome, succeeded, {
          retryDelayMs: (failed) => retryDelayMs(failed, this.settings.retryBaseMs),
          disableAfterFailures: this.settings.disableAfterFailures,
          disableAfterFailingMs: this.settings.disableAfterFailingMs,
        }),
      );
      if (recorded !== undefined && recorded.status !== 'pending') this.metrics.observeFinished(recorded.status);
      if (recorded?.disabledEndpoint) {
        this.outbox.notify();
        this.log.warn(
          { endpointId: delivery.endpointId, url: delivery.url },
          'webhook endpoint disabled: it kept failing; the admins are emailed, and can enable it again once it works',
        );
      }
      if (recorded?.status === 'failed') {
        this.log.warn({ endpointId: delivery.endpointId, eventId: delivery.eventId }, 'webhook delivery failed for good: its retry window is over');
      }
    } catch (error) {
      // The lease runs out and the attempt is made again: at least once, as the spec expects.
      this.log.error({ err: error, deliveryId: delivery.id }, 'webhooks could not record an attempt');
    }
  }
}
