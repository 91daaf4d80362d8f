import type { Logger } from 'pino';
import type { EventEnvelope } from '@dema/contracts';
import { matchesBinding, type EventBus, type EventHandler, type FeedHandler, type StopFollowing } from './bus.ts';

interface Feed {
  bindings: readonly string[];
  handler: FeedHandler;
}

interface Subscription {
  consumer: string;
  bindings: readonly string[];
  handler: EventHandler;
}

/**
 * `publish` of the embedded bus rejects with this when a consumer kept failing on the event: the
 * outbox then keeps the event, dead-lettered, instead of marking it published.
 */
export class EventDeliveryError extends Error {
  constructor(
    readonly eventId: string,
    readonly failures: Array<{ consumer: string; error: string }>,
  ) {
    super(failures.map((f) => `${f.consumer}: ${f.error}`).join('; '));
    this.name = 'EventDeliveryError';
  }
}

/**
 * The embedded bus: the same contract as RabbitMQ inside one process. `publish` resolves only after
 * every bound consumer has handled the event, so the outbox marks an event published only once its
 * effects are done: a crash before that re-sends it. A handler that throws is retried up to
 * `maxAttempts` times; if it still fails, `publish` rejects with an `EventDeliveryError` and the
 * event stays in the outbox, dead-lettered, like a message in RabbitMQ's dead-letter queue. When
 * it is published again, only the consumers that have not handled it yet get it (while this
 * process lives; after a restart all do, and they de-duplicate by event id).
 *
 * Feeds (`follow`) see each event as it is published, before the consumers handle it and without
 * holding `publish` up; a re-publish of a dead-lettered event does not show it to them again.
 */
export class MemoryBus implements EventBus {
  private readonly subscriptions: Subscription[] = [];
  private readonly feeds: Feed[] = [];
  /** Consumers that handled an event whose delivery failed for others, by event id. */
  private readonly handled = new Map<string, Set<string>>();

  constructor(
    private readonly log: Logger,
    private readonly maxAttempts = 5,
    private readonly retryDelayMs = 50,
  ) {}

  async publish(event: EventEnvelope, routingKey: string): Promise<void> {
    const done = this.handled.get(event.id);
    if (!done) this.showFeeds(event, routingKey);
    const targets = this.subscriptions.filter((s) => s.bindings.some((b) => matchesBinding(b, routingKey)) && !done?.has(s.consumer));
    const outcomes = await Promise.all(targets.map((subscription) => this.deliver(subscription, event)));
    const failures = outcomes.flatMap((error, i) => (error === undefined ? [] : [{ consumer: targets[i]!.consumer, error }]));
    if (failures.length === 0) {
      this.handled.delete(event.id);
      return;
    }
    const handledNow = done ?? new Set<string>();
    for (const [i, subscription] of targets.entries()) if (outcomes[i] === undefined) handledNow.add(subscription.consumer);
    this.handled.set(event.id, handledNow);
    throw new EventDeliveryError(event.id, failures);
  }

  async subscribe(consumer: string, bindings: readonly string[], handler: EventHandler): Promise<void> {
    this.subscriptions.push({ consumer, bindings, handler });
  }

  async follow(bindings: string[], handler: FeedHandler): Promise<StopFollowing> {
    const feed: Feed = { bindings: [...bindings], handler };
    this.feeds.push(feed);
    return async () => {
      const at = this.feeds.indexOf(feed);
      if (at >= 0) this.feeds.splice(at, 1);
    };
  }

  async close(): Promise<void> {
    this.subscriptions.length = 0;
    this.feeds.length = 0;
  }

  private showFeeds(event: EventEnvelope, routingKey: string): void {
    for (const feed of this.feeds) {
      if (!feed.bindings.some((b) => matchesBinding(b, routingKey))) continue;
      const failed = (error: unknown) => this.log.warn({ err: error, eventId: event.id, type: event.type }, 'event feed handler failed; event skipped');
      try {
        void Promise.resolve(feed.handler(event)).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }

  /** Resolves undefined once handled, or the last error after `maxAttempts` failures. */
  private async deliver(subscription: Subscription, event: EventEnvelope): Promise<string | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await subscription.handler(event);
        return undefined;
      } catch (error) {
        if (attempt >= this.maxAttempts) {
          this.log.error({ err: error, consumer: subscription.consumer, eventId: event.id, type: event.type, attempts: attempt }, 'event dead-lettered');
          return truncate(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
      }
    }
  }
}

function truncate(text: string, max = 1_000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
