import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { EventEnvelope } from '@dema/contracts';
import {
  EventDeliveryError,
  MemoryBus,
  Metrics,
  OutboxRelay,
  PostgresDb,
  appendToOutbox,
  createLogger,
  matchesBinding,
  platformMigrations,
  runMigrations,
  type Db,
  type EventBus,
} from '@dema/platform';
import { createDatabase, dbTargets, type DbTarget } from '@dema/platform/testing';
import { assertEachOnce, waitFor, sampleOrderCreated as orderCreated, sampleStockUpdated as stockUpdated } from '@dema/platform/testing';

const log = createLogger('silent');
const noPostgres = dbTargets.find((t) => t.name === 'postgres')!.skip;

/** A bus that records what it accepted; it refuses the first `failures` publishes, as a broker that is down would. */
class RecordingBus implements EventBus {
  readonly accepted: Array<{ event: EventEnvelope; routingKey: string }> = [];
  attempts = 0;

  constructor(
    private failures = 0,
    private readonly latencyMs = 0,
  ) {}

  async publish(event: EventEnvelope, routingKey: string): Promise<void> {
    this.attempts += 1;
    if (this.latencyMs > 0) await delay(this.latencyMs);
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('broker refused the event');
    }
    this.accepted.push({ event, routingKey });
  }

  async subscribe(): Promise<void> {}
  async follow(): Promise<() => Promise<void>> {
    return async () => undefined;
  }
  async close(): Promise<void> {}
}

async function pending(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
  return rows[0]!.n;
}

let schemas = 0;

