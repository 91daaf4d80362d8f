import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEntry, AuditRecordedEvent } from '@dema/contracts';
import { createEvent } from '@dema/platform';
import { testTargets, waitFor } from '@dema/platform/testing';
import { startAnalytics, type AnalyticsTestProcess } from './helpers.ts';

const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

/** An AUDIT_RECORDED as another service's outbox would publish it. */
function auditRecorded(fields: Partial<AuditRecordedEvent['payload']> = {}): AuditRecordedEvent {
  return createEvent<AuditRecordedEvent>('AUDIT_RECORDED', {
    actorId: randomUUID(),
    actorRole: 'admin',
    action: 'product.updated',
    resourceType: 'product',
    resourceId: randomUUID(),
    before: { name: 'Kettle', price: 39.9 },
    after: { name: 'Kettle', price: 34.9 },
    requestId: `req-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    ...fields,
  });
}

for (const target of testTargets()) {
  describe(`the audit log records admin actions, append-only, searchable by admins (${target.name})`, () => {
    let dema: AnalyticsTestProcess;

    before(async () => {
      dema = await startAnalytics(target);
    });
    after(() => dema?.dispose());

    const search = async (query: string): Promise<{ items: AuditEntry[]; total: number }> => {
      const reply = await dema.admin(`/api/admin/audit?${query}`);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return reply.body;
    };
    const waitForEntries = async (query: string, count: number): Promise<AuditEntry[]> => {
      await waitFor(`${count} audit entries for ${query}`, async () => (await search(query)).items.length >= count, 20_000);
      return (await search(query)).items;
    };

    test("an admin's webhook endpoint changes are recorded with who, the request id and before/after, never the secret", async () => {
      const requestId = `audit-test-${randomUUID()}`;
      const created = await dema.send(
        'admin',
        'POST',
        '/api/webhooks',
        { url: 'https://93.184.215.14/hooks', events: ['order.created'], secret },
        { 'x-request-id': requestId },
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as string;
      assert.equal((await dema.send('admin', 'PATCH', `/api/webhooks/${id}`, { events: ['order.created', 'payment.refunded'] })).status, 200);
      assert.equal((await dema.send('admin', 'DELETE', `/api/webhooks/${id}`)).status, 204);

      const entries = await search(`resourceId=${id}`);
      assert.deepEqual(
        entries.items.map((e) => e.action),
        ['webhook_endpoint.deleted', 'webhook_endpoint.updated', 'webhook_endpoint.created'],
      );
      const [deleted, updated, createdEntry] = entries.items as [AuditEntry, AuditEntry, AuditEntry];
      assert.equal(createdEntry.requestId, requestId);
      assert.equal(createdEntry.actorId, dema.userIds.admin);
      assert.equal(createdEntry.actorRole, 'admin');
      assert.equal(createdEntry.resourceType, 'webhook_endpoint');
      assert.equal(createdEntry.before, null);
      assert.deepEqual((createdEntry.after as { events: string[] }).events, ['order.created']);
      assert.deepEqual((updated.before as { events: string[] }).events, ['order.created']);
      assert.deepEqual((updated.after as { events: string[] }).events, ['order.created', 'payment.refunded']);
      assert.equal((updated.after as { secretChanged: boolean }).secretChanged, false);
      assert.equal(deleted.after, null);
      assert.equal(JSON.stringify(entries.items).includes(secret), false, 'the signing secret is never logged');
      assert.equal(new Set(entries.items.map((e) => e.requestId)).size, 3, 'each request its own id');
    });

    test('a change refused with a 4xx records nothing', async () => {
      const before = (await search('')).total;
      assert.equal((await dema.send('admin', 'PATCH', `/api/webhooks/${randomUUID()}`, { enabled: false })).status, 404);
      assert.equal((await dema.send('admin', 'POST', '/api/webhooks', { url: 'ftp://example.com', events: ['order.created'] })).status, 400);
      assert.equal((await dema.send('customer', 'POST', '/api/webhooks', { url: 'https://93.184.215.14/x', events: ['order.created'] })).status, 403);
      assert.equal((await search('')).total, before);
    });

    test("other services' AUDIT_RECORDED events are kept once each, however often delivered", async () => {
      const event = auditRecorded();
      await dema.publish(event);
      await dema.publish(event);
      const [entry] = await waitForEntries(`requestId=${event.payload.requestId}`, 1);
      // A later event behind the duplicate: once it is in, the duplicate was handled before it.
      const marker = auditRecorded();
      await dema.publish(marker);
      await waitForEntries(`requestId=${marker.payload.requestId}`, 1);
      assert.equal((await search(`requestId=${event.payload.requestId}`)).total, 1);
      assert.deepEqual(entry, {
        id: event.id,
        actorId: event.payload.actorId,
        actorRole: 'admin',
        action: 'product.updated',
        resourceType: 'product',
        resourceId: event.payload.resourceId,
        before: { name: 'Kettle', price: 39.9 },
        after: { name: 'Kettle', price: 34.9 },
        requestId: event.payload.requestId,
        at: event.payload.timestamp,
      });
    });

    test('the search filters by actor, action, resource type and id, request id, dates and free text, newest first, a page at a time', async () => {
      const actorId = randomUUID();
      const resourceId = randomUUID();
      const at = (minute: number) => `2031-01-0${1 + (minute % 2)}T10:0${minute}:00.000Z`;
      const events = [
        auditRecorded({
          actorId,
          resourceId,
          action: 'category.created',
          resourceType: 'category',
          before: null,
          after: { name: 'Teapots 100% clay' },
          timestamp: at(0),
        }),
        auditRecorded({ actorId, resourceId, action: 'category.updated', resourceType: 'category', timestamp: at(1) }),
        auditRecorded({ actorId, action: 'product.deleted', timestamp: at(2), after: null }),
        auditRecorded({ resourceId, action: 'category.deleted', resourceType: 'category', timestamp: at(3) }),
      ];
      for (const event of events) await dema.publish(event);
      await waitForEntries(`actorId=${actorId}`, 3);
      await waitForEntries(`resourceId=${resourceId}`, 3);
      const ids = async (query: string) => (await search(query)).items.map((e) => e.id);
      const [created, updated, deleted, otherActor] = events.map((e) => e.id);
      // Newest first: 10:02 and 10:00 on the 1st, 10:03 and 10:01 on the 2nd.
      assert.deepEqual(await ids(`actorId=${actorId}`), [updated, deleted, created]);
      assert.deepEqual(await ids(`actorId=${actorId}&action=category.updated`), [updated]);
      assert.deepEqual(await ids(`actorId=${actorId}&resourceType=category`), [updated, created]);
      assert.deepEqual(await ids(`resourceId=${resourceId}`), [otherActor, updated, created]);
      assert.deepEqual(await ids(`requestId=${events[2]!.payload.requestId}`), [deleted]);
      assert.deepEqual(await ids(`resourceId=${resourceId}&from=2031-01-02T00:00:00Z`), [otherActor, updated]);
      assert.deepEqual(await ids(`resourceId=${resourceId}&to=2031-01-02T00:00:00Z`), [created]);
      assert.deepEqual(await ids(`q=${encodeURIComponent('100% CLAY')}`), [created], 'case-insensitive, % matches itself');
      assert.deepEqual(await ids(`q=${encodeURIComponent('100_')}`), [], '_ matches itself');
      const page = await search(`actorId=${actorId}&limit=2&offset=2`);
      assert.deepEqual([page.items.map((e) => e.id), page.total], [[created], 3]);
      assert.deepEqual(await search(`actorId=${actorId}&limit=2&offset=10`), { items: [], total: 3, limit: 2, offset: 10 });
    });

    test('only admins search; a bad filter is a 400 naming it', async () => {
      assert.equal((await dema.customer('/api/admin/audit')).status, 403);
      assert.equal((await dema.anonymous('/api/admin/audit')).status, 401);
      for (const [query, field] of [
        ['actorId=someone', 'actorId'],
        ['from=yesterday', 'from'],
        ['limit=1000', 'limit'],
        ['colour=red', 'colour'],
      ] as const) {
        const reply = await dema.admin(`/api/admin/audit?${query}`);
        assert.equal(reply.status, 400, query);
        assert.match(reply.contentType, /^application\/problem\+json/);
        assert.ok(
          (reply.body.invalidParams as Array<{ name: string }>).some((p) => p.name.endsWith(field)),
          `${query}: ${JSON.stringify(reply.body.invalidParams)}`,
        );
      }
    });

    test('no API changes or removes an entry, and the table itself refuses UPDATE, DELETE and TRUNCATE', async () => {
      const event = auditRecorded();
      await dema.publish(event);
      await waitForEntries(`requestId=${event.payload.requestId}`, 1);
      for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
        for (const path of ['/api/admin/audit', `/api/admin/audit/${event.id}`]) {
          const reply = await dema.send('admin', method, path, method === 'DELETE' ? undefined : { action: 'nothing.happened' });
          assert.ok([404, 405].includes(reply.status), `${method} ${path}: ${reply.status}`);
        }
      }
      const db = await dema.db();
      for (const sql of [
        `UPDATE audit_log SET action = 'nothing.happened' WHERE event_id = '${event.id}'`,
        `DELETE FROM audit_log WHERE event_id = '${event.id}'`,
        'TRUNCATE audit_log',
      ]) {
        await assert.rejects(db.query(sql), /append-only/, sql);
      }
      const [entry] = (await search(`requestId=${event.payload.requestId}`)).items;
      assert.equal(entry?.action, 'product.updated');
    });

    test('an AUDIT_RECORDED that breaks its contract is not kept', async () => {
      const broken = auditRecorded({ action: 'not an action' });
      const good = auditRecorded();
      await dema.publish(broken).catch(() => undefined);
      await dema.publish(good);
      await waitForEntries(`requestId=${good.payload.requestId}`, 1);
      assert.equal((await search(`requestId=${broken.payload.requestId}`)).total, 0);
    });
  });
}
