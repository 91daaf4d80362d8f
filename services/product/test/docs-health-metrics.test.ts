import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Category, CategoryList, Product, ProductPage } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { demoProducts } from '../src/db/demo-catalog.ts';
import { startProductService, type ProductTestProcess } from './helpers.ts';

const serviceToken = 'product-test-service-token-61a4';

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Record<string, unknown>;
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

/** The value of one Prometheus sample whose labels include all of `labels`, or 0 when absent. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of metrics.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ?? '';
    if (wanted.every((label) => present.split(/,(?=\w+=")/).includes(label))) return Number(match[3]);
  }
  return 0;
}

const productQueryParameters = ['limit', 'offset', 'category', 'minPrice', 'maxPrice', 'inStock', 'q', 'ids', 'sort'];

for (const target of testTargets()) {
  describe(`docs, health, metrics and request ids (${target.name})`, () => {
    let dema: ProductTestProcess;
    let doc: OpenApiDocument;

    before(async () => {
      dema = await startProductService(target, { serviceToken });
      const category = await dema.createCategory('Docs');
      await dema.createProduct({ name: 'Documented', price: 5, stock: 1, categoryId: category.id });
      const response = await fetch(`${dema.url}/api/docs/openapi.json`);
      assert.equal(response.status, 200);
      doc = (await response.json()) as OpenApiDocument;
    });
    after(() => dema.dispose());

    const scrape = { authorization: `Bearer ${serviceToken}` };
    const metrics = async () => {
      const response = await fetch(`${dema.url}/metrics`, { headers: scrape });
      assert.equal(response.status, 200);
      return response.text();
    };

    test('serves an OpenAPI 3.1.0 document as JSON', async () => {
      const response = await fetch(`${dema.url}/api/docs/openapi.json`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(doc.openapi, '3.1.0');
      assert.equal(typeof doc.info.title, 'string');
      assert.equal(typeof doc.info.version, 'string');
    });

    test('documents every product and category path with its methods', () => {
      const expected: Record<string, string[]> = {
        '/api/products': ['get', 'post'],
        '/api/products/{id}': ['delete', 'get', 'put'],
        '/api/products/{id}/stock-adjustments': ['post'],
        '/api/categories': ['get', 'post'],
        '/api/categories/{id}': ['delete', 'get', 'put'],
      };
      for (const [path, methods] of Object.entries(expected)) {
        assert.ok(doc.paths[path], `missing ${path}`);
        assert.deepEqual(
          Object.keys(doc.paths[path]!)
            .filter((key) => ['get', 'post', 'put', 'patch', 'delete'].includes(key))
            .sort(),
          methods,
          path,
        );
      }
    });

    test('documents the ProductQuery parameters of GET /api/products', () => {
      const parameters = doc.paths['/api/products']!.get!.parameters ?? [];
      assert.deepEqual(parameters.map((p) => p.name).sort(), [...productQueryParameters].sort());
      for (const parameter of parameters) assert.equal(parameter.in, 'query', parameter.name);
      const sort = parameters.find((p) => p.name === 'sort')!;
      assert.match(JSON.stringify(sort.schema), /"-price"/);
    });

    test('documents query parameters that have a default as optional', () => {
      const parameters = doc.paths['/api/products']!.get!.parameters ?? [];
      for (const name of ['limit', 'offset', 'sort']) {
        const parameter = parameters.find((p) => p.name === name)!;
        assert.notEqual(parameter.required, true, `${name} has a default, so a client need not send it`);
      }
    });

    test('documents the request body of POST /api/products, refusing unknown fields', () => {
      const body = doc.paths['/api/products']!.post!.requestBody!;
      const schema = body.content['application/json']!.schema as { additionalProperties?: boolean; required?: string[]; properties?: Record<string, unknown> };
      assert.equal(schema.additionalProperties, false);
      assert.deepEqual([...(schema.required ?? [])].sort(), ['categoryId', 'name', 'price']);
      for (const field of ['name', 'description', 'price', 'stock', 'categoryId', 'specifications', 'images', 'variants']) {
        assert.ok(schema.properties?.[field], `missing body field ${field}`);
      }
    });

    test('has component schemas for Product and Problem', () => {
      const { Product: product, Problem: problem } = doc.components.schemas;
      assert.ok(product, 'Product schema');
      assert.ok(problem, 'Problem schema');
      for (const field of ['id', 'name', 'price', 'stock', 'category', 'variants', 'images']) assert.ok(product.properties?.[field], `Product.${field}`);
      for (const field of ['type', 'title', 'status', 'detail', 'code', 'invalidParams']) assert.ok(problem.properties?.[field], `Problem.${field}`);
      const created = doc.paths['/api/products']!.post!.responses['201']!;
      assert.equal(Object.values(created.content ?? {})[0]?.schema.$ref, '#/components/schemas/Product');
    });

    test('documents error responses as application/problem+json, the type they are sent with', () => {
      const responses = doc.paths['/api/products']!.post!.responses;
      for (const status of ['400', '401', '409', '422']) {
        const content = responses[status]?.content ?? {};
        assert.deepEqual(Object.keys(content), ['application/problem+json'], `POST /api/products ${status}`);
        assert.equal(content['application/problem+json']!.schema.$ref, '#/components/schemas/Problem');
      }
    });

    test('serves the docs page as HTML', async () => {
      const response = await fetch(`${dema.url}/api/docs`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await response.text(), /<html/i);
    });

    test("a problem's type resolves to the docs page that lists its code", async () => {
      const problem = await (await fetch(`${dema.url}/api/no-such-route`)).json();
      const [page, anchor] = String(problem.type).split('#');
      const response = await fetch(`${dema.url}${page}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.ok((await response.text()).includes(`id="${anchor}"`), `no anchor ${anchor}`);
    });

    test('/health/live answers 200', async () => {
      const response = await fetch(`${dema.url}/health/live`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: 'up' });
    });

    test('/health/ready answers 200 with checks for the product database and the cache', async () => {
      const response = await fetch(`${dema.url}/health/ready`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as { status: string; checks: Record<string, { status: string }> };
      assert.equal(body.status, 'up');
      assert.equal(body.checks['database:product']?.status, 'up');
      assert.equal(body.checks.cache?.status, 'up');
    });

    test('/metrics is Prometheus text, for the scraper with the service token', async () => {
      const response = await fetch(`${dema.url}/metrics`, { headers: scrape });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await response.text(), /^# HELP /m);
    });

    test('/metrics is a 401 problem for anyone without the service token', async () => {
      for (const headers of [{}, { authorization: 'Bearer not-the-token' }, { authorization: `Bearer ${serviceToken}x` }] as Array<Record<string, string>>) {
        const response = await fetch(`${dema.url}/metrics`, { headers });
        assert.equal(response.status, 401);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(((await response.json()) as { code: string }).code, 'UNAUTHENTICATED');
      }
    });

    test('counts requests in http_requests_total by route', async () => {
      const labels = { method: 'GET', route: '/api/products', status_code: '200' };
      const before = sample(await metrics(), 'http_requests_total', labels);
      assert.equal((await dema.anonymous('GET', '/api/products?limit=3')).status, 200);
      assert.equal(sample(await metrics(), 'http_requests_total', labels), before + 1);
    });

    test('times requests in http_request_duration_seconds', async () => {
      await dema.anonymous('GET', '/api/products');
      const text = await metrics();
      assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m);
      assert.ok(sample(text, 'http_request_duration_seconds_count', { route: '/api/products' }) >= 1);
    });

    test('times database statements in db_query_duration_seconds', async () => {
      await dema.anonymous('GET', '/api/categories');
      const text = await metrics();
      assert.match(text, /^# TYPE db_query_duration_seconds histogram$/m);
      assert.ok(sample(text, 'db_query_duration_seconds_count', { service: 'product', outcome: 'ok' }) >= 1);
    });

    test('counts a cache hit in cache_requests_total after two identical reads', async () => {
      const labels = { cache: 'product-list', outcome: 'hit' };
      const before = sample(await metrics(), 'cache_requests_total', labels);
      for (let i = 0; i < 2; i++) assert.equal((await dema.anonymous('GET', '/api/products?limit=7&sort=name')).status, 200);
      assert.equal(sample(await metrics(), 'cache_requests_total', labels), before + 1);
      assert.ok(sample(await metrics(), 'cache_requests_total', { cache: 'product-list', outcome: 'miss' }) >= 1);
    });

    test('reports database pool connections in db_pool_connections', async () => {
      const text = await metrics();
      assert.match(text, /^# TYPE db_pool_connections gauge$/m);
      assert.ok(sample(text, 'db_pool_connections', { service: 'product', state: 'total' }) >= 1);
      assert.match(text, /^db_pool_connections\{[^}]*state="idle"[^}]*\} \d+/m);
    });

    test('every response carries its own x-request-id, errors included', async () => {
      const responses = [
        await dema.anonymous('GET', '/api/products'),
        await dema.anonymous('GET', '/api/products/not-a-uuid'),
        await dema.anonymous('GET', '/api/no-such-route'),
        await dema.anonymous('POST', '/api/products', {}),
        await dema.admin('POST', '/api/products', '{"name":'),
        await fetch(`${dema.url}/health/live`),
        await fetch(`${dema.url}/metrics`, { headers: scrape }),
      ];
      const ids = responses.map((r) => r.headers.get('x-request-id'));
      for (const [index, id] of ids.entries()) assert.ok(id && id.length > 0, `response ${index} (${responses[index]!.status}) has no x-request-id`);
      assert.equal(new Set(ids).size, ids.length, 'request ids are distinct');
    });

    test('echoes a client-provided x-request-id', async () => {
      const response = await fetch(`${dema.url}/api/products`, { headers: { 'x-request-id': 'abc-123' } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-request-id'), 'abc-123');
    });

    test('puts the request id in problem bodies', async () => {
      const response = await fetch(`${dema.url}/api/products/not-a-uuid`, { headers: { 'x-request-id': 'abc-123' } });
      assert.equal(response.headers.get('x-request-id'), 'abc-123');
      assert.equal((await response.json()).requestId, 'abc-123');
    });

    test('replaces a client-provided x-request-id that is not a safe token', async () => {
      const response = await fetch(`${dema.url}/api/products`, { headers: { 'x-request-id': 'a'.repeat(200) } });
      const id = response.headers.get('x-request-id');
      assert.ok(id && id !== 'a'.repeat(200));
    });

    test('answers an unknown route with a 404 problem', async () => {
      const response = await fetch(`${dema.url}/api/no-such-route`);
      assert.equal(response.status, 404);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = await response.json();
      assert.equal(problem.code, 'NOT_FOUND');
      assert.equal(problem.status, 404);
      assert.equal(typeof problem.title, 'string');
      assert.equal(typeof problem.detail, 'string');
    });
  });

  describe(`demo catalog and its images (${target.name})`, () => {
    let dema: ProductTestProcess;
    let products: Product[];
    let categories: Category[];

    before(async () => {
      dema = await startProductService(target, { demoData: true });
      products = [];
      for (let offset = 0; ; offset += 100) {
        const response = await dema.anonymous('GET', `/api/products?limit=100&offset=${offset}&sort=name`);
        assert.equal(response.status, 200);
        const page = (await response.json()) as ProductPage;
        products.push(...page.items);
        if (products.length >= page.total || page.items.length === 0) break;
      }
      categories = ((await (await dema.anonymous('GET', '/api/categories')).json()) as CategoryList).items as Category[];
    });
    after(() => dema.dispose());

    test('has at least 60 products in at least 6 categories', () => {
      assert.ok(products.length >= 60, `${products.length} products`);
      const used = new Set(products.map((p) => p.category?.id));
      assert.ok(used.size >= 6, `${used.size} categories in use`);
      assert.ok(categories.filter((c) => c.productCount > 0).length >= 6);
      assert.equal(
        categories.reduce((sum, c) => sum + c.productCount, 0),
        products.length,
      );
    });

    test('has products with variants, whose stock is the sum of theirs', () => {
      const withVariants = products.filter((p) => p.variants.length > 0);
      assert.ok(withVariants.length > 0, 'no product has variants');
      for (const product of withVariants) {
        assert.equal(
          product.stock,
          product.variants.reduce((sum, v) => sum + v.stock, 0),
          product.name,
        );
      }
    });

    test('lists newest first in the order the demo catalog is written, the same on every install', async () => {
      const newest = (await (await dema.anonymous('GET', `/api/products?limit=100&sort=newest`)).json()) as ProductPage;
      assert.deepEqual(
        newest.items.map((p) => p.name),
        demoProducts.slice(0, newest.items.length).map((p) => p.name),
      );
    });

    test("serves the first product's first image as SVG", async () => {
      const page = (await (await dema.anonymous('GET', '/api/products')).json()) as ProductPage;
      const url = page.items[0]!.images[0]!;
      const response = await fetch(new URL(url, dema.url));
      assert.equal(response.status, 200, url);
      assert.match(response.headers.get('content-type') ?? '', /^image\/svg\+xml/);
      assert.match(await response.text(), /<svg/);
    });

    test('serves every image the demo products refer to', async () => {
      const missing: string[] = [];
      for (const url of new Set(products.flatMap((p) => p.images))) {
        const response = await fetch(new URL(url, dema.url), { method: 'HEAD' });
        if (response.status !== 200) missing.push(`${url} → ${response.status}`);
      }
      assert.deepEqual(missing, []);
    });
  });
}
