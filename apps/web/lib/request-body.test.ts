import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyTooLarge, readBodyWithin, readJsonWithin } from './request-body.ts';

/** A body of `chunks` chunks of `size` bytes, counting how many were pulled from it. */
function endlessBody(size: number, chunks: number): { request: Request; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 1;
      if (pulled > chunks) controller.close();
      else controller.enqueue(new Uint8Array(size));
    },
  });
  const request = new Request('http://store.test/api/products', { method: 'POST', body, duplex: 'half' } as RequestInit);
  return { request, pulled: () => pulled };
}

test('a body over the limit is refused after the chunk that crosses it, the rest left unread', async () => {
  const { request, pulled } = endlessBody(1024, 20_000);
  assert.equal(await readBodyWithin(request, 10 * 1024), null);
  assert.ok(pulled() <= 13, `${pulled()} chunks of 1 KiB pulled for a 10 KiB limit`);
});

test('a declared length over the limit is refused before anything is read', async () => {
  const { request, pulled } = endlessBody(1024, 20_000);
  const declared = new Request(request, { headers: { 'content-length': String(20 * 1024 * 1024) } });
  await new Promise((resolve) => setImmediate(resolve)); // a stream fills its queue with one chunk on its own
  const before = pulled();
  assert.equal(await readBodyWithin(declared, 1024), null);
  assert.equal(pulled(), before);
  assert.equal(declared.bodyUsed, false);
});

test('a body within the limit arrives whole, and as JSON', async () => {
  const { request } = endlessBody(1000, 3);
  assert.equal((await readBodyWithin(request, 3000))?.byteLength, 3000);
  const json = new Request('http://store.test/auth/login', { method: 'POST', body: '{"email":"a@b.c"}' });
  assert.deepEqual(await readJsonWithin(json, 100), { tooLarge: false, value: { email: 'a@b.c' } });
  assert.deepEqual(await readJsonWithin(new Request('http://store.test/', { method: 'POST', body: 'not json' }), 100), { tooLarge: false, value: null });
});

test("the refusal is a 413 problem in the API's shape", async () => {
  const response = bodyTooLarge(16_384);
  assert.equal(response.status, 413);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  const problem = (await response.json()) as { code: string; status: number };
  assert.equal(problem.code, 'BODY_TOO_LARGE');
  assert.equal(problem.status, 413);
});
