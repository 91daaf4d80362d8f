import type { EventEnvelope } from '@dema/contracts';

/** Handles one event. Throwing means "not done": the bus delivers it again, up to its limit. */
export type EventHandler = (event: EventEnvelope) => Promise<void>;

/**
 * Sees one event of a live feed (`EventBus.follow`). Nothing waits for it and nothing retries it:
 * a throw or rejection is logged and the event is gone for this handler.
 */
export type FeedHandler = (event: EventEnvelope) => void | Promise<void>;

/** Stops a feed: its handler sees no event after this resolves. */
export type StopFollowing = () => Promise<void>;

export interface SubscribeOptions {
  /**
   * Events handed to the handler before earlier ones are done (RabbitMQ: the channel's prefetch;
   * the bus's default otherwise). A consumer that handles events in batches needs as many in hand
   * as it wants in a batch.
   */
  prefetch?: number;
}

/**
 * Where outbox events go: the in-process bus when embedded, RabbitMQ in production. Delivery is
 * at-least-once; consumers de-duplicate by event id (see `processed_events`).
 */
export interface EventBus {
  /** Resolves once the bus has durably accepted the event (RabbitMQ: publisher confirm). */
  publish(event: EventEnvelope, routingKey: string): Promise<void>;
  /** Binds the named durable consumer to routing-key patterns (`*` one word, `#` any words). */
  subscribe(consumer: string, bindings: readonly string[], handler: EventHandler, options?: SubscribeOptions): Promise<void>;
  /**
   * A live feed of the events matching `bindings` for THIS process: every process that follows
   * sees every event (a broadcast), unlike `subscribe`, whose named consumer gets each event in one
   * of its instances. For live views (GraphQL subscriptions), never for effects that must happen:
   * delivery is BEST EFFORT, at most once per event and process — nothing is kept while the process
   * is away or disconnected from the broker (events of an outage are missed, not replayed), nothing
   * is retried or dead-lettered — and an event the outbox published twice arrives twice. Resolves
   * once the feed is in place (or, while the broker is unreachable, recorded to start on connect).
   */
  follow(bindings: string[], handler: FeedHandler): Promise<StopFollowing>;
  /**
   * False while the bus cannot take any event (RabbitMQ unreachable): the outbox relay then waits
   * for it instead of counting every pending event's attempt (and backing each off for minutes).
   */
  readonly isReady?: boolean;
  close(): Promise<void>;
}

/** Topic-exchange matching: words split on '.', `*` matches one word, `#` zero or more. */
export function matchesBinding(pattern: string, routingKey: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === '#') return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    if (k.length === 0) return false;
    return (head === '*' || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split('.'), routingKey.split('.'));
}
