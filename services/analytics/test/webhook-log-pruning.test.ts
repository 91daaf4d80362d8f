import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import client from 'prom-client';
import type { Db } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { WebhookLogPruner } from '../src/webhooks/webhook-log-pruner.ts';
import { WebhookMetrics } from '../src/webhooks/webhook-metrics.ts';
import { claimDueDeliveries, fanOut, insertEndpoint, recordAttempt, scheduleRedelivery } from '../src/webhooks/webhooks.repository.ts';
import { answeredAttempt, migratedDatabase, webhookRetry as retry } from './helpers.ts';

const day = 86_400_000;
const retention = 30 * day;

for (const target of testTargets()) {
  describe(`the webhook delivery log is pruned after its retention (${target.name})`, () => {
    let db: Db;
    let dispose: () => Promise<void>;
    let endpointId: string;

    before(async () => {
      ({ db, dispose } = await migratedDatabase(target));
    });
    after(() => dispose?.());
    beforeEach(async () => {
      await db.query('DELETE FROM webhook_endpoints');
      await db.query('DELETE FROM webhook_messages');
      endpointId = randomUUID();
      await insertEndpoint(db, { id: endpointId, url: 'https://93.184.215.14/x', events: ['order.created'], secret: 'whsec_x', enabled: true });
    });

    const pruner = () => new WebhookLogPruner(db, retention, new WebhookMetrics(new client.Registry(), db), pino({ level: 'silent' }));

    /** One delivery of a new event, sent once with `status` as the answer; resolves its id. */
    async function deliveredOnce(status: number, windowMs = day): Promise<string> {
      await db.transaction((tx) => fanOut(tx, { id: randomUUID(), name: 'order.created', body: '{}' }, windowMs));
      const [claim] = await claimDueDeliveries(db, 1, 60_000);
      await db.transaction((tx) => recordAttempt(tx, claim!, answeredAttempt(status), status < 300, retry));
      return claim!.id;
    }

    /** Moves the delivery, its attempts and its message `ms` into the past, as if that much time had gone by. */
    async function age(deliveryId: string, ms: number): Promise<void> {
      await db.query(
        `UPDATE webhook_deliveries SET created_at = created_at - $2::bigint * interval '1 millisecond',
                finished_at = finished_at - $2::bigint * interval '1 millisecond' WHERE id = $1`,
        [deliveryId, ms],
      );
      await db.query(`UPDATE webhook_attempts SET attempted_at = attempted_at - $2::bigint * interval '1 millisecond' WHERE delivery_id = $1`, [
        deliveryId,
        ms,
      ]);
      await db.query(
        `UPDATE webhook_messages SET received_at = received_at - $2::bigint * interval '1 millisecond'
          WHERE event_id = (SELECT event_id FROM webhook_deliveries WHERE id = $1)`,
        [deliveryId, ms],
      );
    }

    async function remaining(table: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0]!.n;
    }

    test('a delivery that ended longer ago than the retention is deleted with its attempts and message', async () => {
      const old = await deliveredOnce(200);
      await age(old, retention + day);
      const recent = await deliveredOnce(200);
      await age(recent, retention - day);
      assert.equal(await pruner().sweep(), 1);
      const { rows } = await db.query<{ id: string }>('SELECT id FROM webhook_deliveries');
      assert.deepEqual(
        rows.map((r) => r.id),
        [recent],
      );
      assert.equal(await remaining('webhook_attempts'), 1);
      assert.equal(await remaining('webhook_messages'), 1);
    });

    test('a delivery failed for good is pruned like one that succeeded', async () => {
      const failed = await deliveredOnce(500, 1_000);
      await age(failed, retention + day);
      assert.equal(await pruner().sweep(), 1);
      assert.equal(await remaining('webhook_deliveries'), 0);
    });

    test('a delivery still being retried is kept however old it is', async () => {
      const retrying = await deliveredOnce(500);
      await age(retrying, retention + day);
      assert.equal(await pruner().sweep(), 0);
      assert.equal(await remaining('webhook_deliveries'), 1);
    });

    test('an old delivery an admin sends again is kept, and its retention starts when the new attempts end', async () => {
      const old = await deliveredOnce(200);
      await age(old, retention + day);
      assert.equal(await scheduleRedelivery(db, endpointId, old, day), true);
      assert.equal(await pruner().sweep(), 0);
      const [claim] = await claimDueDeliveries(db, 1, 60_000);
      await db.transaction((tx) => recordAttempt(tx, claim!, answeredAttempt(200), true, retry));
      assert.equal(await pruner().sweep(), 0);
      assert.equal(await remaining('webhook_attempts'), 2);
    });

    test('instances sweeping at the same moment delete every old delivery once, in batches, and fail none', async () => {
      // More than two batches of ended deliveries, written at once as the log of a busy month would hold them.
      const total = 1_234;
      await db.query(
        `INSERT INTO webhook_messages (event_id, event_type, body, received_at)
         SELECT gen_random_uuid(), 'order.created', '{}', now() - interval '40 days' FROM generate_series(1, $1)`,
        [total],
      );
      await db.query(
        `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempt_count, retry_until, created_at, finished_at)
         SELECT gen_random_uuid(), $1, event_id, 'succeeded', 1, now(), received_at, received_at FROM webhook_messages`,
        [endpointId],
      );
      const kept = await deliveredOnce(200);
      const deleted = await Promise.all([pruner().sweep(), pruner().sweep(), pruner().sweep()]);
      assert.equal(
        deleted.reduce((n, d) => n + d, 0),
        total,
      );
      const { rows } = await db.query<{ id: string }>('SELECT id FROM webhook_deliveries');
      assert.deepEqual(
        rows.map((r) => r.id),
        [kept],
      );
      assert.equal(await remaining('webhook_messages'), 1);
    });

    test('the pruned deliveries are counted in dema_webhook_deliveries_pruned_total', async () => {
      const registry = new client.Registry();
      const counting = new WebhookLogPruner(db, retention, new WebhookMetrics(registry, db), pino({ level: 'silent' }));
      await age(await deliveredOnce(200), retention + day);
      await age(await deliveredOnce(200), retention + day);
      await counting.sweep();
      const { values } = await registry.getSingleMetric('dema_webhook_deliveries_pruned_total')!.get();
      assert.equal(values[0]?.value, 2);
    });
  });
}
