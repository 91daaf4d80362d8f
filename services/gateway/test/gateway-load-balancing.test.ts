import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { problemContentType } from '@dema/contracts';
import { waitFor } from '@dema/platform/testing';
import pino from 'pino';
import type { RunningGateway } from '../src/edge/run-gateway.ts';
import { UpstreamPool } from '../src/edge/upstream-pool.ts';
import { startTestGateway, TestUpstream } from './support/index.ts';

/**
 * Load balancing, health checks, retries and timeouts, against real HTTP servers standing in for
 * product instances (their behaviour is what these tests control) behind a real gateway.
 */

const unlimited = { rateLimitAllowlist: ['127.0.0.0/8', '::1'] };

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function post(base: string, path: string, headers: Record<string, string> = {}, body = '{"name":"x"}') {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A request with exactly this path and these headers on the wire (fetch resolves `..` and refuses hop-by-hop headers). */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${base}${path}`, { method: 'GET', path, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

async function instanceState(gateway: RunningGateway, service: string, url: string): Promise<string | undefined> {
  const ready = (await (await fetch(`${gateway.url}/health/ready`)).json()) as { upstreams: Record<string, Array<{ url: string; state: string }>> };
  return ready.upstreams[service]?.find((i) => i.url === url)?.state;
}

describe('gateway load balancing', () => {
  let users: TestUpstream;
  before(async () => {
    users = await TestUpstream.start('user');
  });
  after(() => users.close());

  describe('across three healthy instances', () => {
    let instances: TestUpstream[];
    let gateway: RunningGateway;
    before(async () => {
      instances = await Promise.all(['a', 'b', 'c'].map((name) => TestUpstream.start(name)));
      gateway = await startTestGateway({}, { upstreams: { user: [users.url], product: instances.map((i) => i.url) }, policies: unlimited });
    });
    after(async () => {
      await gateway.close();
      await Promise.all(instances.map((i) => i.close()));
    });

    test('spreads requests evenly, round-robin, over every instance', async () => {
      const before = instances.map((i) => i.hits('/api/').length);
      for (let i = 0; i < 30; i++) assert.equal((await get(gateway.url, '/api/products')).status, 200);
      assert.deepEqual(
        instances.map((instance, i) => instance.hits('/api/').length - before[i]!),
        [10, 10, 10],
      );
    });

    test('a failing health check takes an instance out within seconds, and it takes traffic again once it passes', async () => {
      const [, b] = instances as [TestUpstream, TestUpstream, TestUpstream];
      b.healthy = false;
      const began = Date.now();
      await waitFor('b to be reported down', async () => (await instanceState(gateway, 'product', b.url)) === 'down', 5_000);
      assert.ok(Date.now() - began < 3_000, `taken out after ${Date.now() - began} ms`);
      const whileDown = b.hits('/api/').length;
      for (let i = 0; i < 20; i++) assert.equal((await get(gateway.url, '/api/products')).status, 200);
      assert.equal(b.hits('/api/').length, whileDown, 'no request went to the instance that is down');

      b.healthy = true;
      await waitFor('b to be reported up', async () => (await instanceState(gateway, 'product', b.url)) === 'up', 5_000);
      const afterRecovery = b.hits('/api/').length;
      for (let i = 0; i < 30; i++) assert.equal((await get(gateway.url, '/api/products')).status, 200);
      assert.equal(b.hits('/api/').length - afterRecovery, 10, 'the recovered instance has its share again');
    });

    test('/health/ready lists every instance of every upstream with its state', async () => {
      const response = await fetch(`${gateway.url}/health/ready`);
      assert.equal(response.status, 200);
      const ready = (await response.json()) as { status: string; upstreams: Record<string, Array<{ url: string; state: string; since: string }>> };
      assert.deepEqual(
        ready.upstreams.product!.map((i) => i.url),
        instances.map((i) => i.url),
      );
      assert.deepEqual(
        ready.upstreams.user!.map((i) => i.url),
        [users.url],
      );
      for (const instance of Object.values(ready.upstreams).flat()) {
        assert.equal(instance.state, 'up');
        assert.ok(!Number.isNaN(Date.parse(instance.since)));
      }
      assert.equal(ready.status, 'up');
    });
  });

  test('a readiness that says draining takes an instance out on its first check; a plain 503 needs two in a row', async () => {
    const [draining, failing] = await Promise.all([TestUpstream.start('draining'), TestUpstream.start('failing')]);
    // Checked by hand, one round at a time: the interval never fires within the test.
    const pool = new UpstreamPool('product', [draining.url, failing.url], { log: pino({ level: 'silent' }), healthIntervalMs: 60_000 });
    const states = () => pool.status().map((instance) => instance.state);
    try {
      await pool.checkAll();
      assert.deepEqual(states(), ['up', 'up']);
      draining.healthy = 'draining';
      failing.healthy = false;
      await pool.checkAll();
      assert.deepEqual(states(), ['down', 'up'], 'after one check');
      assert.match(pool.status()[0]!.lastError ?? '', /draining/);
      await pool.checkAll();
      assert.deepEqual(states(), ['down', 'down'], 'after two checks');
      draining.healthy = true;
      await pool.checkAll();
      assert.deepEqual(states(), ['up', 'down'], 'a restarted instance is back on its first passed check');
    } finally {
      await pool.close();
      await Promise.all([draining.close(), failing.close()]);
    }
  });

  describe('failures of one of two instances', () => {
    let x: TestUpstream;
    let y: TestUpstream;
    let gateway: RunningGateway;
    before(async () => {
      x = await TestUpstream.start('x');
      y = await TestUpstream.start('y');
      // Checks every minute: only what a request meets can take an instance out in these tests.
      gateway = await startTestGateway(
        {},
        { upstreams: { user: [users.url], product: [x.url, y.url], order: [x.url, y.url] }, policies: unlimited, healthIntervalMs: 60_000, timeoutMs: 300 },
      );
    });
    after(async () => {
      await gateway.close();
      await x.close();
      await y.close();
    });

    /** Brings x back (answering, and in rotation) after a test broke it. */
    const restoreX = async () => {
      x.behaviour = 'ok';
      y.behaviour = 'ok';
      await gateway.gateway.pools.product!.checkAll();
      assert.equal(await instanceState(gateway, 'product', x.url), 'up');
    };

    test('a GET whose instance drops the connection is sent once more, to the other instance, and succeeds', async () => {
      x.behaviour = 'drop';
      const before = x.hits('/api/').length;
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const id = `retry-get-${i}`;
        ids.push(id);
        const response = await get(gateway.url, '/api/products', { 'x-request-id': id });
        assert.equal(response.status, 200, response.text);
        assert.equal(JSON.parse(response.text).instance, 'y');
      }
      const dropped = x
        .hits('/api/')
        .slice(before)
        .map((r) => r.headers['x-request-id']);
      assert.ok(dropped.length >= 1, 'x was tried');
      for (const id of dropped)
        assert.ok(
          y.hits('/api/').some((r) => r.headers['x-request-id'] === id),
          `${id} retried on y`,
        );
      assert.equal(await instanceState(gateway, 'product', x.url), 'down', 'the instance that dropped it is out');
      await restoreX();
    });

    test('a GET whose instance dies half-way through the answer is answered whole by the other', async () => {
      x.behaviour = 'truncate';
      for (let i = 0; i < 4; i++) {
        const response = await get(gateway.url, '/api/products', { 'x-request-id': `truncated-${i}` });
        assert.equal(response.status, 200);
        assert.equal(JSON.parse(response.text).instance, 'y', 'a complete body from y');
      }
      assert.ok(
        x.hits('/api/').some((r) => String(r.headers['x-request-id']).startsWith('truncated-')),
        'x was tried',
      );
      await restoreX();
    });

    test('a POST without Idempotency-Key is never sent twice: the dropped one is a 502', async () => {
      x.behaviour = 'drop';
      let failed: { status: number; text: string; id: string } | undefined;
      for (let i = 0; i < 4 && !failed; i++) {
        const id = `post-no-key-${i}`;
        const response = await post(gateway.url, '/api/products', { 'x-request-id': id });
        if (response.status !== 200) failed = { ...response, id };
      }
      assert.ok(failed, 'one POST went to x');
      assert.equal(failed.status, 502, failed.text);
      assert.equal(JSON.parse(failed.text).code, 'UNAVAILABLE');
      assert.ok(!y.hits('/api/').some((r) => r.headers['x-request-id'] === failed!.id), 'y never saw the POST that x dropped');
      await restoreX();
    });

    test('a POST without Idempotency-Key is not sent to another instance even when the first refused it', async () => {
      await x.kill();
      let failed: { status: number; id: string } | undefined;
      for (let i = 0; i < 4 && !failed; i++) {
        const id = `post-refused-${i}`;
        const response = await post(gateway.url, '/api/products', { 'x-request-id': id });
        if (response.status !== 200) failed = { status: response.status, id };
      }
      assert.ok(failed, 'one POST was sent to the dead instance');
      assert.equal(failed.status, 503);
      assert.ok(!y.hits('/api/').some((r) => r.headers['x-request-id'] === failed!.id));
      await x.revive();
      await restoreX();
    });

    test('a POST with an Idempotency-Key to a route that honours keys (placing an order) is sent once more to the other instance', async () => {
      x.behaviour = 'drop';
      for (let i = 0; i < 4; i++) {
        const id = `post-key-${i}`;
        const response = await post(gateway.url, '/api/orders', { 'x-request-id': id, 'idempotency-key': `key-${i}` });
        assert.equal(response.status, 200, response.text);
        const atY = y.hits('/api/').filter((r) => r.headers['x-request-id'] === id);
        assert.equal(atY.length, 1);
        assert.equal(atY[0]!.headers['idempotency-key'], `key-${i}`);
      }
      assert.ok(
        x.hits('/api/').some((r) => String(r.headers['x-request-id']).startsWith('post-key-')),
        'x was tried first at least once',
      );
      await restoreX();
    });

    test('a POST with an Idempotency-Key to a route that ignores keys (a stock adjustment) is not sent twice: the dropped one is a 502', async () => {
      x.behaviour = 'drop';
      let failed: { status: number; text: string; id: string } | undefined;
      for (let i = 0; i < 4 && !failed; i++) {
        const id = `adjust-key-${i}`;
        const response = await post(
          gateway.url,
          '/api/products/0b6f3d52-44a1-4a57-9a3e-1f0e7c2b9a10/stock-adjustments',
          { 'x-request-id': id, 'idempotency-key': `adjust-${i}` },
          '{"delta":5}',
        );
        if (response.status !== 200) failed = { ...response, id };
      }
      assert.ok(failed, 'one adjustment went to x');
      assert.equal(failed.status, 502, failed.text);
      assert.ok(!y.hits('/api/').some((r) => r.headers['x-request-id'] === failed!.id), 'y never saw the adjustment that x dropped');
      await restoreX();
    });

    test('a killed instance is out on its first refused connection, and no GET fails meanwhile', async () => {
      await x.kill();
      for (let i = 0; i < 10; i++) assert.equal((await get(gateway.url, '/api/products')).status, 200);
      assert.equal(await instanceState(gateway, 'product', x.url), 'down');
      await x.revive();
      await restoreX();
      const before = x.hits('/api/').length;
      for (let i = 0; i < 10; i++) assert.equal((await get(gateway.url, '/api/products')).status, 200);
      assert.equal(x.hits('/api/').length - before, 5, 'back in rotation');
    });

    test('an instance answering 503 with Connection: close (shutting down) is skipped: the GET is answered by the other', async () => {
      x.behaviour = 'closing';
      for (let i = 0; i < 4; i++) {
        const response = await get(gateway.url, '/api/products');
        assert.equal(response.status, 200);
        assert.equal(JSON.parse(response.text).instance, 'y');
      }
      assert.equal(await instanceState(gateway, 'product', x.url), 'down');
      await restoreX();
    });

    test('an upstream slower than the timeout gets a 504 problem, without a retry', async () => {
      x.behaviour = 'slow';
      y.behaviour = 'slow';
      // Far beyond the 300 ms timeout, so that the bound below separates a timeout from waiting for
      // the answer even on a loaded machine.
      x.delayMs = y.delayMs = 6_000;
      const began = Date.now();
      const response = await get(gateway.url, '/api/products', { 'x-request-id': 'too-slow' });
      const took = Date.now() - began;
      assert.equal(response.status, 504, response.text);
      assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType);
      assert.equal(JSON.parse(response.text).code, 'UNAVAILABLE');
      assert.ok(took < 4_000, `answered after ${took} ms`);
      const attempts = [...x.hits('/api/'), ...y.hits('/api/')].filter((r) => r.headers['x-request-id'] === 'too-slow');
      assert.equal(attempts.length, 1, 'a timeout is not retried');
      await restoreX();
    });

    test('with no instance left, a request gets a 503 problem with Retry-After', async () => {
      await x.kill();
      await y.kill();
      const first = await get(gateway.url, '/api/products');
      assert.equal(first.status, 503);
      const second = await get(gateway.url, '/api/products');
      assert.equal(second.status, 503);
      assert.equal(second.headers.get('retry-after'), '1');
      assert.equal(JSON.parse(second.text).code, 'UNAVAILABLE');
      const ready = (await (await fetch(`${gateway.url}/health/ready`)).json()) as { status: string; upstreams: Record<string, Array<{ state: string }>> };
      assert.deepEqual(
        ready.upstreams.product!.map((i) => i.state),
        ['down', 'down'],
      );
      assert.equal(ready.status, 'degraded', 'still ready: the User service answers');
      await x.revive();
      await y.revive();
      await restoreX();
    });
  });

  describe('what is forwarded', () => {
    let upstream: TestUpstream;
    let gateway: RunningGateway;
    before(async () => {
      upstream = await TestUpstream.start('p');
      gateway = await startTestGateway({ bodyLimit: 2048 }, { upstreams: { user: [users.url], product: [upstream.url] }, policies: unlimited });
    });
    after(async () => {
      await gateway.close();
      await upstream.close();
    });

    test('a sane incoming x-request-id travels to the service and comes back', async () => {
      const response = await get(gateway.url, '/api/products?limit=2', { 'x-request-id': 'trace-7f3a.1' });
      assert.equal(response.headers.get('x-request-id'), 'trace-7f3a.1');
      const received = upstream.hits('/api/products?limit=2').at(-1)!;
      assert.equal(received.headers['x-request-id'], 'trace-7f3a.1');
    });

    test('without one (or with one that is not sane) the gateway makes one, and the service gets the same', async () => {
      for (const given of [undefined, 'has spaces and / slashes']) {
        const response = await get(gateway.url, '/api/categories', given ? { 'x-request-id': given } : {});
        const id = response.headers.get('x-request-id');
        assert.match(id ?? '', /^[0-9a-f-]{36}$/);
        assert.equal(upstream.hits('/api/categories').at(-1)!.headers['x-request-id'], id);
      }
    });

    test('X-Forwarded-For names the real client, whatever the client claimed; the service token header never passes', async () => {
      await rawGet(gateway.url, '/api/products/forwarded', {
        'x-forwarded-for': '203.0.113.9',
        'x-dema-service-token': 'guess',
        connection: 'keep-alive, x-secret',
        'x-secret': 'hop',
      });
      const received = upstream.hits('/api/products/forwarded').at(-1)!;
      assert.equal(received.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(received.headers['x-forwarded-proto'], 'http');
      assert.equal(received.headers['x-dema-service-token'], undefined);
      assert.equal(received.headers['x-secret'], undefined, 'headers named in Connection are hop-by-hop');
    });

    test('a request body reaches the service byte for byte, with its content type', async () => {
      const body = '{ "name" : "Spaced  Out",\n "price": 12.50 }';
      const response = await post(gateway.url, '/api/products', { 'content-type': 'application/json; charset=utf-8' }, body);
      assert.equal(response.status, 200);
      const received = upstream
        .hits('/api/products')
        .filter((r) => r.method === 'POST')
        .at(-1)!;
      assert.equal(received.body, body);
      assert.equal(received.headers['content-type'], 'application/json; charset=utf-8');
    });

    test('a body over the limit is a 413 problem, and the service never sees it', async () => {
      const before = upstream.received.length;
      const response = await post(gateway.url, '/api/products', {}, JSON.stringify({ name: 'x'.repeat(4096) }));
      assert.equal(response.status, 413, response.text);
      assert.equal(JSON.parse(response.text).code, 'BODY_TOO_LARGE');
      assert.equal(upstream.received.length, before);
    });

    test('/internal/* is never forwarded, however the path is spelled', async () => {
      const before = upstream.received.length;
      for (const path of [
        '/internal/stock-reservations',
        '/api/../internal/stock-reservations',
        '/api/products/%2e%2e/%2e%2e/internal/x',
        '/api/products/..%2f..%2finternal',
      ]) {
        const status = await rawGet(gateway.url, path);
        assert.ok(status === 404 || status === 400, `${path} → ${status}`);
      }
      assert.deepEqual(
        upstream.received
          .slice(before)
          .map((r) => r.url)
          .filter((u) => u.includes('internal')),
        [],
      );
    });

    test('paths no service owns are a 404 problem from the gateway', async () => {
      const before = upstream.received.length;
      const response = await get(gateway.url, '/api/nothing-here');
      assert.equal(response.status, 404);
      assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType);
      assert.equal(upstream.received.length, before);
    });

    test('a service the gateway has no instances of is a 503 problem', async () => {
      const response = await get(gateway.url, '/api/orders');
      assert.equal(response.status, 503);
      assert.match(JSON.parse(response.text).detail, /order/);
    });
  });
});
