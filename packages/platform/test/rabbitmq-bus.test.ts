import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { eventConsumers, eventExchange, routingKeys, type EventEnvelope } from '@dema/contracts';
import {
  createInfrastructure,
  createLogger,
  loadConfig,
  RabbitMqBus,
  attemptsHeader,
  errorHeader,
  type RabbitMqBusOptions,
  type SubscribeOptions,
} from '@dema/platform';
import { TcpProxy, testAmqpUrl } from '@dema/platform/testing';
import {
  assertEachOnce,
  waitFor,
  sampleOrderCreated as orderCreated,
  sampleOrderStatusChanged,
  sampleStockUpdated as stockUpdated,
} from '@dema/platform/testing';

// Unset without DEMA_TEST_REQUIRE_REAL: the suite is skipped; with it, importing the testing module fails the run.
const amqpUrl = testAmqpUrl();
const log = createLogger('silent');
const busModule = fileURLToPath(new URL('../src/bus/rabbitmq-bus.ts', import.meta.url));

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The same URL (credentials, vhost) through another host:port. */
function via(port: number): string {
  const url = new URL(amqpUrl!);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

describe('RabbitMqBus', { skip: amqpUrl ? false : 'TEST_AMQP_URL not set' }, () => {
  let admin: ChannelModel;
  let channel: Channel;
  const buses: RabbitMqBus[] = [];
  const queues: string[] = [];
  const exchanges: string[] = [];

  before(async () => {
    admin = await connect(amqpUrl!);
    channel = await admin.createChannel();
    await channel.assertExchange(eventExchange, 'topic', { durable: true });
  });

  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
  });

  after(async () => {
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
    await channel.close();
    await admin.close();
  });

  /** A unique consumer name; its queues are deleted after the suite. */
  function consumer(label: string): string {
    const name = `test-${label}-${randomBytes(4).toString('hex')}`;
    queues.push(`dema.${name}`, `dema.${name}.retry`, `dema.${name}.dead`);
    return name;
  }

  async function bus(options: RabbitMqBusOptions = {}, url = amqpUrl!): Promise<RabbitMqBus> {
    const created = await RabbitMqBus.open(url, log, options);
    buses.push(created);
    return created;
  }

  async function closeBus(target: RabbitMqBus): Promise<void> {
    buses.splice(buses.indexOf(target), 1);
    await target.close();
  }

  async function messages(queue: string): Promise<number> {
    return (await channel.checkQueue(queue)).messageCount;
  }

  test('an event reaches the consumer bound to its routing key, envelope intact, and no other', async () => {
    const b = await bus();
    const orders: EventEnvelope[] = [];
    const system: EventEnvelope[] = [];
    await b.subscribe(consumer('orders'), ['order.#'], async (event) => void orders.push(event));
    await b.subscribe(consumer('system'), ['system.#'], async (event) => void system.push(event));

    const order = orderCreated();
    const stock = stockUpdated();
    await b.publish(order, routingKeys.ORDER_CREATED);
    await b.publish(stock, routingKeys.STOCK_UPDATED);

    await waitFor('both events', () => orders.length === 1 && system.length === 1);
    await delay(200);
    assert.deepEqual(orders, [order]);
    assert.deepEqual(system, [stock]);
  });

  test('publish resolves once the broker holds the event, as a persistent message with its id and type', async () => {
    const queue = `dema.${consumer('confirm')}`;
    const routingKey = `test.confirm.${randomBytes(4).toString('hex')}`;
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, eventExchange, routingKey);
    const b = await bus();

    const event = orderCreated(7);
    await b.publish(event, routingKey);
    assert.equal(await messages(queue), 1, 'the event is in the queue as soon as publish resolved');

    const message = await channel.get(queue, { noAck: true });
    assert.ok(message);
    assert.deepEqual(JSON.parse(message.content.toString()), event);
    assert.equal(message.properties.messageId, event.id);
    assert.equal(message.properties.type, 'ORDER_CREATED');
    assert.equal(message.properties.contentType, 'application/json');
    assert.equal(message.properties.deliveryMode, 2);
    assert.equal(message.fields.routingKey, routingKey);
  });

  test('200 events published concurrently each arrive exactly once', async () => {
    const b = await bus();
    const received: string[] = [];
    await b.subscribe(consumer('many'), ['order.#'], async (event) => {
      await delay(Math.random() * 5);
      received.push(event.id);
    });
    const events = Array.from({ length: 200 }, (_, i) => orderCreated(i));
    await Promise.all(events.map((event) => b.publish(event, routingKeys.ORDER_CREATED)));

    await waitFor('200 events', () => received.length >= 200, 15_000);
    await delay(300);
    assertEachOnce(
      received,
      events.map((e) => e.id),
    );
  });

  /**
   * Subscribes a handler that holds every delivery until released, with 3 × `expected` events
   * queued for it, and checks it never has more than `expected` in hand, before the release (the
   * rest wait in the queue) or after it (each then held 10 ms), and that every event is handled once.
   */
  async function assertPrefetch(b: RabbitMqBus, expected: number, options?: SubscribeOptions): Promise<void> {
    const name = consumer('prefetch');
    // A routing key of its own: no other suite's events on the shared exchange reach this queue.
    const routingKey = `test.prefetch.${randomBytes(4).toString('hex')}`;
    let inHand = 0;
    let most = 0;
    const handled: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await b.subscribe(
      name,
      [routingKey],
      async (event) => {
        inHand += 1;
        most = Math.max(most, inHand);
        await released;
        await delay(10);
        inHand -= 1;
        handled.push(event.id);
      },
      options,
    );
    const events = Array.from({ length: 3 * expected }, (_, i) => orderCreated(i));
    await Promise.all(events.map((event) => b.publish(event, routingKey)));

    await waitFor(`${expected} deliveries in hand`, () => inHand >= expected);
    // Time for the broker to send more, were it going to.
    await delay(300);
    assert.equal(most, expected);
    assert.equal(await messages(`dema.${name}`), 2 * expected, 'the rest wait in the queue, not in the consumer');

    release();
    await waitFor('every event handled', () => handled.length >= events.length, 15_000);
    await delay(200);
    assert.equal(most, expected, 'never more in hand than the prefetch while the queue drained');
    assertEachOnce(
      handled,
      events.map((e) => e.id),
    );
    assert.equal(await messages(`dema.${name}`), 0);
  }

  test("a consumer has at most the bus's prefetch of unacknowledged deliveries in hand, and handles all once they are acked", async () => {
    await assertPrefetch(await bus({ prefetch: 4 }), 4);
  });

  test("a subscription's own prefetch replaces the bus's", async () => {
    await assertPrefetch(await bus({ prefetch: 4 }), 7, { prefetch: 7 });
  });

  test('without a prefetch given, a consumer has at most 32 deliveries in hand', async () => {
    await assertPrefetch(await bus(), 32);
  });

  test('a handler that fails twice is retried and the event handled once', async () => {
    const b = await bus({ retryDelayMs: 50 });
    const name = consumer('flaky');
    let calls = 0;
    const handled: string[] = [];
    await b.subscribe(name, ['order.#'], async (event) => {
      calls += 1;
      if (calls <= 2) throw new Error(`flaky ${calls}`);
      handled.push(event.id);
    });
    const event = orderCreated();
    await b.publish(event, routingKeys.ORDER_CREATED);

    await waitFor('the third attempt', () => handled.length === 1);
    await delay(300);
    assert.equal(calls, 3);
    assert.deepEqual(handled, [event.id]);
    // Acked after success: nothing is left anywhere, even once the consumer is gone.
    await closeBus(b);
    assert.equal(await messages(`dema.${name}`), 0);
    assert.equal(await messages(`dema.${name}.retry`), 0);
    assert.equal(await messages(`dema.${name}.dead`), 0);
  });

  test('a handler that always fails sends the event to the dead-letter queue after maxAttempts', async () => {
    const b = await bus({ maxAttempts: 3, retryDelayMs: 50 });
    const name = consumer('broken');
    let calls = 0;
    await b.subscribe(name, ['order.#'], async () => {
      calls += 1;
      throw new Error(`handler broke on call ${calls}`);
    });
    const event = orderCreated();
    await b.publish(event, routingKeys.ORDER_CREATED);

    await waitFor('the dead letter', async () => (await messages(`dema.${name}.dead`)) === 1);
    await delay(300);
    assert.equal(calls, 3);
    await closeBus(b);
    assert.equal(await messages(`dema.${name}`), 0, 'the main queue is empty');
    assert.equal(await messages(`dema.${name}.retry`), 0);

    const dead = await channel.get(`dema.${name}.dead`, { noAck: true });
    assert.ok(dead);
    assert.deepEqual(JSON.parse(dead.content.toString()), event, 'body intact');
    assert.equal(dead.properties.messageId, event.id);
    assert.equal(dead.properties.type, event.type);
    assert.equal(dead.properties.deliveryMode, 2);
    assert.equal(dead.properties.headers?.[attemptsHeader], 3);
    assert.match(String(dead.properties.headers?.[errorHeader]), /handler broke on call 3/);
  });

  test('events published while no consumer runs are delivered when it subscribes again', async () => {
    const name = consumer('durable');
    const first = await bus();
    await first.subscribe(name, ['order.#'], async () => undefined);
    await closeBus(first);

    const publisher = await bus();
    const events = [orderCreated(1), orderCreated(2), orderCreated(3)];
    for (const event of events) await publisher.publish(event, routingKeys.ORDER_CREATED);
    assert.equal(await messages(`dema.${name}`), 3);

    const received: string[] = [];
    const second = await bus();
    await second.subscribe(name, ['order.#'], async (event) => void received.push(event.id));
    await waitFor('the waiting events', () => received.length >= 3);
    await delay(200);
    assertEachOnce(
      received,
      events.map((e) => e.id),
    );
  });

  test('with the broker unreachable from the start, connect resolves and publish rejects at once', async () => {
    const b = await bus({}, via(await closedPort()));
    assert.equal(b.isReady, false);
    const started = Date.now();
    await assert.rejects(b.publish(orderCreated(), routingKeys.ORDER_CREATED), /not connected/);
    assert.ok(Date.now() - started < 3_000);
    // Subscribing is recorded for when the broker comes; it does not fail.
    await b.subscribe(consumer('later'), ['order.#'], async () => undefined);
  });

  test('a cut connection makes publish reject fast; once restored the bus reconnects and works again', async () => {
    const target = new URL(amqpUrl!);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5672) });
    try {
      const b = await bus({}, via(proxy.port));
      assert.equal(b.isReady, true);
      const received: string[] = [];
      await b.subscribe(consumer('healing'), ['order.#'], async (event) => void received.push(event.id));
      const before = orderCreated(1);
      await b.publish(before, routingKeys.ORDER_CREATED);
      await waitFor('the event before the cut', () => received.includes(before.id));

      proxy.cut();
      for (let i = 0; i < 3; i += 1) {
        const started = Date.now();
        await assert.rejects(b.publish(orderCreated(2), routingKeys.ORDER_CREATED));
        assert.ok(Date.now() - started < 3_000, 'publish rejected within 3 s');
        await delay(200);
      }
      assert.equal(b.isReady, false);

      proxy.restore();
      const after = orderCreated(3);
      await waitFor(
        'publish to succeed again',
        () =>
          b.publish(after, routingKeys.ORDER_CREATED).then(
            () => true,
            () => false,
          ),
        15_000,
      );
      assert.equal(b.isReady, true);
      await waitFor('the event after the reconnect', () => received.includes(after.id));
    } finally {
      await proxy.close();
    }
  });

  test('a consumer whose queue is deleted under it comes back', async () => {
    const b = await bus();
    const name = consumer('deleted');
    const received: string[] = [];
    await b.subscribe(name, ['order.#'], async (event) => void received.push(event.id));
    await channel.deleteQueue(`dema.${name}`);
    const event = orderCreated();
    await waitFor('the consumer to come back', async () => {
      await b.publish(event, routingKeys.ORDER_CREATED).catch(() => undefined);
      await delay(100);
      return received.includes(event.id);
    });
  });

  test('a message that is not an event envelope goes to the dead-letter queue without retries', async () => {
    const b = await bus({ maxAttempts: 5, retryDelayMs: 50 });
    const name = consumer('garbage');
    let calls = 0;
    await b.subscribe(name, ['order.#'], async () => {
      calls += 1;
    });
    channel.publish(eventExchange, 'order.garbage', Buffer.from('not json'), { messageId: 'garbage-1' });

    await waitFor('the dead letter', async () => (await messages(`dema.${name}.dead`)) === 1);
    assert.equal(calls, 0);
    const dead = await channel.get(`dema.${name}.dead`, { noAck: true });
    assert.ok(dead);
    assert.equal(dead.content.toString(), 'not json');
    assert.match(String(dead.properties.headers?.[errorHeader]), /malformed/);
  });

  test("a consumer the bus declares keeps the events published before its service's first subscribe, which then gets them", async () => {
    const name = consumer('declared');
    const routingKey = `test.declared.${randomBytes(4).toString('hex')}`;
    // The publishing process (say the Order service) declares every consumer of the contracts; the
    // consumer's own process has never run: without the declaration the broker drops the event.
    const publisher = await bus({ consumers: { [name]: [routingKey] } });
    const early = orderCreated();
    await publisher.publish(early, routingKey);
    assert.equal(await messages(`dema.${name}`), 1);
    const later = await bus();
    const seen: string[] = [];
    await later.subscribe(name, [routingKey], async (event) => void seen.push(event.id));
    await waitFor('the event published before the subscribe', () => seen.length === 1);
    assert.deepEqual(seen, [early.id]);
  });

  test('a process of the platform declares the queue of every consumer in the contracts when it connects', async () => {
    const namespace = `test-infra-${randomBytes(3).toString('hex')}.`;
    exchanges.push(`${namespace}dema.events`, `${namespace}dema.dead`);
    for (const name of Object.keys(eventConsumers)) queues.push(`${namespace}dema.${name}`, `${namespace}dema.${name}.retry`, `${namespace}dema.${name}.dead`);
    const config = loadConfig({ AMQP_URL: amqpUrl!, AMQP_NAMESPACE: namespace, AMQP_QUEUE_EXPIRES_MS: '60000', LOG_LEVEL: 'silent' });
    const infra = await createInfrastructure(config, { name: 'declares-consumers', inMemory: true });
    try {
      const declared = await Promise.all(
        Object.keys(eventConsumers).map(async (name) => {
          const check = await admin.createChannel();
          try {
            return (await check.checkQueue(`${namespace}dema.${name}`)).queue;
          } finally {
            await check.close().catch(() => undefined);
          }
        }),
      );
      assert.deepEqual(
        declared,
        Object.keys(eventConsumers).map((name) => `${namespace}dema.${name}`),
      );
    } finally {
      await infra.close();
    }
  });

  test('a bus declares no consumer it was not given: an event for a consumer never declared nor subscribed is dropped', async () => {
    const name = consumer('undeclared');
    const routingKey = `test.undeclared.${randomBytes(4).toString('hex')}`;
    const publisher = await bus();
    await publisher.publish(orderCreated(), routingKey);
    const later = await bus();
    const seen: string[] = [];
    await later.subscribe(name, [routingKey], async (event) => void seen.push(event.id));
    await delay(300);
    assert.deepEqual(seen, []);
  });

  test('buses in different namespaces share the broker without seeing each other', async () => {
    const ns = (n: number) => `test-ns${n}-${randomBytes(3).toString('hex')}.`;
    const [one, two] = [ns(1), ns(2)];
    const name = consumer('shared');
    for (const prefix of [one, two]) {
      queues.push(`${prefix}dema.${name}`, `${prefix}dema.${name}.retry`, `${prefix}dema.${name}.dead`);
      exchanges.push(`${prefix}dema.events`, `${prefix}dema.dead`);
    }
    const a = await bus({ namespace: one });
    const b = await bus({ namespace: two });
    assert.equal(a.queueOf(name), `${one}dema.${name}`);
    const seenA: string[] = [];
    const seenB: string[] = [];
    await a.subscribe(name, ['order.#'], async (event) => void seenA.push(event.id));
    await b.subscribe(name, ['order.#'], async (event) => void seenB.push(event.id));
    const event = orderCreated();
    await a.publish(event, routingKeys.ORDER_CREATED);
    await waitFor('the event in its namespace', () => seenA.length === 1);
    await delay(200);
    assert.deepEqual(seenA, [event.id]);
    assert.deepEqual(seenB, []);
  });

  test('close resolves and leaves nothing running: a process using the bus exits by itself', async () => {
    const script = `
      import pino from 'pino';
      const { RabbitMqBus } = await import(${JSON.stringify(busModule)});
      const log = pino({ level: 'silent' });
      const up = await RabbitMqBus.open(${JSON.stringify(amqpUrl)}, log);
      await up.subscribe(${JSON.stringify(consumer('exit'))}, ['order.#'], async () => undefined);
      await up.publish({ id: 'e1', type: 'ORDER_CREATED', version: 1, payload: {} }, 'order.created');
      const down = await RabbitMqBus.open(${JSON.stringify(via(await closedPort()))}, log);
      await down.subscribe('nowhere', ['order.#'], async () => undefined);
      await up.close();
      await down.close();
      console.log('closed');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const timeout = new AbortController();
    const code = await Promise.race([exited, delay(10_000, 'timeout' as const, { signal: timeout.signal }).catch(() => 'aborted' as const)]);
    timeout.abort();
    if (code === 'timeout') child.kill('SIGKILL');
    assert.equal(code, 0, `the process exits on its own after close (output: ${output})`);
    assert.match(output, /closed/);
  });

  describe('quorum queues (AMQP_QUEUE_TYPE=quorum)', () => {
    /** Whether the broker accepts `queue` declared durable with `type` and no other argument. */
    async function declaresAs(queue: string, type: 'classic' | 'quorum'): Promise<boolean> {
      const probe = await admin.createChannel();
      probe.on('error', () => undefined);
      try {
        await probe.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': type } });
        await probe.close();
        return true;
      } catch {
        return false;
      }
    }

    test('the dead-letter queue is a quorum queue too; a classic bus keeps classic queues', async () => {
      // A dead-letter queue is declared with nothing but its type: a probe declaring it with a
      // type succeeds only when the type is the one it has.
      const quorum = await bus({ queueType: 'quorum' });
      const name = consumer('quorum');
      await quorum.subscribe(name, ['order.#'], async () => undefined);
      const plain = await bus();
      const classic = consumer('classic');
      await plain.subscribe(classic, ['order.#'], async () => undefined);
      assert.equal(await declaresAs(`dema.${name}.dead`, 'quorum'), true);
      assert.equal(await declaresAs(`dema.${name}.dead`, 'classic'), false);
      assert.equal(await declaresAs(`dema.${classic}.dead`, 'quorum'), false);
    });

    test('on quorum queues a failing handler is retried, and one that always fails is dead-lettered with its error', async () => {
      const b = await bus({ queueType: 'quorum', maxAttempts: 3, retryDelayMs: 50 });
      const flaky = consumer('quorum-flaky');
      const broken = consumer('quorum-broken');
      let flakyCalls = 0;
      const handled: string[] = [];
      await b.subscribe(flaky, ['order.#'], async (event) => {
        flakyCalls += 1;
        if (flakyCalls <= 2) throw new Error(`flaky ${flakyCalls}`);
        handled.push(event.id);
      });
      await b.subscribe(broken, ['order.#'], async () => {
        throw new Error('always broken');
      });
      const event = orderCreated();
      await b.publish(event, routingKeys.ORDER_CREATED);
      await waitFor('the retried event and the dead letter', async () => handled.length === 1 && (await messages(`dema.${broken}.dead`)) === 1);
      assert.deepEqual(handled, [event.id]);
      await closeBus(b);
      const dead = await channel.get(`dema.${broken}.dead`, { noAck: true });
      assert.ok(dead);
      assert.deepEqual(JSON.parse(dead.content.toString()), event);
      assert.equal(dead.properties.headers?.[attemptsHeader], 3);
      assert.match(String(dead.properties.headers?.[errorHeader]), /always broken/);
    });

    test('a message redelivered again and again without the bus counting (a process crashing on it) is dead-lettered by the broker', async () => {
      const b = await bus({ queueType: 'quorum', maxAttempts: 3 });
      const name = consumer('quorum-crash');
      await b.subscribe(name, ['nothing.#'], async () => undefined);
      await closeBus(b);
      // What a process dying mid-handling looks like to the broker: the delivery comes back unacked.
      const crashing = await admin.createChannel();
      const event = orderCreated();
      crashing.sendToQueue(`dema.${name}`, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id });
      let deliveries = 0;
      await crashing.consume(`dema.${name}`, (message) => {
        if (!message) return;
        deliveries += 1;
        crashing.nack(message, false, true);
      });
      await waitFor('the dead letter', async () => (await messages(`dema.${name}.dead`)) === 1);
      await crashing.close();
      assert.ok(deliveries >= 3 && deliveries <= 4, `delivered ${deliveries} times before the broker gave up`);
      assert.equal(await messages(`dema.${name}`), 0);
      const dead = await channel.get(`dema.${name}.dead`, { noAck: true });
      assert.equal(dead && JSON.parse(dead.content.toString()).id, event.id, 'kept, not dropped');
    });
  });

  describe('follow (a live feed per process)', () => {
    /** A namespace of its own, so that no other suite's events on the shared broker show up in a feed. */
    function isolated(): RabbitMqBusOptions {
      const namespace = `test-feed-${randomBytes(3).toString('hex')}.`;
      exchanges.push(`${namespace}dema.events`, `${namespace}dema.dead`);
      return { namespace };
    }

    test('two buses following the same bindings each receive every event, unlike a named consumer', async () => {
      const options = isolated();
      const [one, two] = [await bus(options), await bus(options)];
      const seenOne: EventEnvelope[] = [];
      const seenTwo: EventEnvelope[] = [];
      await one.follow([routingKeys.ORDER_STATUS_CHANGED], (event) => void seenOne.push(event));
      await two.follow([routingKeys.ORDER_STATUS_CHANGED], (event) => void seenTwo.push(event));
      const name = consumer('competing');
      queues.push(`${options.namespace}dema.${name}`, `${options.namespace}dema.${name}.retry`, `${options.namespace}dema.${name}.dead`);
      const competing: string[] = [];
      await one.subscribe(name, ['order.#'], async (event) => void competing.push(event.id));
      await two.subscribe(name, ['order.#'], async (event) => void competing.push(event.id));

      const events = Array.from({ length: 20 }, (_, i) => sampleOrderStatusChanged(i));
      for (const event of events) await one.publish(event, routingKeys.ORDER_STATUS_CHANGED);
      await one.publish(orderCreated(), routingKeys.ORDER_CREATED);

      await waitFor('every event on both feeds', () => seenOne.length >= 20 && seenTwo.length >= 20 && competing.length >= 21);
      await delay(200);
      assert.deepEqual(seenOne, events, 'in order, envelopes intact, ORDER_CREATED not bound');
      assert.deepEqual(seenTwo, events);
      assert.equal(competing.length, 21, 'the named consumer got each event once across its two instances');
    });

    test('a feed handler that throws loses that event only; the feed goes on', async () => {
      const b = await bus(isolated());
      const seen: string[] = [];
      await b.follow(['order.#'], (event) => {
        seen.push(event.id);
        throw new Error('handler failure');
      });
      const events = [sampleOrderStatusChanged(1), sampleOrderStatusChanged(2)];
      for (const event of events) await b.publish(event, routingKeys.ORDER_STATUS_CHANGED);
      await waitFor('both events', () => seen.length === 2);
      assert.deepEqual(
        seen,
        events.map((e) => e.id),
      );
    });

    test('a stopped feed receives nothing more; the others on the bus go on', async () => {
      const b = await bus(isolated());
      const stopped: string[] = [];
      const kept: string[] = [];
      const stop = await b.follow(['order.#'], (event) => void stopped.push(event.id));
      await b.follow(['order.#'], (event) => void kept.push(event.id));
      const before = sampleOrderStatusChanged(1);
      await b.publish(before, routingKeys.ORDER_STATUS_CHANGED);
      await waitFor('the first event on both', () => stopped.length === 1 && kept.length === 1);
      await stop();
      const after = sampleOrderStatusChanged(2);
      await b.publish(after, routingKeys.ORDER_STATUS_CHANGED);
      await waitFor('the second event on the kept feed', () => kept.length === 2);
      await delay(200);
      assert.deepEqual(stopped, [before.id]);
      assert.equal(b.isReady, true, 'stopping a feed does not restart the connection');
    });

    test('after the connection is cut and restored the feed is declared again and receives new events', async () => {
      const options = isolated();
      const target = new URL(amqpUrl!);
      const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5672) });
      try {
        const publisher = await bus(options);
        const follower = await bus(options, via(proxy.port));
        const seen: string[] = [];
        await follower.follow([routingKeys.ORDER_STATUS_CHANGED], (event) => void seen.push(event.id));
        const before = sampleOrderStatusChanged(1);
        await publisher.publish(before, routingKeys.ORDER_STATUS_CHANGED);
        await waitFor('the event before the cut', () => seen.includes(before.id));

        proxy.cut();
        await waitFor('the follower to notice', () => !follower.isReady);
        const during = sampleOrderStatusChanged(2);
        await publisher.publish(during, routingKeys.ORDER_STATUS_CHANGED);

        proxy.restore();
        await waitFor('the follower to reconnect', () => follower.isReady, 15_000);
        const after = sampleOrderStatusChanged(3);
        await publisher.publish(after, routingKeys.ORDER_STATUS_CHANGED);
        await waitFor('the event after the reconnect', () => seen.includes(after.id));
        await delay(200);
        assert.deepEqual(seen, [before.id, after.id], 'best effort: the event of the outage is missed, not replayed');
      } finally {
        await proxy.close();
      }
    });

    test('a feed followed while the broker is unreachable starts once it answers', async () => {
      const options = isolated();
      const target = new URL(amqpUrl!);
      const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5672) });
      try {
        proxy.cut();
        const follower = await bus(options, via(proxy.port));
        assert.equal(follower.isReady, false);
        const seen: string[] = [];
        await follower.follow(['order.#'], (event) => void seen.push(event.id));
        proxy.restore();
        await waitFor('the follower to connect', () => follower.isReady, 15_000);
        const publisher = await bus(options);
        const event = sampleOrderStatusChanged();
        await publisher.publish(event, routingKeys.ORDER_STATUS_CHANGED);
        await waitFor('the event', () => seen.includes(event.id));
      } finally {
        await proxy.close();
      }
    });
  });
});