for (const target of dbTargets) {
  describe(`outbox (${target.name})`, { skip: target.skip }, () => {
    let server: Awaited<ReturnType<DbTarget['open']>>;
    let db: Db;

    before(async () => {
      server = await target.open();
    });
    after(() => server?.close());

    // Each test gets its own service schema, as a fresh service would.
    beforeEach(async () => {
      schemas += 1;
      db = server.database(`svc_${schemas}`);
      await runMigrations(db, [platformMigrations]);
      await db.query('CREATE TABLE widgets (id INT PRIMARY KEY)');
    });

    test('an event appended in a transaction that throws is rolled back with the change', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO widgets (id) VALUES (1)');
          await appendToOutbox(tx, orderCreated(1));
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      const outbox = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
      const widgets = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM widgets');
      assert.equal(outbox.rows[0]!.n, 0);
      assert.equal(widgets.rows[0]!.n, 0);
      const bus = new RecordingBus();
      assert.equal(await new OutboxRelay(db, bus, log).drain(), 0);
      assert.equal(bus.attempts, 0);
    });

    test('a committed event is published exactly once to a MemoryBus subscriber, in the seed envelope', async () => {
      const event = orderCreated(1);
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO widgets (id) VALUES (1)');
        await appendToOutbox(tx, event);
      });
      const bus = new MemoryBus(log);
      const received: EventEnvelope[] = [];
      await bus.subscribe('analytics', ['order.#'], async (e) => {
        received.push(e);
      });
      const relay = new OutboxRelay(db, bus, log);
      assert.equal(await relay.drain(), 1);
      assert.equal(await relay.drain(), 0);
      assert.equal(received.length, 1);
      assert.deepEqual(received[0], { id: event.id, type: 'ORDER_CREATED', version: 1, payload: event.payload });
      assert.deepEqual(Object.keys(received[0]!).sort(), ['id', 'payload', 'type', 'version']);
      assert.equal(await pending(db), 0);
    });

    test('events go out on their routing keys, oldest first', async () => {
      const events = [orderCreated(1), stockUpdated(), orderCreated(2)];
      for (const event of events) await db.transaction((tx) => appendToOutbox(tx, event));
      const bus = new RecordingBus();
      assert.equal(await new OutboxRelay(db, bus, log).drain(), 3);
      assert.deepEqual(
        bus.accepted.map((a) => [a.event.id, a.routingKey]),
        [
          [events[0]!.id, 'order.created'],
          [events[1]!.id, 'system.stock.updated'],
          [events[2]!.id, 'order.created'],
        ],
      );
    });

    test('events the bus refused stay pending and go out on a later drain, none lost, none twice', async () => {
      const events = Array.from({ length: 5 }, (_, i) => orderCreated(i));
      await db.transaction(async (tx) => {
        for (const event of events) await appendToOutbox(tx, event);
      });
      const bus = new RecordingBus(3);
      const relay = new OutboxRelay(db, bus, log);

      const first = await relay.drain();
      assert.equal(first, 2);
      assert.equal(await pending(db), 3);
      const { rows } = await db.query<{ last_error: string | null }>('SELECT last_error FROM outbox WHERE published_at IS NULL');
      assert.ok(
        rows.every((row) => row.last_error?.includes('broker refused')),
        'the refusal is recorded',
      );

      // The claim was released, so the retry need not wait out the lease.
      assert.equal(await relay.drain(), 3);
      assert.equal(await relay.drain(), 0);
      assert.equal(await pending(db), 0);
      assertEachOnce(
        bus.accepted.map((a) => a.event.id),
        events.map((e) => e.id),
      );
      const cleared = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE last_error IS NOT NULL');
      assert.equal(cleared.rows[0]!.n, 0);
    });

    test('a started relay publishes a committed event once notified, and stop() ends it', async () => {
      const bus = new RecordingBus();
      const relay = new OutboxRelay(db, bus, log, undefined, { pollMs: 60_000 });
      relay.start();
      const event = orderCreated(1);
      await db.transaction((tx) => appendToOutbox(tx, event));
      relay.notify();
      await waitFor('the relay to publish', () => bus.accepted.length === 1, 5_000);
      await relay.stop();
      assert.equal(bus.accepted[0]!.event.id, event.id);
      assert.equal(await pending(db), 0, 'stop() waits for the batch to be marked published');

      // Stopped: a later event waits for the next drain (a notify would have run it within a tick).
      await db.transaction((tx) => appendToOutbox(tx, orderCreated(2)));
      relay.notify();
      await delay(50);
      assert.equal(await pending(db), 1);
      assert.equal(bus.accepted.length, 1);
    });

    test('events claimed by a relay that died mid-batch are published by another once the lease ends', async () => {
      const events = Array.from({ length: 3 }, (_, i) => orderCreated(i));
      await db.transaction(async (tx) => {
        for (const event of events) await appendToOutbox(tx, event);
      });
      // The first relay claims the batch, then its publish never returns: the process is gone.
      const dying: EventBus = {
        publish: () => new Promise<void>(() => undefined),
        subscribe: async () => undefined,
        follow: async () => async () => undefined,
        close: async () => undefined,
      };
      let claimed = false;
      const probe: EventBus = {
        ...dying,
        publish: (...args) => {
          claimed = true;
          return dying.publish(...args);
        },
      };
      void new OutboxRelay(db, probe, log, undefined, { claimSeconds: 1 }).drain();
      await waitFor('the first relay to claim the batch', () => claimed, 5_000);

      const bus = new RecordingBus();
      const survivor = new OutboxRelay(db, bus, log);
      assert.equal(await survivor.drain(), 0, 'the lease is still held');
      let published = 0;
      await waitFor(
        'the lease to run out',
        async () => {
          published += await survivor.drain();
          return published === 3;
        },
        5_000,
      );
      assertEachOnce(
        bus.accepted.map((a) => a.event.id),
        events.map((e) => e.id),
      );
    });

    test('a bus that refuses everything leaves every event pending without the drain throwing', async () => {
      await db.transaction(async (tx) => {
        for (let i = 0; i < 3; i += 1) await appendToOutbox(tx, orderCreated(i));
      });
      const bus = new RecordingBus(Number.POSITIVE_INFINITY);
      const relay = new OutboxRelay(db, bus, log);
      assert.equal(await relay.drain(), 0);
      assert.equal(await relay.drain(), 0);
      assert.equal(await pending(db), 3);
      assert.equal(bus.accepted.length, 0);
    });

    test('an event the bus keeps refusing backs off and does not hold back the events behind it', async () => {
      const poison = orderCreated(0);
      await db.transaction((tx) => appendToOutbox(tx, poison));
      const refusing: EventBus = {
        async publish(event) {
          if (event.id === poison.id) throw new Error('broker refused the event');
        },
        async subscribe() {},
        async follow() {
          return async () => undefined;
        },
        async close() {},
      };
      const relay = new OutboxRelay(db, refusing, log, undefined, { batchSize: 1 });
      for (let i = 0; i < 3; i += 1) await relay.drain();
      const later = orderCreated(1);
      await db.transaction((tx) => appendToOutbox(tx, later));
      // With a batch of one, the poison event would be claimed first forever without the back-off.
      assert.equal(await relay.drain(), 1);
      const { rows } = await db.query<{ id: string; published: boolean }>('SELECT id, published_at IS NOT NULL AS published FROM outbox ORDER BY seq');
      assert.deepEqual(rows, [
        { id: poison.id, published: false },
        { id: later.id, published: true },
      ]);
    });

    test('a consumer that fails a few times then succeeds gets the event exactly once, and it is published', async () => {
      const event = orderCreated(1);
      await db.transaction((tx) => appendToOutbox(tx, event));
      const bus = new MemoryBus(log, 5, 1);
      let failures = 3;
      const handled: string[] = [];
      await bus.subscribe('flaky', ['order.#'], async (e) => {
        if (failures-- > 0) throw new Error('not yet');
        handled.push(e.id);
      });
      const relay = new OutboxRelay(db, bus, log);
      assert.equal(await relay.drain(), 1);
      assert.deepEqual(handled, [event.id]);
      assert.equal(await pending(db), 0);
      assert.deepEqual(await relay.deadLetters(10), []);
    });

    test('an event a consumer keeps failing on stays in the outbox, dead-lettered: counted, listed, not published, not lost', async () => {
      const event = orderCreated(1);
      const behind = orderCreated(2);
      await db.transaction((tx) => appendToOutbox(tx, [event, behind]));
      const bus = new MemoryBus(log, 2, 1);
      const healthy: string[] = [];
      await bus.subscribe('broken', ['order.#'], async (e) => {
        if (e.id === event.id) throw new Error('handler is broken');
      });
      await bus.subscribe('healthy', ['order.#'], async (e) => void healthy.push(e.id));
      const metrics = new Metrics();
      const relay = new OutboxRelay(db, bus, log, metrics);
      metrics.trackDeadLetters(() => [relay]);
      await relay.drain();
      await relay.drain();

      const { rows } = await db.query<{ id: string; published: boolean; dead: boolean }>(
        'SELECT id, published_at IS NOT NULL AS published, dead_at IS NOT NULL AS dead FROM outbox ORDER BY seq',
      );
      assert.deepEqual(rows, [
        { id: event.id, published: false, dead: true },
        { id: behind.id, published: true, dead: false },
      ]);
      const dead = await relay.deadLetters(10);
      assert.deepEqual(
        dead.map((d) => [d.id, d.type, d.routingKey, d.source, d.consumers]),
        [[event.id, 'ORDER_CREATED', 'order.created', `outbox:${db.schema}`, ['broken']]],
      );
      assert.match(dead[0]!.error, /broken: Error: handler is broken/);
      assert.equal(await relay.countDeadLetters(), 1);
      const text = await metrics.registry.metrics();
      assert.match(text, new RegExp(`^events_dead_letters\\{source="outbox:${db.schema}"\\} 1$`, 'm'));
      assert.match(text, /^events_published_total\{type="ORDER_CREATED",outcome="dead_lettered"\} 1$/m);
      // The relay does not send it again by itself.
      assert.equal(await relay.drain(), 0);
      assert.deepEqual(healthy, [event.id, behind.id]);
    });

    test('retrying a dead letter delivers it once to the consumer that failed, and then it is published', async () => {
      const event = orderCreated(1);
      await db.transaction((tx) => appendToOutbox(tx, event));
      const bus = new MemoryBus(log, 2, 1);
      let broken = true;
      const seen: string[] = [];
      await bus.subscribe('fixed-later', ['order.#'], async () => {
        if (broken) throw new Error('not yet');
        seen.push('fixed-later');
      });
      await bus.subscribe('healthy', ['order.#'], async () => void seen.push('healthy'));
      const relay = new OutboxRelay(db, bus, log);
      await relay.drain();
      assert.equal(await relay.countDeadLetters(), 1);

      broken = false;
      assert.equal(await relay.retryDeadLetters([orderCreated(9).id]), 0);
      assert.equal(await relay.retryDeadLetters([event.id.toUpperCase()]), 1);
      assert.equal(await relay.drain(), 1);
      assert.deepEqual(seen, ['healthy', 'fixed-later']);
      assert.equal(await pending(db), 0);
      assert.equal(await relay.countDeadLetters(), 0);
      assert.equal(await relay.retryDeadLetters(), 0);
    });

    test('the sweep deletes published events past the retention, in batches; newer, pending and dead-lettered ones stay', async () => {
      const events = Array.from({ length: 1203 }, (_, i) => orderCreated(i));
      await db.transaction((tx) => appendToOutbox(tx, events));
      const relay = new OutboxRelay(db, new RecordingBus(), log, undefined, { batchSize: 2000, retainPublishedMs: 3_600_000 });
      assert.equal(await relay.drain(), 1203);
      // 1,200 published two hours ago (more than two batches of the sweep), one published a minute
      // ago, one still pending and one dead-lettered, both as old as the swept ones.
      await db.query(
        `UPDATE outbox SET created_at = now() - interval '2 hours 1 second', published_at = now() - interval '2 hours' WHERE seq <= (SELECT min(seq) + 1199 FROM outbox)`,
      );
      await db.query(`UPDATE outbox SET published_at = now() - interval '1 minute' WHERE id = $1`, [events[1200]!.id]);
      await db.query(`UPDATE outbox SET published_at = NULL, created_at = now() - interval '3 hours' WHERE id = $1`, [events[1201]!.id]);
      await db.query(`UPDATE outbox SET published_at = NULL, dead_at = now() - interval '2 hours', claimed_until = NULL WHERE id = $1`, [events[1202]!.id]);
      assert.equal(await relay.prunePublished(), 1200);
      const { rows } = await db.query<{ id: string }>('SELECT id FROM outbox ORDER BY seq');
      assert.deepEqual(
        rows.map((r) => r.id),
        [events[1200]!.id, events[1201]!.id, events[1202]!.id],
      );
      assert.equal(await relay.prunePublished(), 0);
    });

    test('the sweep forgets the ids of the events handled before the retention, in batches; newer ones stay', async () => {
      const relay = new OutboxRelay(db, new RecordingBus(), log, undefined, { retainPublishedMs: 3_600_000 });
      const old = Array.from({ length: 1001 }, () => randomUUID());
      const recent = randomUUID();
      await db.query(
        `INSERT INTO processed_events (consumer, event_id, processed_at)
         SELECT c, id, now() - interval '2 hours' FROM unnest($1::uuid[]) AS id, unnest(ARRAY['analytics', 'audit']) AS c`,
        [old],
      );
      await db.query(`INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ('analytics', $1, now() - interval '59 minutes')`, [recent]);
      assert.equal(await relay.pruneProcessed(), 2002);
      const { rows } = await db.query<{ consumer: string; event_id: string }>('SELECT consumer, event_id FROM processed_events');
      assert.deepEqual(rows, [{ consumer: 'analytics', event_id: recent }]);
      assert.equal(await relay.pruneProcessed(), 0);
    });
  });
}

