import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { eventPayloadSchemas, eventVersions, routingKeys, webhookEventNames, type PaymentFailedEvent } from '@dema/contracts';
import { createAjv, createEvent, type WebhookSettings } from '@dema/platform';
import { testTargets, waitFor } from '@dema/platform/testing';
import { orderCreated, products, startAnalytics, stockUpdated, type AnalyticsTestProcess } from './helpers.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

/** Short waits so retries happen within a test; private addresses allowed to reach the local receiver. */
const fast: WebhookSettings = {
  allowPrivate: true,
  timeoutMs: 3_000,
  retryBaseMs: 50,
  retryWindowMs: 60_000,
  disableAfterFailures: 4,
  disableAfterFailingMs: 0,
  concurrency: 8,
  logRetentionDays: 30,
};

const day = '2023-03-01';
/** An event of the catalog the tests' endpoints do not subscribe to. */
const paymentFailed = () =>
  createEvent<PaymentFailedEvent>('PAYMENT_FAILED', {
    paymentId: randomUUID(),
    orderId: randomUUID(),
    userId: randomUUID(),
    provider: 'stripe',
    currency: 'USD',
    reason: 'card_declined',
    timestamp: `${day}T10:00:00Z`,
  });
const placed = () => orderCreated({ timestamp: `${day}T10:00:00Z`, items: [{ productId: products.kettle, quantity: 1, price: 12.5 }] });

