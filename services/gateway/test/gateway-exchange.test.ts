import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Pool } from 'undici';
import { exchange } from '../src/edge/exchange.ts';

// The gateway's one request to an upstream instance, against a real HTTP server.
describe('exchange (gateway → upstream)', () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 'x');
  let server: Server;
  let pool: Pool;
  let seen: { method?: string; url?: string; headers?: Record<string, unknown>; body?: string };

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() };
        if (req.url === '/small') {
          res.setHeader('Set-Cookie', ['a=1; Path=/auth', 'b=2; Path=/auth']);
          res.setHeader('X-Thing', 'one');
          res.setHeader('content-type', 'application/json');
          res.end('{"ok":true}');
        } else if (req.url === '/big') {
          res.setHeader('content-length', big.length);
          res.end(big);
        } else if (req.url === '/chunked') {
          res.write('part one, ');
          setTimeout(() => res.end('part two'), 20);
        } else if (req.url === '/empty') {
          res.statusCode = 204;
          res.end();
        } else {
          res.statusCode = 404;
          res.end('nope');
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 4 });
  });
  after(async () => {
    await pool.close();
    server.closeAllConnections();
    server.close();
  });

  const call = (path: string, method = 'GET', body?: string) =>
    exchange(pool, {
      path,
      method,
      headers: { 'x-request-id': 'r-1' },
      body: body === undefined ? undefined : Buffer.from(body),
      timeoutMs: 5_000,
      bufferLimit: 1024 * 1024,
    });

  test('a small answer arrives whole, with lower-case names and every Set-Cookie kept apart', async () => {
    const response = await call('/small');
    assert.equal(response.statusCode, 200);
    assert.ok(Buffer.isBuffer(response.body));
    assert.equal(response.body.toString(), '{"ok":true}');
    assert.deepEqual(response.headers['set-cookie'], ['a=1; Path=/auth', 'b=2; Path=/auth']);
    assert.equal(response.headers['x-thing'], 'one');
    assert.equal(seen.headers?.['x-request-id'], 'r-1');
  });

  test('a request body and method reach the upstream as sent', async () => {
    const response = await call('/missing', 'PUT', '{"name":"n"}');
    assert.equal(response.statusCode, 404);
    assert.equal(String(response.body), 'nope');
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.body, '{"name":"n"}');
  });

  test('an answer above the buffer limit, or without a length, is streamed intact', async () => {
    const large = await call('/big');
    assert.ok(large.body instanceof Readable);
    let length = 0;
    for await (const chunk of large.body) length += (chunk as Buffer).length;
    assert.equal(length, big.length);

    const chunked = await call('/chunked');
    assert.ok(chunked.body instanceof Readable);
    let text = '';
    for await (const chunk of chunked.body) text += String(chunk);
    assert.equal(text, 'part one, part two');
  });

  test('HEAD and 204 have no body', async () => {
    assert.equal((await call('/small', 'HEAD')).body, undefined);
    const empty = await call('/empty');
    assert.equal(empty.statusCode, 204);
    assert.equal(empty.body, undefined);
  });

  test('an instance that refuses the connection rejects with the socket error code', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    const dead = new Pool(`http://127.0.0.1:${port}`);
    await assert.rejects(
      exchange(dead, { path: '/', method: 'GET', headers: {}, body: undefined, timeoutMs: 2_000, bufferLimit: 1024 }),
      (error: { code?: string }) => error.code === 'ECONNREFUSED',
    );
    await dead.close();
  });

  test('an upstream slower than the timeout rejects with undici’s headers timeout', async () => {
    // undici's timers tick coarsely (about every half second): the answer comes well after.
    const slow = createServer((_req, res) => setTimeout(() => res.end('late'), 3_000).unref());
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const slowPool = new Pool(`http://127.0.0.1:${(slow.address() as AddressInfo).port}`);
    await assert.rejects(
      exchange(slowPool, { path: '/', method: 'GET', headers: {}, body: undefined, timeoutMs: 500, bufferLimit: 1024 }),
      (error: { code?: string }) => error.code === 'UND_ERR_HEADERS_TIMEOUT',
    );
    await slowPool.destroy();
    slow.closeAllConnections();
    slow.close();
  });
});