describe('outbox (postgres): several relays', { skip: noPostgres }, () => {
  let url: string;
  let drop: () => Promise<void>;
  const dbs: PostgresDb[] = [];

  before(async () => {
    ({ url, drop } = await createDatabase());
  });
  after(async () => {
    for (const db of dbs) await db.close();
    await drop();
  });

  test('two relays draining one outbox concurrently publish each of 200 events exactly once in total', async () => {
    const first = new PostgresDb(url, 'svc', 5);
    const second = new PostgresDb(url, 'svc', 5);
    dbs.push(first, second);
    await Promise.all([runMigrations(first, [platformMigrations]), runMigrations(second, [platformMigrations])]);
    const events = Array.from({ length: 200 }, (_, i) => orderCreated(i));
    await first.transaction(async (tx) => {
      for (const event of events) await appendToOutbox(tx, event);
    });

    // 5 ms a publish: one relay cannot drain all 200 before the other's first batch on a loaded machine.
    const busA = new RecordingBus(0, 5);
    const busB = new RecordingBus(0, 5);
    const relayA = new OutboxRelay(first, busA, log, undefined, { batchSize: 10 });
    const relayB = new OutboxRelay(second, busB, log, undefined, { batchSize: 10 });
    const [a, b] = await Promise.all([relayA.drain(), relayB.drain()]);

    assert.equal(a + b, 200);
    assert.ok(a > 0 && b > 0, `both relays took part (${a} and ${b})`);
    assertEachOnce(
      [...busA.accepted, ...busB.accepted].map((x) => x.event.id),
      events.map((e) => e.id),
    );
    assert.equal(await pending(first), 0);
  });
});

