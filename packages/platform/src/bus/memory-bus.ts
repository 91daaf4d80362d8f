import type { Logger } from 'pino';
import type { EventEnvelope } from '@dema/contracts';
import { matchesBinding, type EventBus, type EventHandler } from './bus.ts';

interface Subscription {
  consumer: string;
  bindings: string[];
  handler: EventHandler;
}

export interface DeadLetter {
  consumer: string;
  event: EventEnvelope;
  error: string;
}

/**
 * The embedded bus: the same contract as RabbitMQ inside one process. `publish` resolves only after
 * every bound consumer has handled the event (or dead-lettered it after `maxAttempts`), so the
 * outbox marks an event published only once its effects are done: a crash before that re-sends it.
 */
export class MemoryBus implements EventBus {
  private readonly subscriptions: Subscription[] = [];
  readonly deadLetters: DeadLetter[] = [];

  constructor(
    private readonly log: Logger,
    private readonly maxAttempts = 5,
    private readonly retryDelayMs = 50,
  ) {}

  async publish(event: EventEnvelope, routingKey: string): Promise<void> {
    const targets = this.subscriptions.filter((s) => s.bindings.some((b) => matchesBinding(b, routingKey)));
    await Promise.all(targets.map((subscription) => this.deliver(subscription, event)));
  }

  async subscribe(consumer: string, bindings: string[], handler: EventHandler): Promise<void> {
    this.subscriptions.push({ consumer, bindings, handler });
  }

  async close(): Promise<void> {
    this.subscriptions.length = 0;
  }

  private async deliver(subscription: Subscription, event: EventEnvelope): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await subscription.handler(event);
        return;
      } catch (error) {
        if (attempt >= this.maxAttempts) {
          this.deadLetters.push({ consumer: subscription.consumer, event, error: String(error) });
          this.log.error({ err: error, consumer: subscription.consumer, eventId: event.id, type: event.type }, 'event dead-lettered');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * attempt));
      }
    }
  }
}
