import { orderStatuses, routingKeys, type OrderStatus, type OrderStatusChangedEvent } from '@dema/contracts';
import type { EventBus, Logger, StopFollowing } from '@dema/platform';

/** One status change of one order, as a subscriber sees it. */
export interface OrderStatusChange {
  orderId: string;
  status: OrderStatus;
  /** The status before; null when the event did not say. */
  previousStatus: OrderStatus | null;
  /** When the Order service made the change (ISO 8601). */
  changedAt: string;
  /** The event's id: the same change seen twice (a re-published event) has the same one. */
  eventId: string;
}

/** How many changes wait for a slow subscriber before the oldest is dropped (a live view, not a log). */
const backlogLimit = 100;
/** Event ids a watcher remembers to drop a change the bus delivered twice. */
const rememberedEvents = 32;

/**
 * The process's live feed of order status changes: it follows `ORDER_STATUS_CHANGED` on the bus once
 * (a per-process broadcast, so every gateway or all-in-one instance sees every change, whichever
 * instance the Order service published through) and hands each change to the watchers of that order.
 * Best effort, as the bus's feeds are: changes made while this process is cut off from the broker are
 * not replayed. Who may watch which order is not decided here (the subscription asks REST first).
 */
export class OrderStatusFeed {
  private readonly watchers = new Map<string, Set<WatchIterator>>();
  private following: Promise<StopFollowing> | undefined;

  constructor(
    private readonly bus: Pick<EventBus, 'follow'>,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** Follows the bus (once; later calls wait for the first). */
  start(): Promise<void> {
    this.following ??= this.bus.follow([routingKeys.ORDER_STATUS_CHANGED], (event) => this.dispatch(event as OrderStatusChangedEvent));
    return this.following.then(() => undefined);
  }

  /** Stops following; every watcher ends (its iterator completes). */
  async close(): Promise<void> {
    const following = this.following;
    this.following = undefined;
    for (const watcher of [...this.watchers.values()].flatMap((watchers) => [...watchers])) watcher.end();
    this.watchers.clear();
    if (following) await (await following)();
  }

  /** How many watchers there are now, across orders (for tests and metrics). */
  get size(): number {
    let count = 0;
    for (const watchers of this.watchers.values()) count += watchers.size;
    return count;
  }

  /**
   * The changes of `orderId` from now on, in the order they arrive, until the iterator's `return()`
   * (a client unsubscribing or disconnecting) or `close`. A subscriber that falls more than 100
   * changes behind loses the oldest.
   */
  watch(orderId: string): AsyncIterableIterator<OrderStatusChange> {
    const key = orderId.toLowerCase();
    const iterator = new WatchIterator(() => {
      const watchers = this.watchers.get(key);
      watchers?.delete(iterator);
      if (watchers?.size === 0) this.watchers.delete(key);
    });
    let watchers = this.watchers.get(key);
    if (!watchers) {
      watchers = new Set();
      this.watchers.set(key, watchers);
    }
    watchers.add(iterator);
    return iterator;
  }

  private dispatch(event: OrderStatusChangedEvent): void {
    const payload = event.payload;
    if (typeof payload?.orderId !== 'string' || !isStatus(payload.newStatus)) {
      this.log.warn({ eventId: event.id }, 'ORDER_STATUS_CHANGED without an order id or a known status; not shown to subscribers');
      return;
    }
    const watchers = this.watchers.get(payload.orderId.toLowerCase());
    if (!watchers) return;
    const change: OrderStatusChange = {
      orderId: payload.orderId,
      status: payload.newStatus,
      previousStatus: isStatus(payload.oldStatus) ? payload.oldStatus : null,
      changedAt: typeof payload.timestamp === 'string' ? payload.timestamp : new Date().toISOString(),
      eventId: event.id,
    };
    for (const watcher of watchers) watcher.push(change);
  }
}

function isStatus(value: unknown): value is OrderStatus {
  return (orderStatuses as readonly unknown[]).includes(value);
}

/** A queue a subscription reads: pushed by the feed, pulled by the GraphQL executor. */
class WatchIterator implements AsyncIterableIterator<OrderStatusChange> {
  private readonly queue: OrderStatusChange[] = [];
  private readonly seen: string[] = [];
  private waiting: ((result: IteratorResult<OrderStatusChange>) => void) | undefined;
  private done = false;

  constructor(private readonly onEnd: () => void) {}

  push(change: OrderStatusChange): void {
    if (this.done || this.seen.includes(change.eventId)) return;
    this.seen.push(change.eventId);
    if (this.seen.length > rememberedEvents) this.seen.shift();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: change, done: false });
      return;
    }
    this.queue.push(change);
    if (this.queue.length > backlogLimit) this.queue.shift();
  }

  next(): Promise<IteratorResult<OrderStatusChange>> {
    const next = this.queue.shift();
    if (next) return Promise.resolve({ value: next, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<OrderStatusChange>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the iteration: a pending `next` completes, queued changes are dropped. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.({ value: undefined, done: true });
    this.onEnd();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<OrderStatusChange> {
    return this;
  }
}