describe('MemoryBus', () => {
  test('matches routing keys with # as zero or more words', () => {
    assert.ok(matchesBinding('order.#', 'order.created'));
    assert.ok(matchesBinding('order.#', 'order.created.v2'));
    assert.ok(matchesBinding('order.#', 'order'));
    assert.ok(!matchesBinding('order.#', 'orders.created'));
    assert.ok(!matchesBinding('order.#', 'system.stock.updated'));
    assert.ok(matchesBinding('#', 'system.stock.updated'));
    assert.ok(matchesBinding('#.updated', 'system.stock.updated'));
  });

  test('matches routing keys with * as exactly one word', () => {
    assert.ok(matchesBinding('system.*.updated', 'system.stock.updated'));
    assert.ok(!matchesBinding('system.*.updated', 'system.updated'));
    assert.ok(!matchesBinding('system.*.updated', 'system.stock.level.updated'));
    assert.ok(!matchesBinding('system.*.updated', 'system.stock.created'));
  });

  test('matches an exact key only to itself', () => {
    assert.ok(matchesBinding('order.created', 'order.created'));
    assert.ok(!matchesBinding('order.created', 'order.created.v2'));
    assert.ok(!matchesBinding('order.created', 'order'));
    assert.ok(!matchesBinding('order.created', 'order.cancelled'));
  });

  test('delivers an event only to consumers bound to its routing key', async () => {
    const bus = new MemoryBus(log);
    const seen: string[] = [];
    await bus.subscribe('orders', ['order.#'], async () => void seen.push('orders'));
    await bus.subscribe('stock', ['system.*.updated'], async () => void seen.push('stock'));
    await bus.subscribe('both', ['order.created', 'system.#'], async () => void seen.push('both'));
    await bus.publish(stockUpdated(), 'system.stock.updated');
    assert.deepEqual(seen.sort(), ['both', 'stock']);
  });

  test('retries a failing handler and delivers once it succeeds', async () => {
    const bus = new MemoryBus(log, 5, 1);
    let calls = 0;
    await bus.subscribe('flaky', ['order.#'], async () => {
      calls += 1;
      if (calls < 3) throw new Error('not yet');
    });
    await bus.publish(orderCreated(1), 'order.created');
    assert.equal(calls, 3);
  });

  test('rejects the publish of an event a handler keeps throwing on after maxAttempts, naming the consumer', async () => {
    const bus = new MemoryBus(log, 3, 1);
    const event = orderCreated(1);
    let calls = 0;
    const healthy: string[] = [];
    await bus.subscribe('broken', ['order.#'], async () => {
      calls += 1;
      throw new Error('handler is broken');
    });
    await bus.subscribe('healthy', ['order.#'], async (e) => void healthy.push(e.id));
    await assert.rejects(bus.publish(event, 'order.created'), (error: unknown) => {
      assert.ok(error instanceof EventDeliveryError);
      assert.equal(error.eventId, event.id);
      assert.deepEqual(
        error.failures.map((f) => f.consumer),
        ['broken'],
      );
      assert.match(error.failures[0]!.error, /handler is broken/);
      return true;
    });
    assert.equal(calls, 3);
    assert.deepEqual(healthy, [event.id]);
  });

  test('publishing the event again delivers it only to the consumers that have not handled it', async () => {
    const bus = new MemoryBus(log, 1, 1);
    const event = orderCreated(1);
    let broken = true;
    const seen: string[] = [];
    await bus.subscribe('fixed-later', ['order.#'], async () => {
      if (broken) throw new Error('not yet');
      seen.push('fixed-later');
    });
    await bus.subscribe('healthy', ['order.#'], async () => void seen.push('healthy'));
    await assert.rejects(bus.publish(event, 'order.created'), EventDeliveryError);
    broken = false;
    await bus.publish(event, 'order.created');
    assert.deepEqual(seen, ['healthy', 'fixed-later']);
  });
});
