import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Type from 'typebox';
import { problemContentType } from '@dema/contracts';
import { createHttpServer, createLogger, listen, Metrics, type DemaApp } from '@dema/platform';

/** A kit app with `routes` on it, listening on a free port. */
async function serve(routes: (app: DemaApp) => void, options: { serviceToken?: string } = {}): Promise<{ app: DemaApp; url: string }> {
  const app = createHttpServer({
    log: createLogger('silent'),
    metrics: new Metrics(),
    authenticate: async () => ({ kind: 'anonymous' }),
    bodyLimit: 1024,
    service: 'test',
    ...options,
  });
  routes(app);
  return { app, url: await listen(app, { host: '127.0.0.1', port: 0 }) };
}

/**
 * Requests refused before any route sees them — by Fastify's router or by Node's HTTP parser — are
 * answered as problem+json with a code like every other error (found by the API fuzzer).
 */
describe('refusals from the router and the HTTP parser', () => {
  let app: DemaApp;
  let url: string;

  before(async () => {
    ({ app, url } = await serve((app) => {
      app.get('/things/:id', { schema: { params: Type.Object({ id: Type.String() }) } }, async (request) => ({ id: (request.params as { id: string }).id }));
    }));
  });
  after(() => app.close());

  const expectProblem = async (response: Response, status: number) => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType, text);
    const problem = JSON.parse(text) as { code?: string; status?: number };
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.equal(problem.status, status);
  };

  test('a path parameter over 100 characters is a 414 problem', async () => {
    await expectProblem(await fetch(`${url}/things/${'9'.repeat(300)}`), 414);
  });

  test('a path that is not valid percent-encoding is a 400 problem', async () => {
    await expectProblem(await fetch(`${url}/things/%E0%A4%A`), 400);
  });

  test('a request line and headers over 16 KB are a 431 problem', async () => {
    await expectProblem(await fetch(`${url}/things/1?q=${'x'.repeat(20_000)}`), 431);
  });

  test('the routes still answer', async () => {
    const response = await fetch(`${url}/things/abc`);
    assert.deepEqual(await response.json(), { id: 'abc' });
  });
});

