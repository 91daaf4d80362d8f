import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { Problem, Product } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import type { RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';
import { allInOneServices } from '../src/services.ts';

/**
 * Input a client may send on purpose to hurt the shop: NUL characters, numbers past what the
 * database stores, deep or oversized JSON, a large body sent without `Expect: 100-continue`. Each
 * gets a 4xx problem that says what is wrong, changes nothing, and never a 5xx.
 */

const policies = { rateLimitAllowlist: ['127.0.0.0/8', '::1'] };
const password = 'correct-horse-battery-staple';

interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
  /** What the client saw go wrong while sending (EPIPE, ECONNRESET), if anything. */
  sendError?: string;
}

/**
 * POSTs `size` bytes with a Content-Length and no `Expect: 100-continue`, as a plain node:http
 * client does, writing the whole body whatever the server answers meanwhile; resolves once both the
 * answer has been read and the body sent (or sending failed).
 */
function postLargeBody(base: string, path: string, size: number, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    let answer: Omit<RawAnswer, 'sendError'> | undefined;
    let sent = false;
    let sendError: string | undefined;
    // A server that reads nothing more and never closes leaves the client blocked in its writes.
    const deadline = setTimeout(() => {
      request.destroy();
      reject(new Error(`no complete exchange within 60 s (answer: ${answer?.status ?? 'none'})`));
    }, 60_000);
    const settle = () => {
      if (answer && sent) {
        clearTimeout(deadline);
        resolve({ ...answer, sendError });
      } else if (!answer && sendError) {
        clearTimeout(deadline);
        reject(new Error(`no answer: ${sendError}`));
      }
    };
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(size), ...headers },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          answer = { status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body };
          settle();
        });
        response.on('error', (error) => {
          sendError ??= error.message;
          settle();
        });
      },
    );
    // A server that neither answers nor closes would otherwise hang the test.
    request.setTimeout(30_000, () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', (error) => {
      sendError ??= (error as NodeJS.ErrnoException).code ?? error.message;
      sent = true;
      settle();
    });
    request.on('finish', () => {
      sent = true;
      settle();
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    const write = () => {
      while (written < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - written));
        written += part.length;
        if (!request.write(part)) {
          request.once('drain', write);
          return;
        }
      }
      request.end();
    };
    write();
  });
}

function assertProblem(answer: RawAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.body);
  assert.match(answer.contentType, /^application\/problem\+json/);
  assert.equal((JSON.parse(answer.body) as Problem).code, code);
  assert.equal(answer.sendError, undefined, 'the client sent its whole body without a reset');
}

