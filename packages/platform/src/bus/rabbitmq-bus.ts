import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type GetMessage, type Options } from 'amqplib';
import type { Logger } from 'pino';
import { eventExchange, routingKeys, type EventEnvelope } from '@dema/contracts';
import type { EventBus, EventHandler, FeedHandler, StopFollowing, SubscribeOptions } from './bus.ts';
import type { DeadLetter, DeadLetterSource } from './dead-letters.ts';
import { isAmqpRefusal } from '../startup-errors.ts';

/** The direct exchange that carries each consumer's given-up messages to `dema.<consumer>.dead`. */
export const deadLetterExchange = 'dema.dead';

/** Header counting the deliveries a message has had so far (absent on the first). */
export const attemptsHeader = 'x-dema-attempts';
/** Header with the last handler error, on messages in a dead-letter queue. */
export const errorHeader = 'x-dema-error';

export interface RabbitMqBusOptions {
  /** Deliveries per message before it goes to `dema.<consumer>.dead` (default 5). */
  maxAttempts?: number;
  /**
   * Pause before a failed message is delivered again (default 1000 ms). It is the retry queue's
   * `x-message-ttl`: changing it for an existing consumer needs its `.retry` queue deleted first.
   */
  retryDelayMs?: number;
  /** Unacknowledged messages a consumer may hold, i.e. handlers running at once (default 32). */
  prefetch?: number;
  /** How long `publish` waits for the broker's confirm before rejecting (default 2000 ms). */
  publishTimeoutMs?: number;
  /** Connection name shown in the RabbitMQ management UI (default `dema`). */
  connectionName?: string;
  /**
   * Prefix for every exchange and queue name (default none), so that separate environments (test
   * runs) can share one broker without seeing each other's events: `t1.` gives `t1.dema.events`.
   */
  namespace?: string;
  /**
   * Delete this bus's queues after they have gone unused this long, and its exchanges with their
   * last binding (default: keep them). For throw-away environments such as a test run's namespace.
   */
  expiresMs?: number;
  /**
   * `quorum` declares each consumer's queues as quorum queues (replicated across a RabbitMQ
   * cluster's nodes, the default of production settings); `classic` (default) as classic ones. A
   * queue's type is fixed when it is created: switching an existing install means draining and
   * deleting its `dema.*` queues first (docs/operations.md says how).
   */
  queueType?: QueueType;
  /**
   * Consumers whose queues (with their retry and dead-letter queues) and bindings this bus declares
   * on every connect, subscribed here or not (default none; the platform passes the contracts'
   * `eventConsumers`): events for a consumer whose process has not started yet wait in its queue.
   */
  consumers?: Readonly<Record<string, readonly string[]>>;
}

export type QueueType = 'classic' | 'quorum';

interface Subscription {
  consumer: string;
  bindings: string[];
  handler: EventHandler;
  prefetch: number;
  /** The channel consuming now; undefined while disconnected. */
  channel?: ConfirmChannel;
  consumerTag?: string;
}

/** A live feed of this process (`follow`): consumed from a queue the broker names, owned by the connection. */
interface Feed {
  bindings: string[];
  handler: FeedHandler;
  channel?: ConfirmChannel;
  consumerTag?: string;
}

const reconnectInitialMs = 500;
const reconnectMaxMs = 5_000;
const connectTimeoutMs = 2_000;
const heartbeatSeconds = 10;
/** How long `close` lets running handlers finish (and ack) before closing their channels. */
const closeGraceMs = 5_000;
const consumerName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Headers the broker adds when dead-lettering; dropped when a message is sent on again by hand. */
const brokerHeaders = [
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
];