/** Clients that label every request JSON (a DELETE, a logout) send `Content-Type` with no body. */
describe('an empty body labelled JSON', () => {
  let app: DemaApp;
  let url: string;
  const json = { 'content-type': 'application/json' };

  before(async () => {
    ({ app, url } = await serve((app) => {
      app.delete('/things/:id', async (_request, reply) => reply.status(204).send());
      app.post('/things/:id/archive', { schema: { body: Type.Optional(Type.Object({}, { additionalProperties: false })) } }, async (request) => ({
        body: request.body,
      }));
      app.post('/things', { schema: { body: Type.Object({ name: Type.String() }) } }, async (request) => request.body);
    }));
  });
  after(() => app.close());

  test('is no body for a route that takes none', async () => {
    const response = await fetch(`${url}/things/1`, { method: 'DELETE', headers: json });
    assert.equal(response.status, 204, await response.text());
  });

  test('is the empty object for a route whose body may be left out', async () => {
    const response = await fetch(`${url}/things/1/archive`, { method: 'POST', headers: json, body: '' });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { body: {} });
  });

  test('is still a 400 MALFORMED_BODY for a route that requires a body', async () => {
    const response = await fetch(`${url}/things`, { method: 'POST', headers: json, body: '' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type')?.split(';')[0], problemContentType);
    assert.equal(((await response.json()) as { code: string }).code, 'MALFORMED_BODY');
  });
});

/** Bodies the kit refuses before any route validates them, each named for what is refused. */
describe('a JSON body the kit will not read', () => {
  let app: DemaApp;
  let url: string;
  const json = { 'content-type': 'application/json' };
  type Refusal = { status: number; code: string; detail: string; invalidParams?: Array<{ name: string; reason: string }> };

  before(async () => {
    ({ app, url } = await serve((app) => {
      const Thing = Type.Object({ name: Type.String(), tags: Type.Optional(Type.Record(Type.String(), Type.Unknown())) });
      app.post('/things', { schema: { body: Thing } }, async (request) => request.body);
    }));
  });
  after(() => app.close());

  const post = (body: string, headers: Record<string, string> = json) => fetch(`${url}/things`, { method: 'POST', headers, body });

  test('a __proto__ key is a 400 naming it, not "not valid JSON"', async () => {
    const response = await post('{"name":"a","tags":{"__proto__":{"admin":true}}}');
    const problem = (await response.json()) as Refusal;
    assert.equal(response.status, 400);
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.deepEqual(
      problem.invalidParams?.map((p) => p.name),
      ['body.tags.__proto__'],
    );
    assert.match(problem.detail, /body\.tags\.__proto__ is a key the API refuses/);
  });

  test('a constructor.prototype key is a 400 naming it', async () => {
    const problem = (await (await post('{"name":"a","tags":{"constructor":{"prototype":{}}}}')).json()) as Refusal;
    assert.deepEqual(
      problem.invalidParams?.map((p) => p.name),
      ['body.tags.constructor.prototype'],
    );
  });

  test('text that is not JSON is still a 400 MALFORMED_BODY, saying where it broke', async () => {
    const response = await post('{"name":');
    const problem = (await response.json()) as Refusal;
    assert.equal(response.status, 400);
    assert.equal(problem.code, 'MALFORMED_BODY');
    assert.match(problem.detail, /^The body is not valid JSON: ./);
  });

  test('a byte-order mark before the JSON is skipped, as before', async () => {
    const response = await post('\ufeff{"name":"a"}');
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { name: 'a' });
  });

  test('a compressed body is a 415 naming its encoding, with Accept-Encoding: identity', async () => {
    for (const coding of ['gzip', 'br', 'deflate, gzip']) {
      const response = await post('{"name":"a"}', { ...json, 'content-encoding': coding });
      const problem = (await response.json()) as Refusal;
      assert.equal(response.status, 415, coding);
      assert.equal(problem.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.equal(problem.detail, `Content-Encoding ${coding} is not accepted; send the body uncompressed`);
      assert.equal(response.headers.get('accept-encoding'), 'identity');
    }
  });

  test('Content-Encoding: identity is a body as sent', async () => {
    const response = await post('{"name":"a"}', { ...json, 'content-encoding': 'identity' });
    assert.equal(response.status, 200, await response.clone().text());
  });
});

/** A path that exists, asked with a method it does not take: HTTP's 405 with `Allow`, not a 404. */
describe('a method the path does not take', () => {
  let app: DemaApp;
  let url: string;

  before(async () => {
    ({ app, url } = await serve(
      (app) => {
        app.get('/things', async () => ({ items: [] }));
        app.post('/things', async () => ({ ok: true }));
        app.get('/things/:id', async () => ({ id: 1 }));
        app.delete('/things/:id', async () => null);
        app.get('/files/*', async () => 'file');
        app.get('/internal/things/:id', { config: { internal: true } }, async () => ({ id: 1 }));
        // The edge's CORS preflight answers OPTIONS on every path; that alone is no route of the path.
        app.options('*', async (_request, reply) => reply.status(204).send());
      },
      { serviceToken: 'secret-token' },
    ));
  });
  after(() => app.close());

  const refusal = async (method: string, path: string) => {
    const response = await fetch(`${url}${path}`, { method });
    const problem = (await response.json()) as { status: number; code: string; detail: string };
    return { status: response.status, allow: response.headers.get('allow'), problem };
  };

  test('is a 405 METHOD_NOT_ALLOWED naming the methods it takes in Allow', async () => {
    const { status, allow, problem } = await refusal('PATCH', '/things');
    assert.equal(status, 405);
    assert.equal(allow, 'GET, HEAD, POST');
    assert.equal(problem.code, 'METHOD_NOT_ALLOWED');
    assert.equal(problem.detail, 'PATCH is not a method of /things; it takes GET, HEAD, POST');
  });

  test('matches the path as the routes do: parameters, a trailing slash, a wildcard', async () => {
    assert.equal((await refusal('PUT', '/things/42')).allow, 'GET, HEAD, DELETE');
    assert.equal((await refusal('POST', '/things/42/')).allow, 'GET, HEAD, DELETE');
    assert.equal((await refusal('DELETE', '/files/a/b.png')).allow, 'GET, HEAD');
  });

  test('a path no route has is still a 404', async () => {
    const { status, allow, problem } = await refusal('GET', '/nothing/here');
    assert.equal(status, 404);
    assert.equal(allow, null);
    assert.equal(problem.code, 'NOT_FOUND');
  });

  test('an internal route is not revealed: another method on it is a 404', async () => {
    assert.equal((await refusal('POST', '/internal/things/1')).status, 404);
  });
});
