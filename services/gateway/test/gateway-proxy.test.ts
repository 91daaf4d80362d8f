import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { problemContentType } from '@dema/contracts';
import { loadConfig, Metrics, RateLimiter } from '@dema/platform';
import { waitFor } from '@dema/platform/testing';
import { createEdgePolicies } from '../src/edge/policies.ts';
import { createProxy } from '../src/edge/proxy.ts';
import type { RunningGateway } from '../src/edge/run-gateway.ts';
import { startTestGateway, TestUpstream } from './support/index.ts';
import { UpstreamPool } from '../src/edge/upstream-pool.ts';

/**
 * The gateway's forwarding path as a client and an operator see it: what it counts and logs, how it
 * passes large and bodiless answers, bodies of unknown length, shutting down, and which paths are
 * its own.
 */

const unlimited = { rateLimitAllowlist: ['127.0.0.0/8', '::1'] };
const big = Buffer.alloc(2_500_000, 'dema-');
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A product instance with answers the TestUpstream does not give: larger than the gateway buffers, sized or not. */
async function startBigUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.url === '/health/ready') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"up"}');
      return;
    }
    const sized = request.url?.endsWith('/big');
    response.writeHead(200, { 'content-type': 'application/octet-stream', ...(sized ? { 'content-length': String(big.length) } : {}) });
    if (request.method === 'HEAD') return void response.end();
    // In pieces, so that the gateway really streams.
    for (let at = 0; at < big.length; at += 256 * 1024) response.write(big.subarray(at, at + 256 * 1024));
    response.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A POST whose body goes in chunks, without a Content-Length. */