/**
 * The event bus over RabbitMQ.
 *
 * Promises:
 * - `publish` resolves only once the broker confirmed the event (publisher confirms), as a
 *   persistent message on the durable topic exchange `dema.events`, with `messageId` = event id and
 *   `type` = event type. It rejects, within `publishTimeoutMs` at most and at once while
 *   disconnected, when the broker is unreachable, nacks or does not answer: the outbox keeps the
 *   event and publishes it again later. An event whose routing key no queue is bound to is accepted
 *   and dropped by the broker (plain AMQP): consumers' queues exist from their first `subscribe`,
 *   or from the connect of any bus that declares them (`consumers`).
 * - Delivery is AT-LEAST-ONCE: a consumer's durable queue `dema.<consumer>` keeps events while it is
 *   away; a message is acked only after its handler resolved, so a crash or lost connection
 *   mid-handling delivers it again, and a publish retried after a lost confirm arrives twice.
 *   Consumers MUST de-duplicate by event id (`processed_events`).
 * - A handler that throws is retried: the message is re-sent through `dema.<consumer>.retry`, whose
 *   TTL (`retryDelayMs`) dead-letters it back to the consumer's queue, counting deliveries in
 *   `x-dema-attempts`. After `maxAttempts` it is sent through `dema.dead` to `dema.<consumer>.dead`
 *   with the last error in `x-dema-error`, body and properties intact. The original is acked only
 *   after the broker confirmed the copy, so a message ends up handled or dead-lettered, never lost.
 *   Retries go to the failing consumer alone, and order is not kept across a retry.
 * - It heals: `connect` does not fail when the broker is down, and a lost connection is redialled
 *   with backoff (0.5 s doubling to 5 s), re-declaring the topology, consumers and feeds.
 * - A feed (`follow`) is a server-named, exclusive, auto-delete queue of this connection bound to
 *   the event exchange, consumed without acks: every process following gets its own copy of each
 *   event. Best effort by design: the queue dies with the connection, so events published while
 *   this process is disconnected are missed (a new queue is declared and bound on reconnect), and a
 *   handler's failure is logged, not retried. Nothing is dead-lettered from a feed.
 * - As a `DeadLetterSource`, it shows the dead-letter queues of the consumers subscribed through it
 *   (metrics and admin) and moves their messages back to the consumer's queue on a retry.
 */
