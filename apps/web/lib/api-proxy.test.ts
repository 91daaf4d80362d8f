import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { forwardToApi } from './api-proxy.ts';

/**
 * The proxy's body limits against a stand-in API: a catalog import may pass DEMA_BODY_LIMIT, up to
 * DEMA_IMPORT_BODY_LIMIT, and goes on as it arrives; past its limit, or any other body past
 * DEMA_BODY_LIMIT, is a 413 problem naming the limit that the API never sees.
 */

const importLimit = 3 * 1024 * 1024;
const chunk = 64 * 1024;
let api: Server;
const received: Array<{ url: string; bytes: number }> = [];
/** Resolved when the stand-in API has the first chunk of the request it is reading. */
let firstChunk: () => void = () => undefined;

before(async () => {
  api = createServer((request: IncomingMessage, response) => {
    let bytes = 0;
    request.on('data', (data: Buffer) => {
      if (bytes === 0) firstChunk();
      bytes += data.length;
    });
    request.on('end', () => {
      received.push({ url: request.url ?? '', bytes });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ rows: 1, bytes }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  process.env.DEMA_API_URL = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  process.env.DEMA_IMPORT_BODY_LIMIT = String(importLimit);
  delete process.env.DEMA_BODY_LIMIT;
});

after(() => {
  api.close();
});

/** A POST of `chunks` chunks of 64 KiB to the store's `path`; `waitBetween` runs before every chunk after the first. */
function upload(path: string, chunks: number, options: { declare?: boolean; waitBetween?: () => Promise<void> } = {}): Request {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === chunks) return controller.close();
      if (sent > 0) await options.waitBetween?.();
      sent += 1;
      controller.enqueue(new Uint8Array(chunk).fill(0x61));
    },
  });
  return new Request(`http://store.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...(options.declare ? { 'content-length': String(chunks * chunk) } : {}) },
    body,
    duplex: 'half',
  } as RequestInit);
}

test('a catalog file over DEMA_BODY_LIMIT reaches the import whole, passed on as it arrives', { timeout: 20_000 }, async () => {
  // The second chunk is sent only once the API has the first: a proxy that held the body would wait forever.
  const arrived = new Promise<void>((resolve) => {
    firstChunk = resolve;
  });
  const chunks = 32; // 2 MiB
  const response = await forwardToApi(upload('/api/products/import?dryRun=true', chunks, { waitBetween: () => arrived }), '/api/products/import?dryRun=true');
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual(received.at(-1), { url: '/api/products/import?dryRun=true', bytes: chunks * chunk });
});

test('a catalog file over DEMA_IMPORT_BODY_LIMIT is a 413 problem naming the limit, whether declared or counted', async () => {
  const before = received.length;
  const chunks = importLimit / chunk + 1;
  for (const declare of [true, false]) {
    const response = await forwardToApi(upload('/api/products/import', chunks, { declare }), '/api/products/import');
    assert.equal(response.status, 413, `declared: ${declare}`);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    const problem = (await response.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'BODY_TOO_LARGE');
    assert.equal(problem.detail, `A catalog file may be at most 3.0 MiB (${importLimit} bytes); split it`);
  }
  assert.equal(received.length, before, 'the API received no whole file');
});

test('any other body keeps DEMA_BODY_LIMIT, one to a path under the import too', async () => {
  const before = received.length;
  const response = await forwardToApi(upload('/api/products', 32), '/api/products');
  assert.equal(response.status, 413);
  assert.equal(((await response.json()) as { detail: string }).detail, 'The body exceeds the limit of 1048576 bytes');
  const under = await forwardToApi(upload('/api/products/import/x', 32), '/api/products/import/x');
  assert.equal(under.status, 413);
  assert.equal(received.length, before);
});
