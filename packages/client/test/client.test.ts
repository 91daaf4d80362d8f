import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemaClient, DemaApiError, describeFailure, memoryTokenStore, placeOrder, tokenAuth } from '../src/index.ts';
import { retryAfterSeconds } from '../src/errors.ts';

/**
 * The client against a small local HTTP server that answers as the API does (problem+json, 401 for
 * a stale token, 429/503 with Retry-After): what the client sends and how often.
 */

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;
let handler: Handler = (_request, _body, response) => response.writeHead(404).end();
const seen: Array<{ method: string; url: string; authorization?: string; idempotencyKey?: string }> = [];
let baseUrl = '';
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    seen.push({
      method: request.method!,
      url: request.url!,
      authorization: request.headers.authorization,
      idempotencyKey: request.headers['idempotency-key'] as string | undefined,
    });
    handler(request, body, response);
  });
});
const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  response.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers }).end(JSON.stringify(body));
const problem = (status: number, code: string, extra: Record<string, unknown> = {}) => ({ type: 'about:blank', title: code, status, code, ...extra });

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
const reset = (next: Handler) => {
  handler = next;
  seen.length = 0;
};

describe('answers', () => {
  test('a success resolves to the body', async () => {
    reset((_q, _b, r) => json(r, 200, { items: [], total: 0, limit: 20, offset: 0 }));
    const page = await createDemaClient({ baseUrl }).GET('/api/products', { params: { query: { limit: 20 } } });
    assert.equal(page.total, 0);
    assert.equal(seen[0]!.url, '/api/products?limit=20');
  });

  test('a problem rejects with DemaApiError carrying its code, fields and a sentence for people', async () => {
    const invalidParams = [
      { name: 'body.email', reason: 'must be an email address' },
      { name: 'body.password', reason: 'is too short' },
      { name: 'body.email', reason: 'second reason' },
    ];
    reset((_q, _b, r) => json(r, 400, problem(400, 'VALIDATION_FAILED', { detail: 'The request has invalid fields', invalidParams })));
    const error = await createDemaClient({ baseUrl })
      .POST('/api/auth/signup', { body: { email: 'x', password: 'y', name: 'Ann' } })
      .catch((e: unknown) => e);
    assert.ok(error instanceof DemaApiError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.deepEqual(error.fieldErrors(), { email: 'must be an email address', password: 'is too short' });
    assert.equal(describeFailure(error), 'The request has invalid fields');
  });

  test('nothing listening is status 0, unreachable', async () => {
    const error = await createDemaClient({ baseUrl: 'http://127.0.0.1:9' })
      .GET('/api/products')
      .catch((e: unknown) => e);
    assert.ok(error instanceof DemaApiError);
    assert.equal(error.status, 0);
    assert.match(describeFailure(error), /could not reach/);
  });

  test('Retry-After is read as seconds or as an HTTP date', () => {
    assert.equal(retryAfterSeconds('7'), 7);
    assert.equal(retryAfterSeconds(new Date(Date.parse('2030-01-01T00:00:10Z')).toUTCString(), Date.parse('2030-01-01T00:00:00Z')), 10);
    assert.equal(retryAfterSeconds('soon'), undefined);
  });
});

describe('retries', () => {
  test('a GET answered 503 with Retry-After is sent again, up to 3 tries', async () => {
    reset((_q, _b, r) => json(r, 503, problem(503, 'UNAVAILABLE'), { 'retry-after': '0' }));
    const error = await createDemaClient({ baseUrl })
      .GET('/api/products')
      .catch((e: unknown) => e);
    assert.ok(error instanceof DemaApiError && error.status === 503 && error.retryAfterSeconds === 0);
    assert.equal(seen.length, 3);
  });

  test('a 429 then a success resolves', async () => {
    let calls = 0;
    reset((_q, _b, r) =>
      ++calls === 1 ? json(r, 429, problem(429, 'RATE_LIMITED'), { 'retry-after': '0' }) : json(r, 200, { items: [], total: 0, limit: 20, offset: 0 }),
    );
    assert.equal((await createDemaClient({ baseUrl }).GET('/api/products')).total, 0);
    assert.equal(seen.length, 2);
  });

  test('retry: false sends once', async () => {
    reset((_q, _b, r) => json(r, 503, problem(503, 'UNAVAILABLE'), { 'retry-after': '0' }));
    await assert.rejects(createDemaClient({ baseUrl, retry: false }).GET('/api/products'), DemaApiError);
    assert.equal(seen.length, 1);
  });

  test('a POST without an Idempotency-Key is never sent again', async () => {
    reset((_q, _b, r) => json(r, 503, problem(503, 'UNAVAILABLE'), { 'retry-after': '0' }));
    await assert.rejects(createDemaClient({ baseUrl }).POST('/api/categories', { body: { name: 'Kettles' } }), DemaApiError);
    assert.equal(seen.length, 1);
  });

  test('placeOrder sends again after a 503 under the same Idempotency-Key', async () => {
    let calls = 0;
    reset((_q, body, r) =>
      ++calls === 1 ? json(r, 503, problem(503, 'UNAVAILABLE'), { 'retry-after': '0' }) : json(r, 201, { id: 'o-1', ...JSON.parse(body) }),
    );
    const order = await placeOrder(createDemaClient({ baseUrl }), { items: [{ productId: '00000000-0000-4000-8000-000000000001', quantity: 1 }] });
    assert.equal(order.id, 'o-1');
    assert.equal(seen.length, 2);
    assert.match(seen[0]!.idempotencyKey!, /^[0-9a-f-]{36}$/);
    assert.equal(seen[1]!.idempotencyKey, seen[0]!.idempotencyKey);
  });
});

describe('tokenAuth', () => {
  test('10 concurrent requests with an expired access token make one refresh; each is sent again with the new token, the refresh token rotated', async () => {
    let refreshes = 0;
    reset((request, body, r) => {
      if (request.url === '/api/auth/refresh') {
        refreshes++;
        assert.equal(JSON.parse(body).refreshToken, 'refresh-1');
        // Answer late, so that every request has been answered 401 while it is in flight.
        setTimeout(() => json(r, 200, { accessToken: 'access-2', refreshToken: 'refresh-2', tokenType: 'Bearer', expiresIn: 900 }), 50);
        return;
      }
      if (request.headers.authorization !== 'Bearer access-2') return json(r, 401, problem(401, 'UNAUTHENTICATED'));
      json(r, 200, { items: [], total: 0, limit: 20, offset: 0 });
    });
    const store = memoryTokenStore({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const client = createDemaClient({ baseUrl, auth: tokenAuth({ store }) });
    const pages = await Promise.all(Array.from({ length: 10 }, () => client.GET('/api/orders')));
    assert.equal(pages.length, 10);
    assert.equal(refreshes, 1);
    assert.deepEqual(await store.get(), { accessToken: 'access-2', refreshToken: 'refresh-2' });
  });

  test('a refused refresh clears the store, calls onSessionEnded once and rejects with the 401', async () => {
    reset((request, _b, r) => json(r, 401, problem(401, request.url === '/api/auth/refresh' ? 'INVALID_REFRESH_TOKEN' : 'UNAUTHENTICATED')));
    let ended = 0;
    const store = memoryTokenStore({ accessToken: 'access-1', refreshToken: 'used' });
    const client = createDemaClient({ baseUrl, auth: tokenAuth({ store, onSessionEnded: () => ended++ }) });
    const errors = await Promise.all([client.GET('/api/orders').catch((e: unknown) => e), client.GET('/api/cart').catch((e: unknown) => e)]);
    for (const error of errors) assert.ok(error instanceof DemaApiError && error.code === 'UNAUTHENTICATED');
    assert.equal(ended, 1);
    assert.equal(await store.get(), undefined);
  });

  test('a 403 EMAIL_NOT_VERIFIED is sent again once with a refreshed token (verified since); a second refusal or another 403 is the answer', async () => {
    let refreshes = 0;
    reset((request, _body, r) => {
      if (request.url === '/api/auth/refresh') {
        refreshes++;
        return json(r, 200, { accessToken: `access-${refreshes + 1}`, refreshToken: `refresh-${refreshes + 1}`, tokenType: 'Bearer', expiresIn: 900 });
      }
      if (request.url === '/api/orders/forbidden') return json(r, 403, problem(403, 'FORBIDDEN'));
      // The first token predates the verification; the refreshed one carries it.
      if (request.headers.authorization === 'Bearer access-1') return json(r, 403, problem(403, 'EMAIL_NOT_VERIFIED'));
      json(r, 201, { id: 'o-1' });
    });
    const store = memoryTokenStore({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const client = createDemaClient({ baseUrl, auth: tokenAuth({ store }) });
    const placed = await client.fetch('/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(placed.status, 201);
    assert.equal(refreshes, 1);
    assert.deepEqual(
      seen.map((s) => s.authorization),
      ['Bearer access-1', undefined, 'Bearer access-2'],
    );
    assert.equal((await client.fetch('/api/orders/forbidden')).status, 403);
    assert.equal(refreshes, 1, 'another 403 is no reason to refresh');
  });

  test('a wrong password is not a reason to refresh', async () => {
    reset((_q, _b, r) => json(r, 401, problem(401, 'INVALID_CREDENTIALS')));
    const client = createDemaClient({ baseUrl, auth: tokenAuth({ store: memoryTokenStore({ accessToken: 'a', refreshToken: 'r' }) }) });
    await assert.rejects(client.POST('/api/auth/login', { body: { email: 'a@b.c', password: 'nope' } }), DemaApiError);
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/api/auth/login'],
    );
    assert.equal(seen[0]!.authorization, undefined);
  });
});