export class RabbitMqBus implements EventBus, DeadLetterSource {
  readonly name = 'rabbitmq';
  private readonly maxAttempts: number;
  private readonly queueType: QueueType;
  private readonly retryDelayMs: number;
  private readonly prefetch: number;
  private readonly publishTimeoutMs: number;
  private readonly connectionName: string;
  private readonly eventExchange: string;
  private readonly deadLetterExchange: string;
  private readonly queuePrefix: string;
  private readonly queueExpiry: { expires?: number };
  private readonly exchangeOptions: { durable: boolean; autoDelete: boolean };
  private readonly declaredConsumers: Readonly<Record<string, readonly string[]>>;
  private readonly subscriptions: Subscription[] = [];
  private readonly feeds: Feed[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private connection: ChannelModel | undefined;
  /** Settles when `connection` is gone: amqplib never settles a close that the connection's loss overtakes. */
  private lost: Promise<void> = Promise.resolve();
  private publisher: ConfirmChannel | undefined;
  /** The connection is up and its publisher and consumers are set up. */
  private ready = false;
  private blocked = false;
  private everConnected = false;
  private closing = false;
  private dialing: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = reconnectInitialMs;
  /** Set while `open` dials: a refused login then fails the open instead of being retried. */
  private opening = false;
  private refusal: unknown;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    options: RabbitMqBusOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.queueType = options.queueType ?? 'classic';
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 1_000);
    this.prefetch = Math.max(1, options.prefetch ?? 32);
    this.publishTimeoutMs = options.publishTimeoutMs ?? 2_000;
    this.connectionName = options.connectionName ?? 'dema';
    const namespace = options.namespace ?? '';
    this.eventExchange = `${namespace}${eventExchange}`;
    this.deadLetterExchange = `${namespace}${deadLetterExchange}`;
    this.queuePrefix = `${namespace}dema.`;
    this.queueExpiry = options.expiresMs ? { expires: options.expiresMs } : {};
    this.exchangeOptions = { durable: true, autoDelete: options.expiresMs !== undefined };
    this.declaredConsumers = options.consumers ?? {};
  }

  /** The durable queue of `consumer`; its retry and dead-letter queues add `.retry` and `.dead`. */
  queueOf(consumer: string): string {
    return `${this.queuePrefix}${consumer}`;
  }

  /**
   * Creates the bus and connects it; resolves even when the broker is down (the bus heals), but
   * rejects when the broker refuses the URL's login or virtual host, which no retry mends.
   */
  static async open(url: string, log: Logger, options?: RabbitMqBusOptions): Promise<RabbitMqBus> {
    const bus = new RabbitMqBus(url, log, options);
    bus.opening = true;
    await bus.connect();
    bus.opening = false;
    if (bus.refusal) {
      await bus.close();
      throw bus.refusal;
    }
    return bus;
  }

  /** Whether the bus is connected with its consumers running (for readiness checks). */
  get isReady(): boolean {
    return this.ready;
  }

  /** Dials the broker once; on failure logs, keeps retrying in the background and resolves anyway. */
  connect(): Promise<void> {
    this.dialing ??= this.dial().finally(() => {
      this.dialing = undefined;
    });
    return this.dialing;
  }

  async publish(event: EventEnvelope, routingKey: string): Promise<void> {
    const channel = this.publisher;
    if (this.closing) throw new Error('event bus is closed');
    if (!this.ready || !channel) throw new Error('RabbitMQ is not connected');
    if (this.blocked) throw new Error('RabbitMQ is blocking publishers (resource alarm)');
    const content = Buffer.from(JSON.stringify(event));
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => finish(new Error(`RabbitMQ did not confirm event ${event.id} within ${this.publishTimeoutMs} ms`)), this.publishTimeoutMs);
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error instanceof Error ? error : new Error(`RabbitMQ refused event ${event.id}: ${String(error)}`));
        else resolve();
      };
      try {
        channel.publish(
          this.eventExchange,
          routingKey,
          content,
          {
            persistent: true,
            deliveryMode: 2,
            contentType: 'application/json',
            messageId: event.id,
            type: event.type,
            timestamp: Math.floor(Date.now() / 1000),
          },
          (error) => finish(error ?? undefined),
        );
      } catch (error) {
        // The channel closed under us (amqplib throws IllegalOperationError).
        finish(error);
      }
    });
  }

  async subscribe(consumer: string, bindings: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    if (this.closing) throw new Error('event bus is closed');
    if (!consumerName.test(consumer)) throw new Error(`invalid consumer name: ${consumer}`);
    if (this.subscriptions.some((s) => s.consumer === consumer)) throw new Error(`consumer ${consumer} is already subscribed`);
    const subscription: Subscription = { consumer, bindings: [...bindings], handler, prefetch: Math.max(1, options.prefetch ?? this.prefetch) };
    this.subscriptions.push(subscription);
    const connection = this.connection;
    // Not connected (or still setting up, which picks this subscription up): done on connect.
    if (!this.ready || !connection) return;
    try {
      await this.startConsumer(connection, subscription);
    } catch (error) {
      if (this.connection === connection && !this.closing) {
        // A refusal with the connection up (say, a queue declared with other arguments): the caller's.
        this.subscriptions.splice(this.subscriptions.indexOf(subscription), 1);
        throw error;
      }
      // The connection went away meanwhile: the reconnect sets the consumer up.
    }
  }

  async follow(bindings: string[], handler: FeedHandler): Promise<StopFollowing> {
    if (this.closing) throw new Error('event bus is closed');
    const feed: Feed = { bindings: [...bindings], handler };
    this.feeds.push(feed);
    const stop = async () => {
      const at = this.feeds.indexOf(feed);
      if (at < 0) return;
      this.feeds.splice(at, 1);
      const channel = feed.channel;
      feed.channel = undefined;
      feed.consumerTag = undefined;
      // No longer current, so its close does not restart the connection; the queue goes with it.
      if (channel) await this.quietly(channel.close());
    };
    const connection = this.connection;
    // Not connected (or still setting up, which picks this feed up): started on connect.
    if (!this.ready || !connection) return stop;
    try {
      await this.startFeed(connection, feed);
    } catch (error) {
      if (this.connection === connection && !this.closing) {
        this.feeds.splice(this.feeds.indexOf(feed), 1);
        throw error;
      }
      // The connection went away meanwhile: the reconnect starts the feed.
    }
    return stop;
  }

  /** Cancels consumers, lets running handlers finish (briefly), closes channels, then the connection. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    await this.dialing;
    const connection = this.connection;
    this.ready = false;
    for (const subscription of this.subscriptions) {
      if (subscription.channel && subscription.consumerTag) await this.quietly(subscription.channel.cancel(subscription.consumerTag));
    }
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, closeGraceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const subscription of this.subscriptions) {
      if (subscription.channel) await this.quietly(subscription.channel.close());
      subscription.channel = undefined;
      subscription.consumerTag = undefined;
    }
    // Their channels and queues end with the connection.
    for (const feed of this.feeds.splice(0)) feed.channel = undefined;
    if (this.publisher) await this.quietly(this.publisher.close());
    this.publisher = undefined;
    this.connection = undefined;
    if (connection) await this.quietly(connection.close());
    this.subscriptions.length = 0;
  }

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const found: DeadLetter[] = [];
    for (const subscription of [...this.subscriptions]) {
      if (found.length >= limit) break;
      // Taken without ack and given back when the channel closes: a look, not a move.
      await this.withChannel(async (channel) => {
        const queue = `${this.queueOf(subscription.consumer)}.dead`;
        for (let message = await channel.get(queue, { noAck: false }); message && found.length < limit; message = await channel.get(queue, { noAck: false })) {
          found.push(toDeadLetter(subscription.consumer, message));
        }
      });
    }
    return found;
  }

  async countDeadLetters(): Promise<number> {
    let total = 0;
    for (const subscription of [...this.subscriptions]) {
      await this.withChannel(async (channel) => {
        total += (await channel.checkQueue(`${this.queueOf(subscription.consumer)}.dead`)).messageCount;
      });
    }
    return total;
  }

  async retryDeadLetters(ids?: string[]): Promise<number> {
    const wanted = ids && new Set(ids.map((id) => id.toLowerCase()));
    let retried = 0;
    for (const subscription of [...this.subscriptions]) {
      await this.withChannel(async (channel) => {
        const queue = this.queueOf(subscription.consumer);
        const { messageCount } = await channel.checkQueue(`${queue}.dead`);
        // At most what was there: a message that dies again meanwhile waits for the next retry.
        for (let i = 0; i < messageCount; i += 1) {
          const message = await channel.get(`${queue}.dead`, { noAck: false });
          if (!message) break;
          const id = (message.properties.messageId ?? parseEnvelope(message.content)?.id ?? '').toLowerCase();
          if (wanted && !wanted.has(id)) continue; // given back when the channel closes
          const headers = { ...(message.properties.headers ?? {}) };
          for (const name of [...brokerHeaders, attemptsHeader, errorHeader]) delete headers[name];
          await new Promise<void>((resolve, reject) =>
            channel.sendToQueue(queue, message.content, { ...message.properties, headers, persistent: true, deliveryMode: 2 }, (error) =>
              error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
            ),
          );
          // Acked once the broker holds the copy in the consumer's queue: moved, never lost.
          channel.ack(message);
          retried += 1;
        }
      });
    }
    return retried;
  }

  /** Waits for a close or cancel until it settles or the connection is gone, whichever comes first. */
  private async quietly(operation: Promise<unknown>): Promise<void> {
    await Promise.race([operation.catch(() => undefined), this.lost]);
  }

  /** A confirm channel of its own for `work`, closed after (unacked messages go back to their queue). */
  private async withChannel(work: (channel: ConfirmChannel) => Promise<void>): Promise<void> {
    const connection = this.connection;
    if (!this.ready || !connection) throw new Error('RabbitMQ is not connected');
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => this.log.debug({ err: error }, 'RabbitMQ dead-letter channel error'));
    try {
      await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private async dial(): Promise<void> {
    if (this.closing || this.connection) return;
    let connection: ChannelModel;
    try {
      connection = await connect(withHeartbeat(this.url), {
        timeout: connectTimeoutMs,
        clientProperties: { connection_name: this.connectionName },
      });
    } catch (error) {
      if (this.opening && isAmqpRefusal(error)) {
        this.refusal = error;
        return;
      }
      // Said once per outage; the attempts after that only at debug level.
      const first = this.reconnectDelayMs === reconnectInitialMs;
      this.log[first ? 'warn' : 'debug']({ err: error, retryInMs: this.reconnectDelayMs }, 'RabbitMQ unreachable; retrying');
      this.scheduleReconnect();
      return;
    }
    if (this.closing) {
      await connection.close().catch(() => undefined);
      return;
    }
    connection.on('error', (error: Error) => this.log.debug({ err: error }, 'RabbitMQ connection error'));
    connection.on('close', (error?: Error) => this.onConnectionClosed(connection, error));
    connection.on('blocked', (reason: string) => {
      this.blocked = true;
      this.log.warn({ reason }, 'RabbitMQ blocked publishers');
    });
    connection.on('unblocked', () => {
      this.blocked = false;
      this.log.info('RabbitMQ unblocked publishers');
    });
    this.connection = connection;
    this.lost = new Promise((resolve) => connection.once('close', () => resolve()));
    this.blocked = false;
    try {
      const publisher = await this.openChannel(connection, 'publisher', (channel) => this.publisher === channel);
      await publisher.assertExchange(this.eventExchange, 'topic', this.exchangeOptions);
      await publisher.assertExchange(this.deadLetterExchange, 'direct', this.exchangeOptions);
      for (const [consumer, bindings] of Object.entries(this.declaredConsumers)) await this.declareConsumer(publisher, consumer, bindings);
      // Subscriptions added meanwhile are appended to the array and picked up by this loop.
      for (const subscription of this.subscriptions) await this.startConsumer(connection, subscription);
      // Until none is left unstarted: feeds followed meanwhile are picked up, and one stopped
      // meanwhile (taken out of the array) makes no other one skipped.
      for (let feed = this.feeds.find((f) => !f.channel); feed; feed = this.feeds.find((f) => !f.channel)) await this.startFeed(connection, feed);
      this.publisher = publisher;
    } catch (error) {
      if (this.connection === connection) {
        this.log.warn({ err: error }, 'RabbitMQ set-up failed; reconnecting');
        await connection.close().catch(() => undefined);
        // A connection that was already gone closed by itself (and scheduled the reconnect).
      }
      return;
    }
    this.ready = true;
    this.reconnectDelayMs = reconnectInitialMs;
    this.log.info(
      { reconnect: this.everConnected, consumers: this.subscriptions.map((s) => s.consumer), feeds: this.feeds.length },
      this.everConnected ? 'RabbitMQ reconnected' : 'RabbitMQ connected',
    );
    this.everConnected = true;
  }

  private onConnectionClosed(connection: ChannelModel, error: Error | undefined): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.publisher = undefined;
    this.ready = false;
    for (const subscription of this.subscriptions) {
      subscription.channel = undefined;
      subscription.consumerTag = undefined;
    }
    for (const feed of this.feeds) {
      feed.channel = undefined;
      feed.consumerTag = undefined;
    }
    if (this.closing) return;
    this.log.warn({ err: error, retryInMs: this.reconnectDelayMs }, 'RabbitMQ connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    clearTimeout(this.reconnectTimer);
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, reconnectMaxMs);
    // A dial still finishing (its set-up failing) is waited for, so that this retry is not lost in it.
    this.reconnectTimer = setTimeout(() => void (this.dialing ?? Promise.resolve()).then(() => this.connect()), delayMs);
    this.reconnectTimer.unref();
  }

  /**
   * A confirm channel whose unexpected close (a channel error while the connection lives) restarts
   * the whole connection, so that topology and consumers are set up again in one place.
   */
  private async openChannel(connection: ChannelModel, role: string, isCurrent: (channel: ConfirmChannel) => boolean): Promise<ConfirmChannel> {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => this.log.warn({ err: error, channel: role }, 'RabbitMQ channel error'));
    channel.on('close', () => {
      // The connection closes its channels before it emits its own close: look once that is done.
      setImmediate(() => {
        if (this.closing || this.connection !== connection || !isCurrent(channel)) return;
        this.log.warn({ channel: role }, 'RabbitMQ channel closed; restarting the connection');
        connection.close().catch(() => undefined);
      });
    });
    return channel;
  }

  private async startConsumer(connection: ChannelModel, subscription: Subscription): Promise<void> {
    if (subscription.channel) return;
    const { consumer } = subscription;
    const queue = this.queueOf(consumer);
    const channel = await this.openChannel(connection, consumer, (channel) => subscription.channel === channel);
    try {
      await channel.assertExchange(this.eventExchange, 'topic', this.exchangeOptions);
      await channel.assertExchange(this.deadLetterExchange, 'direct', this.exchangeOptions);
      await this.declareConsumer(channel, consumer, subscription.bindings);
      await channel.prefetch(subscription.prefetch);
      const { consumerTag } = await channel.consume(queue, (message) => this.onMessage(subscription, channel, message), { noAck: false });
      subscription.channel = channel;
      subscription.consumerTag = consumerTag;
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  /** The queue of `consumer`, its retry and dead-letter queues, and the queue's `bindings`. */
  private async declareConsumer(channel: ConfirmChannel, consumer: string, bindings: readonly string[]): Promise<void> {
    const queue = this.queueOf(consumer);
    await channel.assertQueue(queue, {
      durable: true,
      ...this.queueExpiry,
      // A safety net: anything rejected without requeue lands in the dead-letter queue too.
      deadLetterExchange: this.deadLetterExchange,
      deadLetterRoutingKey: queue,
      ...this.queueArguments(true),
    });
    await channel.assertQueue(`${queue}.retry`, {
      durable: true,
      ...this.queueExpiry,
      messageTtl: this.retryDelayMs,
      deadLetterExchange: '',
      deadLetterRoutingKey: queue,
      ...this.queueArguments(false),
    });
    await channel.assertQueue(`${queue}.dead`, { durable: true, ...this.queueExpiry, ...this.queueArguments(false) });
    await channel.bindQueue(`${queue}.dead`, this.deadLetterExchange, queue);
    for (const pattern of bindings) await channel.bindQueue(queue, this.eventExchange, pattern);
  }

  /**
   * What a quorum queue adds. The consumer's own queue also counts deliveries in the broker
   * (`x-delivery-limit`): a message whose handler crashes the process every time is redelivered
   * after each crash without the bus ever counting an attempt, and the broker dead-letters it after
   * `maxAttempts` of those instead of forever. Dead-lettering is at-least-once (the broker keeps
   * the message until the dead-letter queue confirmed it), which needs `reject-publish` overflow.
   */
  private queueArguments(consumerQueue: boolean): Options.AssertQueue {
    if (this.queueType === 'classic') return {};
    return {
      arguments: {
        'x-queue-type': 'quorum',
        ...(consumerQueue ? { 'x-delivery-limit': this.maxAttempts, 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' } : {}),
      },
    };
  }

  private async startFeed(connection: ChannelModel, feed: Feed): Promise<void> {
    if (feed.channel) return;
    const channel = await this.openChannel(connection, 'feed', (channel) => feed.channel === channel);
    try {
      await channel.assertExchange(this.eventExchange, 'topic', this.exchangeOptions);
      // Server-named and the connection's own: deleted by the broker when the connection (or the
      // feed) ends, so a crashed process leaves nothing behind and nothing accumulates for it.
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      for (const pattern of feed.bindings) await channel.bindQueue(queue, this.eventExchange, pattern);
      const { consumerTag } = await channel.consume(queue, (message) => this.onFeedMessage(feed, channel, message), { noAck: true });
      if (!this.feeds.includes(feed)) {
        // Stopped while it was being set up.
        await channel.close().catch(() => undefined);
        return;
      }
      feed.channel = channel;
      feed.consumerTag = consumerTag;
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  private onFeedMessage(feed: Feed, channel: ConfirmChannel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (its queue was deleted): restarting the connection
      // declares a new one.
      if (this.closing || feed.channel !== channel) return;
      this.log.warn('RabbitMQ cancelled an event feed; re-declaring it');
      channel.close().catch(() => undefined);
      return;
    }
    // Stopped: what was still on its way is not shown.
    if (!this.feeds.includes(feed)) return;
    const event = parseEnvelope(message.content);
    if (!event) {
      this.log.warn({ messageId: message.properties.messageId }, 'malformed event skipped by an event feed');
      return;
    }
    const failed = (error: unknown) => this.log.warn({ err: error, eventId: event.id, type: event.type }, 'event feed handler failed; event skipped');
    try {
      void Promise.resolve(feed.handler(event)).catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  private onMessage(subscription: Subscription, channel: ConfirmChannel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (its queue was deleted): start over, which re-declares it.
      if (this.closing || subscription.channel !== channel) return;
      this.log.warn({ consumer: subscription.consumer }, 'RabbitMQ cancelled the consumer; re-subscribing');
      channel.close().catch(() => undefined);
      return;
    }
    const running = this.handle(subscription, channel, message).catch((error: unknown) => {
      this.log.error({ err: error, consumer: subscription.consumer }, 'event handling failed unexpectedly; the message will be redelivered');
    });
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  private async handle(subscription: Subscription, channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const { consumer } = subscription;
    const queue = this.queueOf(consumer);
    const previous = Number(message.properties.headers?.[attemptsHeader] ?? 0);
    const attempt = (Number.isFinite(previous) && previous > 0 ? Math.floor(previous) : 0) + 1;
    const event = parseEnvelope(message.content);
    if (!event) {
      // It can never succeed: straight to the dead-letter queue.
      this.log.error({ consumer, messageId: message.properties.messageId }, 'malformed event dead-lettered');
      await this.forward(channel, message, this.deadLetterExchange, queue, { [attemptsHeader]: attempt, [errorHeader]: 'malformed event envelope' });
      return;
    }
    try {
      await subscription.handler(event);
    } catch (error) {
      const reason = truncate(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      if (attempt >= this.maxAttempts) {
        this.log.error({ err: error, consumer, eventId: event.id, type: event.type, attempts: attempt }, 'event dead-lettered');
        await this.forward(channel, message, this.deadLetterExchange, queue, { [attemptsHeader]: attempt, [errorHeader]: reason });
      } else {
        this.log.warn(
          { err: error, consumer, eventId: event.id, type: event.type, attempt, maxAttempts: this.maxAttempts },
          'event handler failed; will retry',
        );
        await this.forward(channel, message, '', `${queue}.retry`, { [attemptsHeader]: attempt });
      }
      return;
    }
    ack(channel, message);
  }

  /**
   * Sends a copy of `message` on (to the retry queue or the dead-letter exchange) and acks the
   * original only once the broker confirmed the copy. If the copy is refused the original stays
   * unacked: redelivered when its channel closes, or requeued here after a pause.
   */
  private async forward(
    channel: ConfirmChannel,
    message: ConsumeMessage,
    exchange: string,
    routingKey: string,
    headers: Record<string, unknown>,
  ): Promise<void> {
    const kept = { ...(message.properties.headers ?? {}) };
    for (const name of brokerHeaders) delete kept[name];
    const p = message.properties;
    const options: Options.Publish = {
      persistent: true,
      deliveryMode: 2,
      headers: { ...kept, ...headers },
      ...(p.contentType !== undefined && { contentType: p.contentType }),
      ...(p.contentEncoding !== undefined && { contentEncoding: p.contentEncoding }),
      ...(p.messageId !== undefined && { messageId: p.messageId }),
      ...(p.type !== undefined && { type: p.type }),
      ...(p.timestamp !== undefined && { timestamp: p.timestamp }),
      ...(p.correlationId !== undefined && { correlationId: p.correlationId }),
      ...(p.appId !== undefined && { appId: p.appId }),
    };
    try {
      await new Promise<void>((resolve, reject) => {
        try {
          channel.publish(exchange, routingKey, message.content, options, (error) =>
            error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
          );
        } catch (error) {
          reject(error);
        }
      });
    } catch (error) {
      this.log.warn({ err: error, exchange, routingKey, messageId: p.messageId }, 'could not move a failed event on; it stays queued');
      // A pause, so that a broker refusing copies is not hammered; then back to the queue.
      await new Promise((resolve) => setTimeout(resolve, Math.max(this.retryDelayMs, 100)));
      try {
        channel.nack(message, false, true);
      } catch {
        // The channel closed meanwhile: the broker requeues the message itself.
      }
      return;
    }
    ack(channel, message);
  }
}

function ack(channel: ConfirmChannel, message: ConsumeMessage): void {
  try {
    channel.ack(message);
  } catch {
    // The channel closed: the broker requeues the message and delivers it again (at-least-once).
  }
}

function toDeadLetter(consumer: string, message: GetMessage): DeadLetter {
  const event = parseEnvelope(message.content);
  const headers = message.properties.headers ?? {};
  const type = event?.type ?? String(message.properties.type ?? '');
  return {
    id: event?.id ?? String(message.properties.messageId ?? ''),
    type,
    routingKey: (routingKeys as Record<string, string>)[type] ?? '',
    source: `queue:${consumer}`,
    consumers: [consumer],
    error: String(headers[errorHeader] ?? ''),
    attempts: Number(headers[attemptsHeader] ?? 0) || 0,
    deadAt: null,
  };
}

function parseEnvelope(content: Buffer): EventEnvelope | undefined {
  try {
    const value = JSON.parse(content.toString('utf8')) as Partial<EventEnvelope> | null;
    if (!value || typeof value !== 'object' || typeof value.id !== 'string' || typeof value.type !== 'string') return undefined;
    return value as EventEnvelope;
  } catch {
    return undefined;
  }
}

function truncate(text: string, max = 1_000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Asks for heartbeats every few seconds (unless the URL says otherwise), so a dead peer is noticed. */
function withHeartbeat(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(heartbeatSeconds));
  return parsed.toString();
}
