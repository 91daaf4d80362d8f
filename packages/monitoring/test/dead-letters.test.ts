import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@dema/contracts';
import { OutboxRelay, appendToOutbox, platformMigrations, runMigrations, type Db, type DeadLetter, type ServiceFactory } from '@dema/platform';
import { startTestProcess, testTargets, waitFor, sampleOrderCreated as orderCreated, type TestProcess } from '@dema/platform/testing';
import { createMonitoring } from '../src/index.ts';
import { testIdentity } from './alerting-receivers.ts';

/** A service that writes events to its outbox, relayed to the bus as every service's are. */
function writer(): { factory: ServiceFactory; db: () => Db; relay: () => OutboxRelay } {
  let db: Db | undefined;
  let relay: OutboxRelay | undefined;
  const factory: ServiceFactory = async (infra) => {
    db = await infra.database('order');
    await runMigrations(db, [platformMigrations]);
    relay = new OutboxRelay(db, infra.bus, infra.log, infra.metrics, { pollMs: 200 });
    infra.deadLetters.add(relay);
    return { name: 'writer', schemas: [], routes: async () => undefined, start: () => relay!.start(), close: () => relay!.stop() };
  };
  return { factory, db: () => db!, relay: () => relay! };
}

for (const target of testTargets()) {
  describe(`dead letters in the metrics and the admin (${target.name})`, () => {
    let dema: TestProcess;
    let service: ReturnType<typeof writer>;
    let adminToken: string;
    let customerToken: string;
    const call = async (method: string, url: string, body?: unknown, token: string | null = adminToken) =>
      fetch(`${dema.url}${url}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const deadLetters = async () => ((await (await call('GET', '/api/monitoring/dead-letters')).json()) as { items: DeadLetter[] }).items;
    const gauge = async () => {
      const text = await dema.infra.metrics.registry.metrics();
      return [...text.matchAll(/^events_dead_letters\{source="([^"]+)"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[2]), 0);
    };

    before(async () => {
      const identity = await testIdentity();
      service = writer();
      dema = await startTestProcess(target, [async () => identity.module, service.factory, (infra) => createMonitoring(infra)]);
      adminToken = await identity.token('admin');
      customerToken = await identity.token('customer');
    });
    after(() => dema?.dispose());

    test('a consumer that always fails leaves the event dead-lettered, listed for the admin and counted; a retry from the admin delivers it once', async () => {
      const consumer = `fragile-${randomBytes(3).toString('hex')}`;
      let broken = true;
      const handled: EventEnvelope[] = [];
      let failures = 0;
      await dema.infra.bus.subscribe(consumer, ['order.#'], async (event) => {
        if (broken) {
          failures += 1;
          throw new Error('the consumer is broken');
        }
        handled.push(event);
      });
      const event = orderCreated(1);
      await service.db().transaction((tx) => appendToOutbox(tx, event));
      service.relay().notify();

      await waitFor('the event to be dead-lettered', async () => (await deadLetters()).some((d) => d.id === event.id), 30_000);
      const [dead] = (await deadLetters()).filter((d) => d.id === event.id);
      assert.equal(dead!.type, 'ORDER_CREATED');
      assert.deepEqual(dead!.consumers, [consumer]);
      assert.match(dead!.error, /the consumer is broken/);
      assert.ok(dead!.attempts >= 1);
      assert.ok(failures >= 5);
      assert.equal(await gauge(), 1);
      assert.equal(handled.length, 0);

      // Admins only, as every monitoring route.
      assert.equal((await call('GET', '/api/monitoring/dead-letters', undefined, null)).status, 401);
      assert.equal((await call('GET', '/api/monitoring/dead-letters', undefined, customerToken)).status, 403);
      assert.equal((await call('POST', '/api/monitoring/dead-letters/retry', {}, customerToken)).status, 403);
      const bad = await call('POST', '/api/monitoring/dead-letters/retry', { ids: ['not-a-uuid'] });
      assert.equal(bad.status, 400);
      assert.match(bad.headers.get('content-type') ?? '', /^application\/problem\+json/);

      // Still there a while later: given up on, not retried in a loop, not lost.
      const failed = failures;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(failures, failed);
      assert.equal((await deadLetters()).length, 1);

      broken = false;
      const retry = await call('POST', '/api/monitoring/dead-letters/retry', { ids: [event.id] });
      assert.equal(retry.status, 200);
      assert.deepEqual(await retry.json(), { retried: 1 });
      await waitFor('the retried event to be handled', () => handled.length > 0, 30_000);
      await waitFor('the dead letter to be gone', async () => (await deadLetters()).length === 0 && (await gauge()) === 0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(
        handled.map((e) => e.id),
        [event.id],
      );
      assert.deepEqual(handled[0]!.payload, event.payload);
    });

    test("an admin's retry is an audit entry with who, the request id, the letters and how many went back; a refused one is none", async () => {
      const entries: EventEnvelope[] = [];
      await dema.infra.bus.subscribe(`audit-${randomBytes(3).toString('hex')}`, ['audit.recorded'], async (event) => {
        entries.push(event);
      });
      assert.equal((await call('POST', '/api/monitoring/dead-letters/retry', {}, customerToken)).status, 403);
      assert.equal((await call('POST', '/api/monitoring/dead-letters/retry', { ids: ['not-a-uuid'] })).status, 400);

      const requestId = `retry-${randomUUID()}`;
      const letter = randomUUID();
      const retry = await fetch(`${dema.url}/api/monitoring/dead-letters/retry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ ids: [letter.toUpperCase()] }),
      });
      assert.equal(retry.status, 200);
      assert.deepEqual(await retry.json(), { retried: 0 });

      await waitFor('the audit entry', () => entries.length > 0, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(entries.length, 1, 'the refused retries recorded nothing');
      const entry = entries[0]!;
      assert.equal(entry.type, 'AUDIT_RECORDED');
      assert.deepEqual(
        { ...(entry.payload as Record<string, unknown>), timestamp: undefined, actorId: undefined },
        {
          actorId: undefined,
          actorRole: 'admin',
          action: 'dead_letters.retried',
          resourceType: 'dead_letters',
          resourceId: letter,
          before: null,
          after: { ids: [letter], retried: 0 },
          requestId,
          timestamp: undefined,
        },
      );
    });
  });
}
