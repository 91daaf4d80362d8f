import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Problem } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startAnalytics, type AnalyticsTestProcess, type Reply } from './helpers.ts';

function assertProblem(reply: Reply, status: number, code: string, fields?: string[]): Problem {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.match(reply.contentType, /^application\/problem\+json/);
  const problem = reply.body as Problem;
  assert.equal(problem.code, code);
  if (fields)
    assert.deepEqual([...new Set((problem.invalidParams ?? []).map((p) => p.name))].sort(), [...fields].sort(), JSON.stringify(problem.invalidParams));
  return problem;
}

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

for (const target of testTargets()) {
  // The defaults: private receivers refused, as on a real installation.
  describe(`webhook endpoints are for admins, refuse bad input and private receivers (${target.name})`, () => {
    let dema: AnalyticsTestProcess;

    before(async () => {
      dema = await startAnalytics(target);
    });
    after(() => dema?.dispose());

    async function endpointCount(): Promise<number> {
      return (await dema.admin('/api/webhooks')).body.items.length;
    }

    test('an admin creates, reads, lists, changes and deletes an endpoint; the list hides secrets', async () => {
      const created = await dema.send('admin', 'POST', '/api/webhooks', { url: 'https://93.184.215.14/hooks', events: ['order.created'], secret });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(
        { ...created.body, id: undefined, createdAt: undefined, updatedAt: undefined },
        {
          id: undefined,
          url: 'https://93.184.215.14/hooks',
          events: ['order.created'],
          secret,
          enabled: true,
          disabledReason: null,
          failingSince: null,
          consecutiveFailures: 0,
          createdAt: undefined,
          updatedAt: undefined,
        },
      );
      const id = created.body.id;
      assert.equal((await dema.admin(`/api/webhooks/${id}`)).body.secret, secret);
      const listed = (await dema.admin('/api/webhooks')).body.items.find((e: any) => e.id === id);
      assert.equal('secret' in listed, false);
      const changed = await dema.send('admin', 'PATCH', `/api/webhooks/${id}`, { events: ['order.created', 'payment.refunded'], enabled: false });
      assert.equal(changed.status, 200);
      assert.deepEqual([changed.body.events, changed.body.enabled, changed.body.disabledReason], [['order.created', 'payment.refunded'], false, null]);
      assert.equal((await dema.send('admin', 'DELETE', `/api/webhooks/${id}`)).status, 204);
      assertProblem(await dema.admin(`/api/webhooks/${id}`), 404, 'WEBHOOK_ENDPOINT_NOT_FOUND');
      assertProblem(await dema.send('admin', 'DELETE', `/api/webhooks/${id}`), 404, 'WEBHOOK_ENDPOINT_NOT_FOUND');
    });

    test('without a secret, one is generated: whsec_ and 24 random bytes in base64', async () => {
      const first = await dema.send('admin', 'POST', '/api/webhooks', { url: 'https://93.184.215.14/a', events: ['stock.updated'] });
      const second = await dema.send('admin', 'POST', '/api/webhooks', { url: 'https://93.184.215.14/b', events: ['stock.updated'] });
      for (const reply of [first, second]) {
        assert.equal(reply.status, 201);
        assert.match(reply.body.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
        assert.equal(Buffer.from(reply.body.secret.slice(6), 'base64').length, 24);
      }
      assert.notEqual(first.body.secret, second.body.secret);
    });

    test('customers get 403 and anonymous callers 401 on every webhook route', async () => {
      const id = randomUUID();
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/api/webhooks'],
        ['POST', '/api/webhooks', { url: 'https://93.184.215.14/x', events: ['order.created'] }],
        ['GET', `/api/webhooks/${id}`],
        ['PATCH', `/api/webhooks/${id}`, { enabled: false }],
        ['DELETE', `/api/webhooks/${id}`],
        ['GET', `/api/webhooks/${id}/deliveries`],
        ['POST', `/api/webhooks/${id}/deliveries/${id}/redeliver`],
      ];
      const before = await endpointCount();
      for (const [method, path, body] of routes) {
        assertProblem(await dema.send('customer', method, path, body), 403, 'FORBIDDEN');
        assertProblem(await dema.send('anonymous', method, path, body), 401, 'UNAUTHENTICATED');
      }
      assert.equal(await endpointCount(), before);
    });

    const refusedUrls = [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://10.1.2.3/hook',
      'http://172.16.0.1/hook',
      'http://192.168.1.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://0.0.0.0/hook',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/hook',
      'http://name.invalid/hook',
      'https://user:pass@93.184.215.14/hook',
      'https://token@93.184.215.14/hook',
    ];
    for (const url of refusedUrls) {
      test(`POST ${url} → 422 WEBHOOK_URL_REFUSED naming body.url, nothing created`, async () => {
        const before = await endpointCount();
        assertProblem(await dema.send('admin', 'POST', '/api/webhooks', { url, events: ['order.created'] }), 422, 'WEBHOOK_URL_REFUSED', ['body.url']);
        assert.equal(await endpointCount(), before);
      });
    }

    test('PATCH to a private URL is refused and changes nothing', async () => {
      const { body } = await dema.send('admin', 'POST', '/api/webhooks', { url: 'https://93.184.215.14/kept', events: ['order.created'] });
      assertProblem(await dema.send('admin', 'PATCH', `/api/webhooks/${body.id}`, { url: 'http://127.0.0.1/x', enabled: false }), 422, 'WEBHOOK_URL_REFUSED', [
        'body.url',
      ]);
      const after = (await dema.admin(`/api/webhooks/${body.id}`)).body;
      assert.deepEqual([after.url, after.enabled], ['https://93.184.215.14/kept', true]);
    });

    test('PATCH to a URL with a user name and password is refused naming body.url, without echoing them, and changes nothing', async () => {
      const { body } = await dema.send('admin', 'POST', '/api/webhooks', { url: 'https://93.184.215.14/kept', events: ['order.created'] });
      const reply = await dema.send('admin', 'PATCH', `/api/webhooks/${body.id}`, { url: 'https://shop:hunter2@93.184.215.14/x' });
      const problem = assertProblem(reply, 422, 'WEBHOOK_URL_REFUSED', ['body.url']);
      assert.match(problem.invalidParams![0]!.reason, /user name or password/);
      assert.doesNotMatch(JSON.stringify(problem), /hunter2/);
      assert.equal((await dema.admin(`/api/webhooks/${body.id}`)).body.url, 'https://93.184.215.14/kept');
    });

    const badBodies: Array<[string, unknown, string[]]> = [
      ['an event not in the catalog', { url: 'https://93.184.215.14/x', events: ['order.deleted'] }, ['body.events.0']],
      ['no events', { url: 'https://93.184.215.14/x', events: [] }, ['body.events']],
      ['an event twice', { url: 'https://93.184.215.14/x', events: ['order.created', 'order.created'] }, ['body.events']],
      ['a URL that is not http(s)', { url: 'ftp://93.184.215.14/x', events: ['order.created'] }, ['body.url']],
      ['a URL that is not a URL', { url: 'hooks', events: ['order.created'] }, ['body.url']],
      ['a secret without whsec_', { url: 'https://93.184.215.14/x', events: ['order.created'], secret: 'topsecret' }, ['body.secret']],
      ['a secret too short', { url: 'https://93.184.215.14/x', events: ['order.created'], secret: 'whsec_c2hvcnQ=' }, ['body.secret']],
      ['an unknown field', { url: 'https://93.184.215.14/x', events: ['order.created'], retries: 3 }, ['body.retries']],
      ['no url', { events: ['order.created'] }, ['body.url']],
    ];
    for (const [what, body, fields] of badBodies) {
      test(`POST /api/webhooks with ${what} → 400 naming ${fields.join(', ')}, nothing created`, async () => {
        const before = await endpointCount();
        assertProblem(await dema.send('admin', 'POST', '/api/webhooks', body), 400, 'VALIDATION_FAILED', fields);
        assert.equal(await endpointCount(), before);
      });
    }

    test('PATCH with no field, an id that is not a uuid, or a bad delivery query → 400 naming the field', async () => {
      const { body } = await dema.send('admin', 'POST', '/api/webhooks', { url: 'https://93.184.215.14/p', events: ['order.created'] });
      assertProblem(await dema.send('admin', 'PATCH', `/api/webhooks/${body.id}`, {}), 400, 'VALIDATION_FAILED');
      assertProblem(await dema.admin('/api/webhooks/nope'), 400, 'VALIDATION_FAILED', ['path.id']);
      assertProblem(await dema.admin(`/api/webhooks/${body.id}/deliveries?status=lost`), 400, 'VALIDATION_FAILED', ['query.status']);
      assertProblem(await dema.admin(`/api/webhooks/${body.id}/deliveries?limit=0`), 400, 'VALIDATION_FAILED', ['query.limit']);
      assertProblem(await dema.admin(`/api/webhooks/${randomUUID()}/deliveries`), 404, 'WEBHOOK_ENDPOINT_NOT_FOUND');
      assertProblem(await dema.send('admin', 'POST', `/api/webhooks/${body.id}/deliveries/${randomUUID()}/redeliver`), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
    });

    test('redeliver takes no body or an empty object: a field is a 400 naming it', async () => {
      const { body } = await dema.send('admin', 'POST', '/api/webhooks', { url: 'https://93.184.215.14/r', events: ['order.created'] });
      const redeliver = `/api/webhooks/${body.id}/deliveries/${randomUUID()}/redeliver`;
      assertProblem(await dema.send('admin', 'POST', redeliver, { at: 'now' }), 400, 'VALIDATION_FAILED', ['body.at']);
      assertProblem(await dema.send('admin', 'POST', redeliver, {}), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
    });
  });
}
