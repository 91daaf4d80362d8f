import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Db } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { claimDueDeliveries, fanOut, insertEndpoint, recordAttempt } from '../src/webhooks/webhooks.repository.ts';
import { answeredAttempt, migratedDatabase, webhookRetry as retry } from './helpers.ts';

for (const target of testTargets()) {
  describe(`webhook deliveries are claimed with a lease (${target.name})`, () => {
    let db: Db;
    let dispose: () => Promise<void>;
    let endpointId: string;

    before(async () => {
      ({ db, dispose } = await migratedDatabase(target));
      endpointId = randomUUID();
      await insertEndpoint(db, { id: endpointId, url: 'https://93.184.215.14/x', events: ['order.created'], secret: 'whsec_x', enabled: true });
    });
    after(() => dispose?.());

    async function deliveriesOf(count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        await db.transaction((tx) => fanOut(tx, { id: randomUUID(), name: 'order.created', body: '{}' }, 86_400_000));
      }
    }

    test('instances claiming at the same moment never get the same delivery, and together get them all', async () => {
      await deliveriesOf(30);
      const claims = await Promise.all(Array.from({ length: 4 }, () => claimDueDeliveries(db, 30, 60_000)));
      const ids = claims.flat().map((c) => c.id);
      assert.equal(ids.length, 30);
      assert.equal(new Set(ids).size, 30);
      assert.deepEqual(await claimDueDeliveries(db, 30, 60_000), [], 'a leased delivery is not due');
      for (const claim of claims.flat()) await db.transaction((tx) => recordAttempt(tx, claim, answeredAttempt(200), true, retry));
    });

    test('a lease that ran out is claimed again, and only the newer holder records its attempt', async () => {
      await deliveriesOf(1);
      const [first] = await claimDueDeliveries(db, 10, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const [second] = await claimDueDeliveries(db, 10, 60_000);
      assert.equal(second?.id, first?.id);
      assert.equal(await db.transaction((tx) => recordAttempt(tx, first!, answeredAttempt(200), true, retry)), undefined);
      assert.deepEqual(await db.transaction((tx) => recordAttempt(tx, second!, answeredAttempt(200), true, retry)), {
        status: 'succeeded',
        disabledEndpoint: false,
      });
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_attempts WHERE delivery_id = $1', [first!.id]);
      assert.equal(rows[0]!.n, 1);
    });

    test('a failed attempt makes the delivery due again only after its back-off', async () => {
      await deliveriesOf(1);
      const [claim] = await claimDueDeliveries(db, 10, 60_000);
      assert.deepEqual(await db.transaction((tx) => recordAttempt(tx, claim!, answeredAttempt(500), false, retry)), {
        status: 'pending',
        disabledEndpoint: false,
      });
      assert.deepEqual(await claimDueDeliveries(db, 10, 60_000), []);
    });

    test('a failure whose next attempt would fall after the retry window ends the delivery as failed', async () => {
      await db.transaction((tx) => fanOut(tx, { id: randomUUID(), name: 'order.created', body: '{}' }, 1_000));
      const [claim] = await claimDueDeliveries(db, 10, 60_000);
      assert.deepEqual(await db.transaction((tx) => recordAttempt(tx, claim!, answeredAttempt(502), false, retry)), {
        status: 'failed',
        disabledEndpoint: false,
      });
    });
  });
}