for (const target of testTargets()) {
  describe(`hostile input gets a 4xx problem and changes nothing (${target.name})`, () => {
    let dema: AllInOne;
    let gateway: RunningGateway;
    let adminToken: string;
    let customerToken: string;
    let categoryId: string;

    const call = async (method: string, path: string, options: { token?: string; body?: unknown; base?: string } = {}) => {
      const response = await fetch(`${options.base ?? dema.url}${path}`, {
        method,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) as unknown };
    };
    /** The problem `response` carries, checked to be one with `status` and `code`. */
    const problemOf = (response: Awaited<ReturnType<typeof call>>, status: number, code: string): Problem => {
      assert.equal(response.status, status, response.text);
      assert.match(response.contentType, /^application\/problem\+json/);
      const problem = response.json() as Problem;
      assert.equal(problem.code, code, response.text);
      return problem;
    };
    const named = (problem: Problem) => (problem.invalidParams ?? []).map((p) => p.name);
    const productCount = async () => ((await call('GET', '/api/products?limit=1')).json() as { total: number }).total;

    before(async () => {
      dema = await startAllInOne(target, allInOneServices(), policies);
      const users = dema.services.user;
      await users.identity.createUser('admin@hostile.test', password, 'Admin', 'admin');
      await users.identity.createUser('customer@hostile.test', password, 'Customer', 'customer');
      adminToken = (await users.identity.login('admin@hostile.test', password, '127.0.0.1')).tokens.accessToken;
      customerToken = (await users.identity.login('customer@hostile.test', password, '127.0.0.1')).tokens.accessToken;
      const category = await call('POST', '/api/categories', { token: adminToken, body: { name: 'Hostile' } });
      assert.equal(category.status, 201, category.text);
      categoryId = (category.json() as { id: string }).id;
      const everything = [dema.url];
      gateway = await startTestGateway(
        { bodyLimit: 1_048_576 },
        { upstreams: { user: everything, product: everything, order: everything, analytics: everything }, policies },
      );
    });
    after(async () => {
      await gateway?.close();
      await dema?.dispose();
    });

    describe('a NUL character is refused wherever a string is read', () => {
      test('in a query (?category=a%00b)', async () => {
        const problem = problemOf(await call('GET', '/api/products?category=a%00b'), 400, 'VALIDATION_FAILED');
        assert.deepEqual(named(problem), ['query.category']);
      });

      test('in a path (/api/categories/a%00b)', async () => {
        const problem = problemOf(await call('GET', '/api/categories/a%00b'), 400, 'VALIDATION_FAILED');
        assert.deepEqual(named(problem), ['path.id']);
      });

      test('in a body string (a login email containing \\u0000)', async () => {
        const problem = problemOf(
          await call('POST', '/api/auth/login', { body: { email: 'customer\u0000@hostile.test', password } }),
          400,
          'VALIDATION_FAILED',
        );
        assert.deepEqual(named(problem), ['body.email']);
      });

      test('in an admin search (?email=a%00b)', async () => {
        problemOf(await call('GET', '/api/users?email=a%00b', { token: adminToken }), 400, 'VALIDATION_FAILED');
      });

      test('in a name written to the database, which keeps nothing', async () => {
        const before = (await call('GET', '/api/categories')).text;
        const problem = problemOf(await call('POST', '/api/categories', { token: adminToken, body: { name: 'Kitchen\u0000' } }), 400, 'VALIDATION_FAILED');
        assert.deepEqual(named(problem), ['body.name']);
        assert.equal((await call('GET', '/api/categories')).text, before);
      });

      test('in a key of a free-form map (a specification name)', async () => {
        const before = await productCount();
        const body = { name: 'Kettle', price: 10, stock: 1, categoryId, specifications: { 'Pow\u0000er': '2 kW' } };
        problemOf(await call('POST', '/api/products', { token: adminToken, body }), 400, 'VALIDATION_FAILED');
        assert.equal(await productCount(), before);
      });
    });

    test("a number past its parameter's maximum is a 400 naming it (GET /api/orders?offset=1e20)", async () => {
      const problem = problemOf(await call('GET', '/api/orders?offset=1e20', { token: customerToken }), 400, 'VALIDATION_FAILED');
      assert.deepEqual(named(problem), ['query.offset']);
      assert.equal((await call('GET', '/api/orders?offset=1000000', { token: customerToken })).status, 200);
    });

    describe('stock beyond the INT range', () => {
      test('an adjustment that would take stock past 2,147,483,647 is a 400 and leaves the stock as it was', async () => {
        const created = await call('POST', '/api/products', { token: adminToken, body: { name: 'Bolts', price: 1, stock: 2_147_483_000, categoryId } });
        assert.equal(created.status, 201, created.text);
        const product = created.json() as Product;
        problemOf(
          await call('POST', `/api/products/${product.id}/stock-adjustments`, { token: adminToken, body: { delta: 1_000_000 } }),
          400,
          'VALUE_OUT_OF_RANGE',
        );
        assert.equal(((await call('GET', `/api/products/${product.id}`)).json() as Product).stock, 2_147_483_000);
      });

      test('variants whose stock sums past it are a 400, on create and on update, and nothing is written', async () => {
        const before = await productCount();
        const variants = [
          { name: 'Small', stock: 2_147_483_647 },
          { name: 'Large', stock: 2_147_483_647 },
        ];
        problemOf(
          await call('POST', '/api/products', { token: adminToken, body: { name: 'Shirt', price: 5, categoryId, variants } }),
          400,
          'VALUE_OUT_OF_RANGE',
        );
        assert.equal(await productCount(), before);

        const created = await call('POST', '/api/products', {
          token: adminToken,
          body: { name: 'Shirt', price: 5, categoryId, variants: [{ name: 'Small', stock: 1 }] },
        });
        assert.equal(created.status, 201, created.text);
        const shirt = created.json() as Product;
        problemOf(await call('PUT', `/api/products/${shirt.id}`, { token: adminToken, body: { variants } }), 400, 'VALUE_OUT_OF_RANGE');
        assert.deepEqual((await call('GET', `/api/products/${shirt.id}`)).json(), shirt);
      });
    });

    describe('JSON bodies', () => {
      test('nested deeper than 32 levels is a 400 BODY_TOO_DEEP; 32 levels is parsed (and then validated)', async () => {
        const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
        problemOf(await call('POST', '/api/auth/login', { body: nested(33) }), 400, 'BODY_TOO_DEEP');
        problemOf(await call('POST', '/api/auth/login', { body: nested(32) }), 400, 'VALIDATION_FAILED');
        // Brackets inside a string are text, not nesting.
        problemOf(await call('POST', '/api/auth/login', { body: { email: '['.repeat(100), password } }), 401, 'INVALID_CREDENTIALS');
      });

      test('more than 10,000 values is a 400 BODY_TOO_COMPLEX before it is parsed; 10,000 is parsed (and then validated)', async () => {
        const values = (count: number) =>
          `{"variants":[${Array(count - 1)
            .fill('1')
            .join(',')}]}`;
        problemOf(await call('POST', '/api/products', { token: adminToken, body: values(10_001) }), 400, 'BODY_TOO_COMPLEX');
        problemOf(await call('POST', '/api/products', { token: adminToken, body: values(10_000) }), 400, 'VALIDATION_FAILED');
        // Commas inside strings are text.
        problemOf(await call('POST', '/api/products', { token: adminToken, body: { name: ','.repeat(20_000) } }), 400, 'VALIDATION_FAILED');
      });

      test("a body over its route's limit is a 413 (16 KB for a login), while a catalog write of the same size is read", async () => {
        const body = { email: 'customer@hostile.test', password: 'x'.repeat(20_000) };
        problemOf(await call('POST', '/api/auth/login', { body }), 413, 'BODY_TOO_LARGE');
        const product = { name: 'Lamp', price: 3, stock: 1, categoryId, description: 'x'.repeat(20_000) };
        problemOf(await call('POST', '/api/products', { token: adminToken, body: product }), 400, 'VALIDATION_FAILED');
        problemOf(
          await call('PUT', '/api/cart/items/7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a', { token: customerToken, body: { quantity: 1, pad: 'x'.repeat(20_000) } }),
          413,
          'BODY_TOO_LARGE',
        );
        problemOf(await call('POST', '/api/orders', { token: customerToken, body: { fromCart: true, pad: 'x'.repeat(70_000) } }), 413, 'BODY_TOO_LARGE');
      });

      test('a large body of many mistakes names at most 50 of them', async () => {
        const body = `{"variants":[${Array(4_000).fill('{}').join(',')}]}`;
        const problem = problemOf(await call('POST', '/api/products', { token: adminToken, body }), 400, 'VALIDATION_FAILED');
        assert.ok((problem.invalidParams ?? []).length <= 50, `${problem.invalidParams?.length} fields named`);
      });
    });

    describe('a too-large body sent without Expect: 100-continue gets a readable 413', () => {
      test('from the all-in-one process, over the process limit (5 MB)', async () => {
        assertProblem(await postLargeBody(dema.url, '/api/products', 5_000_000, { authorization: `Bearer ${adminToken}` }), 413, 'BODY_TOO_LARGE');
      });

      test('from the all-in-one process, over a route limit (200 KB to a login)', async () => {
        assertProblem(await postLargeBody(dema.url, '/api/auth/login', 200_000), 413, 'BODY_TOO_LARGE');
      });

      test('from the gateway, over its limit (5 MB), and the connection still answers after', async () => {
        assertProblem(await postLargeBody(gateway.url, '/api/products', 5_000_000, { authorization: `Bearer ${adminToken}` }), 413, 'BODY_TOO_LARGE');
        assert.equal((await call('GET', '/api/products?limit=1', { base: gateway.url })).status, 200);
      });

      test('from the gateway, over a route limit (200 KB to a login)', async () => {
        assertProblem(await postLargeBody(gateway.url, '/api/auth/login', 200_000), 413, 'BODY_TOO_LARGE');
      });
    });
  });
}