for (const target of testTargets()) {
  describe(`webhooks deliver the shop's events (${target.name})`, () => {
    let dema: AnalyticsTestProcess;
    let receiver: WebhookReceiver;

    before(async () => {
      dema = await startAnalytics(target, { webhooks: fast });
      receiver = await new WebhookReceiver().start();
    });
    after(async () => {
      await dema?.dispose();
      await receiver?.close();
    });

    /** Registers an endpoint at a path of its own on the receiver; resolves it with its secret. */
    async function register(events: string[], path = `/${randomUUID()}`): Promise<{ id: string; secret: string; path: string }> {
      const reply = await dema.send('admin', 'POST', '/api/webhooks', { url: `${receiver.url}${path}`, events });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      return { id: reply.body.id, secret: reply.body.secret, path };
    }

    async function deliveries(id: string): Promise<any[]> {
      const reply = await dema.admin(`/api/webhooks/${id}/deliveries`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body.items;
    }

    test('an order.created reaches the receiver signed as Standard Webhooks verifies it', async () => {
      const endpoint = await register(['order.created']);
      const order = placed();
      await dema.publish(order);
      await waitFor('the delivery', async () => receiver.at(endpoint.path).length === 1, 10_000);
      const [request] = receiver.at(endpoint.path);
      assert.equal(request!.headers['webhook-id'], order.id);
      assert.equal(request!.headers['content-type'], 'application/json');
      const verified = new Webhook(endpoint.secret).verify(request!.body, request!.headers as Record<string, string>) as any;
      assert.deepEqual(verified, { type: 'order.created', timestamp: order.payload.timestamp, data: order.payload });
      assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
      await waitFor('the delivery logged as succeeded', async () => (await deliveries(endpoint.id))[0]?.status === 'succeeded', 5_000);
      const [logged] = await deliveries(endpoint.id);
      assert.equal(logged.eventId, order.id);
      assert.equal(logged.eventType, 'order.created');
      assert.deepEqual(
        logged.attempts.map((a: any) => [a.responseStatus, a.error]),
        [[200, null]],
      );
    });

    test('a signature made with another secret does not verify', async () => {
      const endpoint = await register(['order.created']);
      await dema.publish(placed());
      await waitFor('the delivery', async () => receiver.at(endpoint.path).length === 1, 10_000);
      const [request] = receiver.at(endpoint.path);
      const other = (await dema.send('admin', 'POST', '/api/webhooks', { url: `${receiver.url}/other`, events: ['order.created'] })).body.secret;
      assert.throws(() => new Webhook(other).verify(request!.body, request!.headers as Record<string, string>));
    });

    test('the same event twice on the bus is one delivery', async () => {
      const endpoint = await register(['order.created']);
      const order = placed();
      const mark = await dema.mark();
      await dema.publish(order);
      await dema.publish(order);
      await dema.settled(mark, 2);
      await waitFor('the delivery', async () => receiver.at(endpoint.path).length >= 1, 10_000);
      await delay(300);
      assert.equal(receiver.at(endpoint.path).length, 1);
      assert.equal((await deliveries(endpoint.id)).length, 1);
    });

    test('a receiver answering 500 then 200 gets the same message again and succeeds once', async () => {
      const endpoint = await register(['order.created']);
      receiver.answer(endpoint.path, 500);
      const order = placed();
      await dema.publish(order);
      await waitFor('the delivery logged as succeeded', async () => (await deliveries(endpoint.id))[0]?.status === 'succeeded', 10_000);
      const requests = receiver.at(endpoint.path);
      assert.equal(requests.length, 2);
      assert.deepEqual(
        requests.map((r) => r.headers['webhook-id']),
        [order.id, order.id],
      );
      assert.equal(requests[0]!.body, requests[1]!.body);
      const [logged] = await deliveries(endpoint.id);
      assert.deepEqual(
        logged.attempts.map((a: any) => a.responseStatus),
        [500, 200],
      );
      assert.equal(logged.nextAttemptAt, null);
    });

    /** The sum of a metric's samples (`sample`: one of a histogram's, such as `…_count`) whose labels include `labels`. */
    async function metric(name: string, labels: Record<string, string> = {}, sample = name): Promise<number> {
      // A histogram's samples name which they are (`…_count`); prom-client's type leaves that out.
      const { values } = (await dema.infra.metrics.registry.getSingleMetric(name)!.get()) as {
        values: Array<{ value: number; labels: Record<string, unknown>; metricName?: string }>;
      };
      return values
        .filter((v) => (v.metricName ?? name) === sample && Object.entries(labels).every(([k, value]) => v.labels[k] === value))
        .reduce((n, v) => n + v.value, 0);
    }

    test('each attempt is counted by outcome with its response time, and each delivery once it ended', async () => {
      const endpoint = await register(['order.created']);
      receiver.answer(endpoint.path, 503);
      await dema.publish(placed());
      await waitFor('the delivery logged as succeeded', async () => (await deliveries(endpoint.id))[0]?.status === 'succeeded', 10_000);
      // Every attempt and delivery of this process so far (the earlier tests' too, as their endpoints
      // also hear order.created) against the log they are recorded in; none was sent again yet.
      const logged = async () => {
        const { rows } = await (await dema.db()).query<{ outcome: string; n: number }>(
          `SELECT CASE WHEN response_status IS NULL THEN 'no_response' WHEN response_status BETWEEN 200 AND 299 THEN 'succeeded' ELSE 'rejected' END AS outcome,
                  count(*)::int AS n
             FROM webhook_attempts GROUP BY 1
           UNION ALL SELECT 'delivered', count(*)::int FROM webhook_deliveries WHERE status = 'succeeded'`,
        );
        return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
      };
      const counted = async () => {
        const counts: Record<string, number> = { delivered: await metric('dema_webhook_deliveries_finished_total', { status: 'succeeded' }) };
        for (const outcome of ['succeeded', 'rejected', 'no_response']) {
          const n = await metric('dema_webhook_attempts_total', { outcome });
          const timed = await metric('dema_webhook_attempt_duration_seconds', { outcome }, 'dema_webhook_attempt_duration_seconds_count');
          assert.equal(timed, n, `every ${outcome} attempt has its time`);
          if (n > 0) counts[outcome] = n;
        }
        return counts;
      };
      // An attempt is counted just before it is recorded: the two agree once none is in flight.
      await waitFor('the counters to agree with the log', async () => isDeepStrictEqual(await counted(), await logged()), 5_000).catch(async () =>
        assert.deepEqual(await counted(), await logged()),
      );
      assert.ok((await counted()).rejected! >= 1, "this test's 503 is counted");
    });

    test('the pending deliveries gauge counts a delivery while it waits for its receiver, and not once it is gone', async () => {
      const pendingBefore = await metric('dema_webhook_deliveries_pending');
      const endpoint = await register(['order.created']);
      receiver.hang(endpoint.path);
      await dema.publish(placed());
      await waitFor('the delivery pending', async () => (await metric('dema_webhook_deliveries_pending')) === pendingBefore + 1, 10_000);
      assert.equal((await dema.send('admin', 'DELETE', `/api/webhooks/${endpoint.id}`)).status, 204);
      assert.equal(await metric('dema_webhook_deliveries_pending'), pendingBefore);
    });

    test('only the events an endpoint subscribes to are delivered to it', async () => {
      const endpoint = await register(['stock.updated']);
      const stock = stockUpdated(products.mug, 5, 4, 'ORDER', `${day}T10:00:00Z`);
      await dema.publish(placed());
      await dema.publish(stock);
      await waitFor('the stock delivery', async () => receiver.at(endpoint.path).length === 1, 10_000);
      await delay(300);
      assert.deepEqual(
        receiver.at(endpoint.path).map((r) => JSON.parse(r.body).type),
        ['stock.updated'],
      );
    });

    test('events arriving together each go only to the endpoints subscribed to them, once', async () => {
      const stockOnly = await register(['stock.updated']);
      const ordersOnly = await register(['order.created']);
      const orders = Array.from({ length: 5 }, placed);
      const moves = Array.from({ length: 5 }, (_, i) => stockUpdated(products.mug, 50 - i, 49 - i, 'ORDER', `${day}T10:00:0${i}Z`));
      const failed = paymentFailed();
      // All at once, one of them twice: the consumer gets them together, as under load.
      await Promise.all([...orders, ...moves, failed, orders[0]!].map((event) => dema.publish(event)));
      await waitFor('every delivery', async () => receiver.at(stockOnly.path).length === 5 && receiver.at(ordersOnly.path).length === 5, 10_000);
      await delay(300);
      const ids = (path: string) =>
        receiver
          .at(path)
          .map((r) => r.headers['webhook-id'])
          .sort();
      assert.deepEqual(ids(stockOnly.path), moves.map((e) => e.id).sort());
      assert.deepEqual(ids(ordersOnly.path), orders.map((e) => e.id).sort());
      const { rows } = await (await dema.db()).query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages WHERE event_id = $1', [failed.id]);
      assert.equal(rows[0]!.n, 0);
    });

    test('an event no endpoint subscribes to leaves nothing behind', async () => {
      await register(['order.created']);
      const failed = paymentFailed();
      await dema.publish(failed);
      await delay(300);
      const { rows } = await (await dema.db()).query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages WHERE event_id = $1', [failed.id]);
      assert.equal(rows[0]!.n, 0);
    });

    test('a receiver that never answers holds up no other, and its attempt fails at the timeout', async () => {
      const slow = await register(['order.created']);
      const quick = await register(['order.created']);
      receiver.hang(slow.path);
      const started = Date.now();
      await dema.publish(placed());
      await waitFor('the quick receiver', async () => receiver.at(quick.path).length === 1, 10_000);
      assert.ok(Date.now() - started < fast.timeoutMs, `the quick receiver waited ${Date.now() - started} ms`);
      await waitFor('the slow attempt timed out', async () => ((await deliveries(slow.id))[0]?.attempts.length ?? 0) >= 1, 10_000);
      const [attempt] = (await deliveries(slow.id))[0].attempts;
      assert.equal(attempt.responseStatus, null);
      assert.match(attempt.error, /no response within 3000 ms/);
      await dema.send('admin', 'DELETE', `/api/webhooks/${slow.id}`);
    });

    test('an endpoint that keeps failing is disabled with the reason, and stops being sent to until enabled', async () => {
      const endpoint = await register(['order.created']);
      receiver.answer(endpoint.path, 503, 503, 503, 503);
      await dema.publish(placed());
      await waitFor('the endpoint disabled', async () => (await dema.admin(`/api/webhooks/${endpoint.id}`)).body.enabled === false, 10_000);
      const disabled = (await dema.admin(`/api/webhooks/${endpoint.id}`)).body;
      assert.match(disabled.disabledReason, /after 4 consecutive failed attempts since \S+ \(last: HTTP 503\)/);
      assert.equal(receiver.at(endpoint.path).length, 4);
      const [pending] = await deliveries(endpoint.id);
      assert.equal(pending.status, 'pending');
      assert.equal((await dema.send('admin', 'POST', `/api/webhooks/${endpoint.id}/deliveries/${pending.id}/redeliver`)).status, 409);

      await dema.publish(placed());
      await delay(300);
      assert.equal(receiver.at(endpoint.path).length, 4, 'nothing is sent to a disabled endpoint');

      const enabled = await dema.send('admin', 'PATCH', `/api/webhooks/${endpoint.id}`, { enabled: true });
      assert.equal(enabled.status, 200);
      assert.equal(enabled.body.disabledReason, null);
      await waitFor('the pending delivery sent', async () => (await deliveries(endpoint.id))[0]?.status === 'succeeded', 10_000);
      assert.equal((await deliveries(endpoint.id)).length, 1, 'events while disabled are not queued for it');
    });

    test('an endpoint says since when and how many times in a row it has failed, until a success or enabling it again', async () => {
      const endpoint = await register(['order.created']);
      const fresh = (await dema.admin(`/api/webhooks/${endpoint.id}`)).body;
      assert.deepEqual([fresh.failingSince, fresh.consecutiveFailures], [null, 0]);
      receiver.answer(endpoint.path, 503, 503, 503, 503);
      await dema.publish(placed());
      await waitFor('the endpoint disabled', async () => (await dema.admin(`/api/webhooks/${endpoint.id}`)).body.enabled === false, 10_000);
      const [delivery] = await deliveries(endpoint.id);
      const firstFailure = delivery.attempts.map((a: { attemptedAt: string }) => a.attemptedAt).sort()[0];
      const failing = (await dema.admin(`/api/webhooks/${endpoint.id}`)).body;
      assert.deepEqual([failing.failingSince, failing.consecutiveFailures], [firstFailure, 4]);
      const listed = (await dema.admin('/api/webhooks')).body.items.find((e: { id: string }) => e.id === endpoint.id);
      assert.deepEqual([listed.failingSince, listed.consecutiveFailures], [firstFailure, 4]);

      const enabled = await dema.send('admin', 'PATCH', `/api/webhooks/${endpoint.id}`, { enabled: true });
      assert.deepEqual([enabled.body.failingSince, enabled.body.consecutiveFailures], [null, 0]);
      receiver.answer(endpoint.path, 503);
      await dema.publish(placed());
      await waitFor('one failure counted', async () => (await dema.admin(`/api/webhooks/${endpoint.id}`)).body.consecutiveFailures >= 1, 10_000);
      await waitFor('both deliveries sent', async () => (await deliveries(endpoint.id)).every((d) => d.status === 'succeeded'), 10_000);
      const recovered = (await dema.admin(`/api/webhooks/${endpoint.id}`)).body;
      assert.deepEqual([recovered.failingSince, recovered.consecutiveFailures], [null, 0], 'a success ends the run');
    });

    test('disabling an endpoint writes WEBHOOK_ENDPOINT_DISABLED to the outbox once, which the relay publishes and no endpoint is sent', async () => {
      const watcher = await register(Object.values(webhookEventNames).filter((name) => name !== 'order.created'));
      const failing = await register(['order.created']);
      receiver.answer(failing.path, ...Array<number>(20).fill(503));
      // Three deliveries fail side by side: attempts still in flight when the fourth failure disables
      // the endpoint land on a disabled one, and must not announce it again.
      await Promise.all([dema.publish(placed()), dema.publish(placed()), dema.publish(placed())]);
      await waitFor('the endpoint disabled', async () => (await dema.admin(`/api/webhooks/${failing.id}`)).body.enabled === false, 10_000);
      await waitFor(
        'every attempt made recorded',
        async () => (await deliveries(failing.id)).reduce((n, d) => n + d.attempts.length, 0) === receiver.at(failing.path).length,
        5_000,
      );
      const endpoint = (await dema.admin(`/api/webhooks/${failing.id}`)).body;

      const db = await dema.db();
      const announced = () =>
        db.query<{ id: string; version: number; routing_key: string; payload: any; published: boolean }>(
          "SELECT id, version, routing_key, payload, published_at IS NOT NULL AS published FROM outbox WHERE type = 'WEBHOOK_ENDPOINT_DISABLED' AND payload->>'endpointId' = $1",
          [failing.id],
        );
      const { rows } = await announced();
      assert.equal(rows.length, 1, JSON.stringify(rows));
      const [event] = rows;
      assert.deepEqual([event!.version, event!.routing_key], [eventVersions.WEBHOOK_ENDPOINT_DISABLED, routingKeys.WEBHOOK_ENDPOINT_DISABLED]);
      assert.deepEqual(event!.payload, {
        endpointId: failing.id,
        url: `${receiver.url}${failing.path}`,
        reason: endpoint.disabledReason,
        failedAttempts: 4,
        timestamp: event!.payload.timestamp,
      });
      assert.ok(endpoint.disabledReason.startsWith(`Disabled on ${event!.payload.timestamp} after 4 consecutive`), endpoint.disabledReason);
      const validate = createAjv({ coerceTypes: false }).compile(eventPayloadSchemas.WEBHOOK_ENDPOINT_DISABLED);
      assert.ok(validate(event!.payload), JSON.stringify(validate.errors));

      await waitFor('the event published', async () => (await announced()).rows[0]!.published, 5_000);
      await delay(300);
      assert.equal(receiver.at(watcher.path).length, 0, 'an endpoint subscribed to every other webhook event is not sent it');
      assert.equal(
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_messages WHERE event_id = $1', [event!.id])).rows[0]!.n,
        0,
        'webhooks keep nothing of it',
      );
      assert.equal((await announced()).rows.length, 1);
    });

    test('a redelivery sends the message again with the same webhook-id and logs the attempt', async () => {
      const endpoint = await register(['order.created']);
      const order = placed();
      await dema.publish(order);
      await waitFor('the delivery logged as succeeded', async () => (await deliveries(endpoint.id))[0]?.status === 'succeeded', 10_000);
      const [delivery] = await deliveries(endpoint.id);
      const reply = await dema.send('admin', 'POST', `/api/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`);
      assert.equal(reply.status, 202, JSON.stringify(reply.body));
      assert.equal(reply.body.id, delivery.id);
      await waitFor('the redelivery', async () => receiver.at(endpoint.path).length === 2, 10_000);
      assert.deepEqual(
        receiver.at(endpoint.path).map((r) => r.headers['webhook-id']),
        [order.id, order.id],
      );
      await waitFor('two attempts logged', async () => (await deliveries(endpoint.id))[0]?.attempts.length === 2, 5_000);
      const missing = await dema.send('admin', 'POST', `/api/webhooks/${endpoint.id}/deliveries/${randomUUID()}/redeliver`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'WEBHOOK_DELIVERY_NOT_FOUND');
    });

    test('a deleted endpoint gets nothing more, and its log is gone', async () => {
      const endpoint = await register(['order.created']);
      assert.equal((await dema.send('admin', 'DELETE', `/api/webhooks/${endpoint.id}`)).status, 204);
      await dema.publish(placed());
      await delay(300);
      assert.equal(receiver.at(endpoint.path).length, 0);
      assert.equal((await dema.admin(`/api/webhooks/${endpoint.id}/deliveries`)).status, 404);
    });
  });
}