function postChunked(base: string, path: string, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${base}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe('the gateway proxy', () => {
  let users: TestUpstream;
  let products: TestUpstream;
  let large: { url: string; close(): Promise<void> };
  let gateway: RunningGateway;
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    users = await TestUpstream.start('user');
    products = await TestUpstream.start('product');
    large = await startBigUpstream();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    gateway = await startTestGateway(
      { bodyLimit: 4096, importBodyLimit: 16_384, serviceToken: 'proxy-test-service-token' },
      { upstreams: { user: [users.url], product: [products.url], analytics: [large.url] }, policies: unlimited },
      pino({ level: 'info' }, sink),
    );
  });
  after(async () => {
    await gateway.close();
    await Promise.all([users.close(), products.close(), large.close()]);
  });

  test('forwarded requests are counted in the gateway’s metrics by route and status, and logged with their request id', async () => {
    assert.equal((await fetch(`${gateway.url}/api/products?limit=1`, { headers: { 'x-request-id': 'proxy-log-1' } })).status, 200);
    assert.equal((await fetch(`${gateway.url}/media/demo/a.svg`)).status, 200);
    const metrics = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer proxy-test-service-token' } })).text();
    for (const route of ['/api/*', '/media/*']) {
      const series = metrics
        .split('\n')
        .find((line) => line.startsWith('http_requests_total{') && line.includes(`route="${route}"`) && line.includes('status_code="200"'));
      assert.ok(series?.includes('service="gateway"') && Number(series.slice(series.lastIndexOf(' ') + 1)) >= 1, `${route}: ${series}`);
    }
    await waitFor('the access log line', () =>
      lines.some((l) => l.msg === 'request' && l.reqId === 'proxy-log-1' && l.url === '/api/products?limit=1' && l.statusCode === 200),
    );
  });

  test('an answer larger than the gateway buffers is streamed through whole, with or without a Content-Length', async () => {
    for (const path of ['/api/analytics/big', '/api/analytics/unsized']) {
      const response = await fetch(`${gateway.url}${path}`);
      assert.equal(response.status, 200, path);
      const body = Buffer.from(await response.arrayBuffer());
      assert.equal(body.length, big.length, path);
      assert.equal(sha(body), sha(big), path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', 'edge headers on a streamed answer too');
    }
  });

  test('a HEAD request gets the headers and no body', async () => {
    const response = await fetch(`${gateway.url}/api/analytics/big`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(big.length));
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  test('a body of unknown length is counted as it arrives: over the limit it is a 413 problem the service never sees', async () => {
    const before = products.received.length;
    const over = await postChunked(gateway.url, '/api/products', [Buffer.alloc(3000, 'a'), Buffer.alloc(3000, 'b')]);
    assert.equal(over.status, 413, over.body);
    assert.equal(JSON.parse(over.body).code, 'BODY_TOO_LARGE');
    assert.equal(products.received.length, before);
    const within = await postChunked(gateway.url, '/api/products', [Buffer.from('{"name":'), Buffer.from('"chunked"}')]);
    assert.equal(within.status, 200);
    assert.equal(products.received.at(-1)?.body, '{"name":"chunked"}');
  });

  test('a catalog import may be larger than the body limit, up to its own; past that it is a 413 naming it', async () => {
    const file = Buffer.alloc(12_000, 'x');
    const taken = await fetch(`${gateway.url}/api/products/import?dryRun=true`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: file });
    assert.equal(taken.status, 200, await taken.text());
    const received = products.received.at(-1);
    assert.equal(received?.url, '/api/products/import?dryRun=true');
    assert.equal(received?.body.length, file.length, 'the whole file reached the instance');

    const before = products.received.length;
    for (const over of [
      await fetch(`${gateway.url}/api/products/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: Buffer.alloc(16_385, 'x') }),
      await postChunked(gateway.url, '/api/products/import', [Buffer.alloc(10_000, 'x'), Buffer.alloc(10_000, 'y')]),
    ]) {
      const body = over instanceof Response ? await over.text() : over.body;
      assert.equal(over.status, 413, body);
      assert.deepEqual([JSON.parse(body).code, JSON.parse(body).detail], ['BODY_TOO_LARGE', 'The body exceeds the limit of 16384 bytes']);
    }
    // Any other route keeps the body limit.
    assert.equal((await fetch(`${gateway.url}/api/products`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: file })).status, 413);
    assert.equal(products.received.length, before);
  });

  test('a client that leaves half-way through its body is let go: nothing is forwarded or logged as an error', async () => {
    const before = products.received.length;
    const socket = net.connect(Number(new URL(gateway.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('POST /api/products HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"name":');
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(products.received.length, before);
    assert.deepEqual(
      lines.filter((l) => Number(l.level) >= 50),
      [],
    );
    assert.equal((await fetch(`${gateway.url}/api/products?limit=1`)).status, 200, 'and the gateway goes on serving');
  });

  test('the problem-type page is answered by a service, not taken for a page of the API docs', async () => {
    const before = users.hits('/api/docs/problems').length + products.hits('/api/docs/problems').length;
    assert.equal((await fetch(`${gateway.url}/api/docs/problems`)).status, 200);
    assert.equal(users.hits('/api/docs/problems').length + products.hits('/api/docs/problems').length, before + 1);
  });

  test('a route of the gateway’s own under a service’s paths is refused at start: the proxy would shadow it', async () => {
    await assert.rejects(
      startTestGateway(
        {},
        {
          upstreams: { user: [users.url] },
          modules: [
            async () => ({
              name: 'shadowed',
              schemas: [],
              routes: async (app) => void app.get('/api/products/mine', async () => ({})),
              start() {},
              close: async () => undefined,
            }),
          ],
        },
      ),
      /\/api\/products\/mine .*service's paths/,
    );
  });
});

describe('the gateway proxy while the gateway closes', () => {
  test('a request that still arrives is answered 503 with Connection: close, and no instance sees it', async () => {
    const upstream = await TestUpstream.start('product');
    const log = pino({ level: 'silent' });
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const pool = new UpstreamPool('product', [upstream.url], { log });
    const proxy = createProxy({
      pools: { product: pool },
      timeoutMs: 2_000,
      bodyLimit: config.bodyLimit,
      importBodyLimit: config.importBodyLimit,
      authenticate: async () => ({ kind: 'anonymous' }),
      policies: createEdgePolicies({ config, limiter: new RateLimiter(undefined, log) }, unlimited),
      trustProxy: [],
      log,
      metrics: new Metrics(),
      metricsLabel: 'gateway',
    });
    const server = http.createServer((request, response) => {
      if (!proxy.take(request, response)) response.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      assert.equal((await fetch(`${base}/api/products`)).status, 200);
      proxy.close();
      const response = await fetch(`${base}/api/products`);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('connection'), 'close');
      assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType);
      assert.equal(upstream.hits('/api/products').length, 1);
    } finally {
      server.closeAllConnections();
      server.close();
      await pool.close();
      await upstream.close();
    }
  });
});
