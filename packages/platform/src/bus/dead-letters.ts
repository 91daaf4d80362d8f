/** An event a consumer kept failing on, set aside until someone retries it. */
export interface DeadLetter {
  /** The event's id. */
  id: string;
  type: string;
  routingKey: string;
  /** Where it waits: `outbox:<service>` (embedded bus) or `queue:<consumer>` (RabbitMQ). */
  source: string;
  /** The consumers that failed on it, when known. */
  consumers: string[];
  /** The last handler error. */
  error: string;
  /** Deliveries it had before it was set aside. */
  attempts: number;
  /** When it was set aside (ISO 8601), when known. */
  deadAt: string | null;
}

/** A place dead letters wait in: a service's outbox, or RabbitMQ's dead-letter queues. */
export interface DeadLetterSource {
  readonly name: string;
  /** Dead letters, oldest first, at most `limit`. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  /** How many dead letters wait here (for the metrics). */
  countDeadLetters(): Promise<number>;
  /**
   * Puts dead letters (all, or those with an id in `ids`) back in line to be delivered again, to the
   * consumers that failed on them. Resolves how many it put back.
   */
  retryDeadLetters(ids?: string[]): Promise<number>;
}

/**
 * The process's dead-letter sources, so that the metrics and the admin see every one: the outbox
 * relays of the services it runs, and the RabbitMQ bus when there is one.
 */
export class DeadLetterRegistry {
  private readonly sources: DeadLetterSource[] = [];

  add(source: DeadLetterSource): void {
    if (!this.sources.includes(source)) this.sources.push(source);
  }

  get all(): readonly DeadLetterSource[] {
    return this.sources;
  }

  async list(limit: number): Promise<DeadLetter[]> {
    const lists = await Promise.all(this.sources.map((s) => s.deadLetters(limit)));
    return lists.flat().slice(0, limit);
  }

  async retry(ids?: string[]): Promise<number> {
    let retried = 0;
    for (const source of this.sources) retried += await source.retryDeadLetters(ids);
    return retried;
  }
}
