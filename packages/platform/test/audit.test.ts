import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import Type from 'typebox';
import { systemActor, type AuditRecordedEvent, type Principal } from '@dema/contracts';
import {
  auditEventOf,
  createHttpServer,
  createLogger,
  forwardedRequest,
  listen,
  Metrics,
  runForRequest,
  systemAuditEventOf,
  type DemaApp,
} from '@dema/platform';

const admin: Principal = { kind: 'user', userId: '7f0c2a4e-1111-4000-8000-000000000001', role: 'admin', sessionId: 's1' };
const change = { action: 'product.updated', resourceType: 'product', resourceId: 'p1', before: { price: 1 }, after: { price: 2 } };

describe('who and which request an audit entry names', () => {
  test('outside any request, or for an anonymous caller, a change is no admin action: no entry', () => {
    assert.equal(auditEventOf(change), undefined);
    assert.equal(
      runForRequest({ id: 'r1', principal: { kind: 'anonymous' } }, () => auditEventOf(change)),
      undefined,
    );
  });

  test("inside a request: the caller's id and role, the request id, and before/after as JSON reads them back", async () => {
    const when = new Date('2031-05-01T10:00:00.000Z');
    const event = await runForRequest({ id: 'req-42', principal: admin }, async () => {
      await delay(1); // the request is still known after an await
      return auditEventOf({ ...change, before: { at: when, gone: undefined }, after: undefined });
    });
    assert.ok(event);
    assert.equal(event.type, 'AUDIT_RECORDED');
    const { timestamp, ...payload } = event.payload;
    assert.deepEqual(payload, {
      actorId: admin.kind === 'user' ? admin.userId : '',
      actorRole: 'admin',
      action: 'product.updated',
      resourceType: 'product',
      resourceId: 'p1',
      before: { at: '2031-05-01T10:00:00.000Z' },
      after: null,
      requestId: 'req-42',
    } satisfies Omit<AuditRecordedEvent['payload'], 'timestamp'>);
    assert.ok(!Number.isNaN(Date.parse(timestamp)));
  });

  test("a change made from the machine is the system's, inside a request or not, with a request id of its origin and a new id", () => {
    const outside = systemAuditEventOf(change, 'create-admin');
    const inside = runForRequest({ id: 'req-7', principal: admin }, () => systemAuditEventOf(change, 'create-admin'));
    for (const event of [outside, inside]) {
      assert.deepEqual([event.payload.actorId, event.payload.actorRole, event.payload.action], [systemActor.id, 'system', 'product.updated']);
      assert.match(event.payload.requestId, /^create-admin:[0-9a-f-]{36}$/);
    }
    assert.notEqual(outside.payload.requestId, inside.payload.requestId);
  });

  test('two requests at once each keep their own', async () => {
    const ids = await Promise.all(
      ['a', 'b', 'c'].map((id, i) =>
        runForRequest({ id, principal: admin }, async () => {
          await delay(5 - i);
          return auditEventOf(change)?.payload.requestId;
        }),
      ),
    );
    assert.deepEqual(ids, ['a', 'b', 'c']);
  });
});

/** The platform's HTTP server as a service builds it, with what the test varies. */
const kitServer = (options: Pick<Parameters<typeof createHttpServer>[0], 'authenticate' | 'serviceToken'>): DemaApp =>
  createHttpServer({ log: createLogger('silent'), metrics: new Metrics(), bodyLimit: 1024, service: 'test', ...options });

describe('the HTTP kit runs every handler inside its request', () => {
  let app: DemaApp;
  let url: string;

  before(async () => {
    app = kitServer({ authenticate: async (request) => (request.headers.authorization ? admin : { kind: 'anonymous' }) });
    // A body parsed from the socket's events, then an await: the request must still be known after both.
    app.post('/changes', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async () => {
      await delay(1);
      return { requestId: auditEventOf(change)?.payload.requestId ?? null };
    });
    url = await listen(app, { host: '127.0.0.1', port: 0 });
  });
  after(() => app.close());

  const post = async (headers: Record<string, string>) =>
    (await (await fetch(`${url}/changes`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"n":1}' })).json()) as {
      requestId: string | null;
    };

  test("the x-request-id the client sent is the entry's request id", async () => {
    assert.deepEqual(await post({ authorization: 'Bearer x', 'x-request-id': 'client-chosen-1' }), { requestId: 'client-chosen-1' });
  });

  test('an anonymous request records nothing', async () => {
    assert.deepEqual(await post({ 'x-request-id': 'client-chosen-2' }), { requestId: null });
  });
});

describe('a service-to-service call acts for the user of the request that made it', () => {
  const serviceToken = 'audit-forwarding-test-token';
  let app: DemaApp;
  let url: string;

  before(async () => {
    app = kitServer({ authenticate: async () => ({ kind: 'anonymous' }), serviceToken });
    const actor = async () => {
      const payload = auditEventOf(change)?.payload;
      return { actorId: payload?.actorId ?? null, actorRole: payload?.actorRole ?? null, requestId: payload?.requestId ?? null };
    };
    app.post('/internal/changes', { config: { internal: true } }, actor);
    app.post('/public/changes', actor);
    url = await listen(app, { host: '127.0.0.1', port: 0 });
  });
  after(() => app.close());

  /** What the calling service sends: the headers `forwardedRequest` gives inside its request. */
  const forwarded = (principal: Principal) => runForRequest({ id: 'caller-request-9', principal }, () => forwardedRequest());
  const post = async (path: string, headers: Record<string, string>) =>
    (await (await fetch(`${url}${path}`, { method: 'POST', headers })).json()) as Record<string, string | null>;

  test('with the service token, the called route records the forwarded user and request id', async () => {
    assert.deepEqual(await post('/internal/changes', { ...forwarded(admin), 'x-dema-service-token': serviceToken }), {
      actorId: admin.kind === 'user' ? admin.userId : null,
      actorRole: 'admin',
      requestId: 'caller-request-9',
    });
  });

  test('outside a request, or for an anonymous one, nobody is forwarded', async () => {
    assert.deepEqual(forwardedRequest(), {});
    assert.deepEqual(Object.keys(forwarded({ kind: 'anonymous' })), ['x-request-id']);
  });

  test('a public route ignores the header: only a caller holding the service token may name a user', async () => {
    assert.deepEqual(await post('/public/changes', forwarded(admin)), { actorId: null, actorRole: null, requestId: null });
  });

  test('without the right service token the internal route refuses the call; a malformed user records nothing', async () => {
    const refused = await fetch(`${url}/internal/changes`, { method: 'POST', headers: { ...forwarded(admin), 'x-dema-service-token': 'wrong' } });
    assert.equal(refused.status, 403);
    const malformed = await post('/internal/changes', { 'x-dema-acting-user': 'not-json', 'x-dema-service-token': serviceToken });
    assert.equal(malformed.actorId, null);
    const badRole = Buffer.from(JSON.stringify({ userId: 'u', role: 'root', sessionId: 's' })).toString('base64url');
    assert.equal((await post('/internal/changes', { 'x-dema-acting-user': badRole, 'x-dema-service-token': serviceToken })).actorId, null);
  });
});
