import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { EventEnvelope } from '@dema/contracts';
import {
  createLogger,
  type EventDeliveryError,
  handleInBatches,
  handleOnceBatch,
  MemoryBus,
  platformMigrations,
  RabbitMqBus,
  runMigrations,
  type Db,
  type EventHandler,
} from '@dema/platform';
import { dbTargets, testAmqpUrl, waitFor, type DbTarget } from '@dema/platform/testing';

const log = createLogger('silent');
const amqpUrl = testAmqpUrl();
const consumer = 'widgets';

/** An event that makes widget `widget` with `n` parts; a negative `n` breaks the table's CHECK. */
function widgetMade(widget: number, n = 1): EventEnvelope {
  return { id: randomUUID(), type: 'WIDGET_MADE', version: 1, payload: { widget, n } };
}

let schemas = 0;

for (const target of dbTargets) {
  describe(`handling events in batches (${target.name})`, { skip: target.skip }, () => {
    let server: Awaited<ReturnType<DbTarget['open']>>;
    let db: Db;
    /** The events of each batch the handler was given, failed ones included. */
    let batches: EventEnvelope[][];
    let handle: EventHandler;

    /** Makes the widgets of `fresh` in one statement; a widget made twice violates the primary key. */
    async function makeWidgets(events: EventEnvelope[]): Promise<void> {
      batches.push(events);
      await handleOnceBatch(db, consumer, events, async (tx, fresh) => {
        const payloads = fresh.map((e) => e.payload as { widget: number; n: number });
        await tx.query('INSERT INTO widgets (id, n) SELECT * FROM unnest($1::int[], $2::int[])', [payloads.map((p) => p.widget), payloads.map((p) => p.n)]);
      });
    }

    async function widgets(): Promise<number[]> {
      const { rows } = await db.query<{ id: number }>('SELECT id FROM widgets ORDER BY id');
      return rows.map((row) => row.id);
    }

    before(async () => {
      server = await target.open();
    });
    after(() => server?.close());

    beforeEach(async () => {
      schemas += 1;
      db = server.database(`batching_${schemas}`);
      await runMigrations(db, [platformMigrations]);
      await db.query('CREATE TABLE widgets (id INT PRIMARY KEY, n INT NOT NULL CHECK (n >= 0))');
      batches = [];
      handle = handleInBatches(makeWidgets, { maxBatchSize: 16 });
    });

    test('events handled at once share transactions, each resolving once its batch committed', async () => {
      const events = Array.from({ length: 40 }, (_, i) => widgetMade(i));
      const seen = await Promise.all(
        events.map(async (event) => {
          await handle(event);
          const { rows } = await db.query('SELECT 1 FROM widgets WHERE id = $1', [(event.payload as { widget: number }).widget]);
          return rows.length;
        }),
      );
      assert.deepEqual(
        seen,
        events.map(() => 1),
        'each widget is there when its call resolves',
      );
      assert.deepEqual(
        await widgets(),
        events.map((_, i) => i),
      );
      assert.ok(batches.length < events.length && batches.some((b) => b.length > 1), `batches of ${batches.map((b) => b.length)}`);
      assert.ok(
        batches.every((b) => b.length <= 16),
        'no batch exceeds the maximum',
      );
      assert.deepEqual(
        batches.flat().map((e) => e.id),
        events.map((e) => e.id),
        'each event handled once, in arrival order',
      );
    });

    test('one failing event in a batch rejects alone; the others commit', async () => {
      const events = Array.from({ length: 10 }, (_, i) => widgetMade(i, i === 4 ? -1 : 1));
      const outcomes = await Promise.allSettled(events.map((event) => handle(event)));
      assert.deepEqual(
        outcomes.map((o) => o.status),
        events.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
      );
      assert.match(String((outcomes[4] as PromiseRejectedResult).reason), /check constraint/);
      assert.deepEqual(await widgets(), [0, 1, 2, 3, 5, 6, 7, 8, 9]);
      assert.equal(batches[0]!.length, events.length, 'the first try was one batch of all');
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_events WHERE consumer = $1', [consumer]);
      assert.equal(rows[0]!.n, 9, 'the failed event is not marked handled');
    });

    test('an event twice in one batch and again in a later one is applied once', async () => {
      const a = widgetMade(1);
      const b = widgetMade(2);
      await Promise.all([handle(a), handle(b), handle(a), handle({ ...b, id: b.id.toUpperCase() })]);
      assert.equal(batches.length, 1, 'no batch failed');
      await handle(a);
      assert.deepEqual(await widgets(), [1, 2]);

      const applied: string[][] = [];
      const c = widgetMade(3);
      const ran = await handleOnceBatch(db, consumer, [c, a, c], async (_tx, fresh) => void applied.push(fresh.map((e) => e.id)));
      assert.deepEqual(ran, [true, false, false]);
      assert.deepEqual(applied, [[c.id]]);
      assert.deepEqual(await handleOnceBatch(db, consumer, [a, b], async () => assert.fail('nothing is new')), [false, false]);
    });

    test('on the embedded bus, events published at once are handled in batches, each once', async () => {
      const bus = new MemoryBus(log, 2, 1);
      await bus.subscribe(consumer, ['widget.#'], handle);
      const events = Array.from({ length: 30 }, (_, i) => widgetMade(i, i === 7 ? -1 : 1));
      const outcomes = await Promise.allSettled([...events, events[3]!].map((event) => bus.publish(event, 'widget.made')));
      assert.deepEqual(
        await widgets(),
        events.map((_, i) => i).filter((i) => i !== 7),
      );
      // The failing one is refused to the outbox, which keeps it dead-lettered.
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as EventDeliveryError).eventId] : []));
      assert.deepEqual(refused, [events[7]!.id]);
      assert.ok(batches.some((b) => b.length > 1));
    });

    describe('on RabbitMQ', { skip: amqpUrl ? false : 'TEST_AMQP_URL not set' }, () => {
      let admin: ChannelModel;
      let channel: Channel;
      before(async () => {
        admin = await connect(amqpUrl!);
        channel = await admin.createChannel();
      });
      after(async () => {
        await channel?.close();
        await admin?.close();
      });

      test('concurrent deliveries are handled in batches, each once, a failing one dead-lettered alone', async () => {
        // Queues of their own, deleted by the broker once unused.
        const bus = await RabbitMqBus.open(amqpUrl!, log, {
          namespace: `t${randomBytes(4).toString('hex')}.`,
          expiresMs: 30_000,
          prefetch: 24,
          maxAttempts: 2,
          retryDelayMs: 50,
        });
        try {
          await bus.subscribe(consumer, ['widget.#'], handle);
          const events = Array.from({ length: 120 }, (_, i) => widgetMade(i, i === 50 ? -1 : 1));
          await Promise.all([...events, ...events.slice(0, 10)].map((event) => bus.publish(event, 'widget.made')));
          const dead: string[] = [];
          await waitFor(
            'the failing event dead-lettered',
            async () => {
              const message = await channel.get(`${bus.queueOf(consumer)}.dead`, { noAck: true });
              if (message) dead.push(String(message.properties.messageId));
              return dead.length > 0;
            },
            20_000,
          );
          await waitFor('119 widgets', async () => (await widgets()).length === 119, 20_000);
          assert.deepEqual(dead, [events[50]!.id]);
          assert.deepEqual(
            await widgets(),
            events.map((_, i) => i).filter((i) => i !== 50),
          );
          assert.ok(
            batches.some((b) => b.length > 1),
            `batches of ${batches.map((b) => b.length)}`,
          );
        } finally {
          await bus.close();
        }
      });
    });
  });
}
