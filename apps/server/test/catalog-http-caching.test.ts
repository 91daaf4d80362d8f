import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Product } from '@dema/contracts';
import { startTestProcess, testTargets, type ServicesOf, type TestProcess } from '@dema/platform/testing';
import { createProductService } from '@dema/product';
import { createUserService } from '@dema/user';
import type { Metrics } from '@dema/platform';
import type { RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';

/**
 * Catalog reads as a client (or a CDN) in front of either public entry sees them: public
 * Cache-Control, a strong ETag that follows the product, 304 on a match, and the bytes compressed
 * once per cache fill in the coding the client prefers.
 */

const factories = { user: createUserService, product: createProductService };
const policies = { rateLimitAllowlist: ['127.0.0.0/8', '::1'] };
const serviceToken = 'catalog-caching-test-service-token-5c1e';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET as sent, and its answer's bytes as received: no decompression on the way. */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

function compressions(metrics: Metrics): Promise<number> {
  return metrics.cacheCompressions.get().then((m) => m.values.reduce((sum, v) => sum + v.value, 0));
}

for (const target of testTargets()) {
  for (const kind of ['gateway', 'all-in-one'] as const) {
    describe(`catalog HTTP caching (${kind}, ${target.name})`, () => {
      let upstream: TestProcess<ServicesOf<typeof factories>> | undefined;
      let gateway: RunningGateway | undefined;
      let allInOne: AllInOne<ServicesOf<typeof factories>> | undefined;
      let base: string;
      let services: ServicesOf<typeof factories>;
      let metrics: Metrics;
      let skillet: Product;

      before(async () => {
        if (kind === 'gateway') {
          upstream = await startTestProcess(target, factories, { serviceToken });
          gateway = await startTestGateway({ serviceToken }, { upstreams: { user: [upstream.url], product: [upstream.url] }, policies });
          base = gateway.url;
          services = upstream.services;
          metrics = upstream.infra.metrics;
        } else {
          allInOne = await startAllInOne(target, factories, policies, { serviceToken });
          base = allInOne.url;
          services = allInOne.services;
          metrics = allInOne.infra.metrics;
        }
        const { catalog } = services.product;
        skillet = await catalog.createProduct({ name: 'Cast Iron Skillet', description: 'Pre-seasoned pan for searing', price: 39.9, stock: 12 });
        for (let n = 1; n <= 12; n++)
          await catalog.createProduct({ name: `Field Guide to Birds, volume ${n}`, description: 'Illustrated pocket guide', price: 19.99, stock: n });
      });
      const signIn = async (email: string) => {
        const password = 'correct-horse-battery-staple';
        await services.user.identity.createUser(email, password, email.split('@')[0]!, 'customer');
        return (await services.user.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
      };

      after(async () => {
        await gateway?.close();
        await upstream?.dispose();
        await allInOne?.dispose();
      });

      test('the product list is public for a short while, with a strong ETag, and varies by Accept-Encoding', async () => {
        const answer = await get(`${base}/api/products?limit=5`);
        assert.equal(answer.status, 200);
        assert.equal(answer.headers['cache-control'], 'public, max-age=30, stale-while-revalidate=60');
        assert.match(answer.headers.etag ?? '', /^"[\w-]+"$/);
        assert.match(String(answer.headers.vary), /accept-encoding/i);
        assert.equal(answer.headers['content-encoding'], undefined);
        assert.equal(JSON.parse(answer.body.toString()).items.length, 5);
      });

      test('If-None-Match naming the list answers 304 with no body', async () => {
        const first = await get(`${base}/api/products?limit=5`);
        const again = await get(`${base}/api/products?limit=5`, { 'if-none-match': first.headers.etag! });
        assert.equal(again.status, 304);
        assert.equal(again.body.length, 0);
        assert.equal(again.headers.etag, first.headers.etag);
        assert.equal(again.headers['cache-control'], first.headers['cache-control']);
        const other = await get(`${base}/api/products?limit=5`, { 'if-none-match': '"something-else"' });
        assert.equal(other.status, 200);
      });

      test("a product's ETag changes when the product does, and the old one then gets the new answer", async () => {
        const before = await get(`${base}/api/products/${skillet.id}`);
        assert.equal(before.status, 200);
        assert.equal(before.headers['cache-control'], 'public, max-age=30, stale-while-revalidate=60');
        assert.equal((await get(`${base}/api/products/${skillet.id}`, { 'if-none-match': before.headers.etag! })).status, 304);

        await services.product.catalog.updateProduct(skillet.id, { price: 44.5 });
        const after = await get(`${base}/api/products/${skillet.id}`, { 'if-none-match': before.headers.etag! });
        assert.equal(after.status, 200);
        assert.notEqual(after.headers.etag, before.headers.etag);
        assert.equal((JSON.parse(after.body.toString()) as Product).price, 44.5);
        assert.equal((await get(`${base}/api/products/${skillet.id}`, { 'if-none-match': after.headers.etag! })).status, 304);
      });

      test('an unknown product is not made public', async () => {
        const answer = await get(`${base}/api/products/00000000-0000-4000-8000-000000000000`);
        assert.equal(answer.status, 404);
        assert.doesNotMatch(String(answer.headers['cache-control']), /public/);
        assert.equal(answer.headers.etag, undefined);
      });

      test("answers that are someone's are kept by no cache: a profile, a refused token", async () => {
        const accessToken = await signIn('cy@edge.dema.dev');
        const profile = await get(`${base}/api/users/me`, { authorization: `Bearer ${accessToken}` });
        assert.equal(profile.status, 200);
        assert.equal(profile.headers['cache-control'], 'private, no-store');
        const refused = await get(`${base}/api/products`, { authorization: 'Bearer not-a-token' });
        assert.equal(refused.status, 401);
        assert.equal(refused.headers['cache-control'], 'private, no-store');
      });

      test("a signed-in caller's browser asks again every time, and hears 304 while nothing changed", async () => {
        const accessToken = await signIn('di@edge.dema.dev');
        const anonymous = await get(`${base}/api/products?limit=5`);
        const signedIn = await get(`${base}/api/products?limit=5`, { authorization: `Bearer ${accessToken}` });
        assert.equal(signedIn.status, 200);
        assert.equal(signedIn.headers['cache-control'], 'private, no-cache');
        assert.equal(signedIn.headers.etag, anonymous.headers.etag);
        const again = await get(`${base}/api/products?limit=5`, { authorization: `Bearer ${accessToken}`, 'if-none-match': signedIn.headers.etag! });
        assert.equal(again.status, 304);
      });

      test('brotli is preferred, gzip next, and either decompresses to exactly the plain JSON', async () => {
        const url = `${base}/api/products?limit=12&sort=name`;
        const plain = await get(url);
        const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
        const gzip = await get(url, { 'accept-encoding': 'gzip' });
        const neither = await get(url, { 'accept-encoding': 'deflate, identity' });
        assert.equal(br.headers['content-encoding'], 'br');
        assert.equal(gzip.headers['content-encoding'], 'gzip');
        assert.equal(neither.headers['content-encoding'], undefined);
        assert.deepEqual(brotliDecompressSync(br.body), plain.body);
        assert.deepEqual(gunzipSync(gzip.body), plain.body);
        assert.deepEqual(neither.body, plain.body);
        assert.ok(br.body.length < plain.body.length / 3, `br ${br.body.length} of ${plain.body.length} bytes`);
        assert.ok(gzip.body.length < plain.body.length / 3, `gzip ${gzip.body.length} of ${plain.body.length} bytes`);
        // One tag per coding (the bytes differ), and each names the same answer for If-None-Match.
        assert.equal(new Set([plain.headers.etag, br.headers.etag, gzip.headers.etag]).size, 3);
        const revalidated = await get(url, { 'accept-encoding': 'br', 'if-none-match': gzip.headers.etag! });
        assert.equal(revalidated.status, 304);
        assert.equal(revalidated.headers.etag, br.headers.etag);
      });

      test('a client that weighs gzip above brotli, or refuses brotli, gets gzip', async () => {
        const url = `${base}/api/products?limit=3`;
        assert.equal((await get(url, { 'accept-encoding': 'br;q=0.5, gzip' })).headers['content-encoding'], 'gzip');
        assert.equal((await get(url, { 'accept-encoding': 'br;q=0, *' })).headers['content-encoding'], 'gzip');
        assert.equal((await get(url, { 'accept-encoding': '*' })).headers['content-encoding'], 'br');
      });

      test('the answer is compressed once, when the cache entry is filled, not per request', async () => {
        const url = `${base}/api/products?limit=7&sort=price`;
        const before = await compressions(metrics);
        const first = await get(url, { 'accept-encoding': 'br, gzip' });
        assert.equal(first.headers['content-encoding'], 'br');
        const filled = await compressions(metrics);
        assert.equal(filled - before, 2, 'brotli and gzip, once each');
        for (const coding of ['br, gzip', 'gzip', 'br', '']) await get(url, { 'accept-encoding': coding });
        assert.equal(await compressions(metrics), filled);
      });
    });
  }
}

for (const target of testTargets()) {
  describe(`catalog HTTP caching with the cache off (${target.name})`, () => {
    let dema: AllInOne<ServicesOf<typeof factories>>;

    before(async () => {
      dema = await startAllInOne(target, factories, policies, { serviceToken, cacheEnabled: false });
      await dema.services.product.catalog.createProduct({ name: 'Cast Iron Skillet', price: 39.9, stock: 12 });
    });
    after(() => dema.dispose());

    test('answers are plain, still with their ETag, and nothing is compressed per request', async () => {
      const before = await compressions(dema.infra.metrics);
      const first = await get(`${dema.url}/api/products`, { 'accept-encoding': 'br, gzip' });
      assert.equal(first.status, 200);
      assert.equal(first.headers['content-encoding'], undefined);
      assert.equal((await get(`${dema.url}/api/products`, { 'accept-encoding': 'br', 'if-none-match': first.headers.etag! })).status, 304);
      assert.equal(await compressions(dema.infra.metrics), before);
    });
  });
}
