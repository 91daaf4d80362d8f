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

  describe(`a failing webhook endpoint is disabled only after failing for long enough (${target.name})`, () => {
    let db: Db;
    let dispose: () => Promise<void>;

    before(async () => {
      ({ db, dispose } = await migratedDatabase(target));
    });
    after(() => dispose?.());

    const hour = 3_600_000;
    const policy = { ...retry, disableAfterFailures: 3, disableAfterFailingMs: hour };

    /** One delivery to `endpointId`, attempted at `at` with `status`; resolves whether that disabled the endpoint. */
    async function attempt(endpointId: string, at: Date, status: number): Promise<boolean> {
      await db.transaction((tx) => fanOut(tx, { id: randomUUID(), name: 'order.created', body: '{}' }, 86_400_000));
      const [claim] = (await claimDueDeliveries(db, 100, 60_000)).filter((c) => c.endpointId === endpointId);
      const recorded = await db.transaction((tx) =>
        recordAttempt(tx, claim!, { attemptedAt: at, responseStatus: status, error: null, durationMs: 1 }, status < 300, policy),
      );
      return recorded!.disabledEndpoint;
    }

    async function endpoint(): Promise<string> {
      const id = randomUUID();
      // Only this endpoint subscribes among those enabled: the others of this database are disabled or deleted by then.
      await db.query('UPDATE webhook_endpoints SET enabled = false');
      await insertEndpoint(db, { id, url: 'https://93.184.215.14/x', events: ['order.created'], secret: 'whsec_x', enabled: true });
      return id;
    }

    const enabled = async (id: string) => (await db.query<{ enabled: boolean }>('SELECT enabled FROM webhook_endpoints WHERE id = $1', [id])).rows[0]!.enabled;

    test('many failures within a minute (a receiver restarting during a busy hour) leave it enabled', async () => {
      const id = await endpoint();
      const start = Date.now();
      for (let i = 0; i < 10; i++) assert.equal(await attempt(id, new Date(start + i * 5_000), 503), false);
      assert.equal(await enabled(id), true);
    });

    test('the failure that ends an hour of failures disables it, with when the failures began in the reason', async () => {
      const id = await endpoint();
      const start = Date.now();
      assert.equal(await attempt(id, new Date(start), 503), false);
      assert.equal(await attempt(id, new Date(start + 10 * 60_000), 503), false);
      assert.equal(await attempt(id, new Date(start + hour - 1), 503), false, 'three failures, not yet an hour');
      assert.equal(await attempt(id, new Date(start + hour), 503), true);
      const { rows } = await db.query<{ enabled: boolean; disabled_reason: string }>('SELECT enabled, disabled_reason FROM webhook_endpoints WHERE id = $1', [
        id,
      ]);
      assert.equal(rows[0]!.enabled, false);
      assert.match(rows[0]!.disabled_reason, new RegExp(`after 4 consecutive failed attempts since ${new Date(start).toISOString()} \\(last: HTTP 503\\)`));
    });

    test('a success starts the run of failures again', async () => {
      const id = await endpoint();
      const start = Date.now();
      assert.equal(await attempt(id, new Date(start), 503), false);
      assert.equal(await attempt(id, new Date(start + 30 * 60_000), 200), false);
      for (const minutes of [40, 50, 60, 70, 80]) assert.equal(await attempt(id, new Date(start + minutes * 60_000), 503), false);
      assert.equal(await attempt(id, new Date(start + 100 * 60_000), 503), true, 'an hour after the first failure since the success');
    });
  });
}
