import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Product, ProductPage, StockLevel, StockUpdatedEvent } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { startProductService, type ProductTestProcess } from './helpers.ts';

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const target of testTargets()) {
  describe(`stock and STOCK_UPDATED (${target.name})`, () => {
    let dema: ProductTestProcess;
    let categoryId: string;
    const received: StockUpdatedEvent[] = [];

    before(async () => {
      dema = await startProductService(target);
      categoryId = (await dema.createCategory()).id;
      await dema.infra.bus.subscribe('stock-test', ['system.#'], async (event: EventEnvelope) => {
        received.push(event as StockUpdatedEvent);
      });
    });
    after(() => dema.dispose());

    const eventsFor = (productId: string) => received.filter((e) => e.payload.productId === productId);
    const adjust = (productId: string, body: object) => dema.admin('POST', `/api/products/${productId}/stock-adjustments`, body);

    test('an adjustment answers the old and new stock and publishes STOCK_UPDATED with the seed payload', async () => {
      const product = await dema.createProduct({ categoryId, stock: 10 });
      const response = await adjust(product.id, { delta: -3 });
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual(await response.json(), { productId: product.id, variantId: null, oldStock: 10, newStock: 7, variantStock: null });

      const events = await until(() => (eventsFor(product.id).length === 2 ? eventsFor(product.id) : undefined), 'two events');
      const [created, adjusted] = events;
      assert.deepEqual(
        { ...created!.payload, timestamp: undefined },
        { productId: product.id, oldStock: 0, newStock: 10, reason: 'MANUAL', timestamp: undefined },
      );
      assert.equal(adjusted!.type, 'STOCK_UPDATED');
      assert.equal(adjusted!.version, 1);
      assert.match(adjusted!.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(Object.keys(adjusted!.payload).sort(), ['newStock', 'oldStock', 'productId', 'reason', 'timestamp']);
      assert.equal(adjusted!.payload.oldStock, 10);
      assert.equal(adjusted!.payload.newStock, 7);
      assert.equal(adjusted!.payload.reason, 'MANUAL');
      assert.ok(!Number.isNaN(Date.parse(adjusted!.payload.timestamp)));
    });

    test('the event is written in the same transaction as the change: a refused adjustment writes neither', async () => {
      const product = await dema.createProduct({ categoryId, stock: 2 });
      const outboxBefore = await dema.count('outbox');
      const response = await adjust(product.id, { delta: -3 });
      assert.equal(response.status, 409);
      assert.equal((await response.json()).code, 'INSUFFICIENT_STOCK');
      assert.equal(await dema.count('outbox'), outboxBefore);
      const reread = await (await dema.anonymous('GET', `/api/products/${product.id}`)).json();
      assert.equal(reread.stock, 2);
    });

    test('concurrent adjustments never take stock below zero: exactly the available units succeed', async () => {
      const product = await dema.createProduct({ categoryId, stock: 20 });
      const responses = await Promise.all(Array.from({ length: 50 }, () => adjust(product.id, { delta: -1 })));
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 20);
      assert.equal(statuses.filter((s) => s === 409).length, 30);
      const levels = await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.json() as Promise<StockLevel>));
      assert.deepEqual(
        levels.map((l) => l.newStock).sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i),
      );
      const reread = await (await dema.anonymous('GET', `/api/products/${product.id}`)).json();
      assert.equal(reread.stock, 0);
      const events = await until(() => (eventsFor(product.id).length === 21 ? eventsFor(product.id) : undefined), '21 events');
      assert.equal(new Set(events.map((e) => e.id)).size, 21, 'each event delivered once');
    });

    test('a variant adjustment changes the variant and the product total, and the event carries the totals', async () => {
      const product = await dema.createProduct({
        categoryId,
        variants: [
          { name: 'S', stock: 3 },
          { name: 'L', stock: 5 },
        ],
      });
      const large = product.variants[1]!;
      const response = await adjust(product.id, { delta: 4, variantId: large.id });
      assert.deepEqual(await response.json(), { productId: product.id, variantId: large.id, oldStock: 8, newStock: 12, variantStock: 9 });
      const events = await until(() => (eventsFor(product.id).length === 2 ? eventsFor(product.id) : undefined), 'two events');
      assert.deepEqual([events[1]!.payload.oldStock, events[1]!.payload.newStock], [8, 12]);

      const withoutVariant = await adjust(product.id, { delta: 1 });
      assert.equal(withoutVariant.status, 422);
      assert.equal((await withoutVariant.json()).invalidParams[0].name, 'body.variantId');
      const belowZero = await adjust(product.id, { delta: -4, variantId: product.variants[0]!.id });
      assert.equal(belowZero.status, 409);
    });

    test('editing stock through PUT records a MANUAL event; editing anything else records none', async () => {
      const product = await dema.createProduct({ categoryId, stock: 4 });
      await dema.admin('PUT', `/api/products/${product.id}`, { name: 'Renamed' });
      await dema.admin('PUT', `/api/products/${product.id}`, { stock: 9 });
      const events = await until(() => (eventsFor(product.id).length === 2 ? eventsFor(product.id) : undefined), 'two events');
      assert.deepEqual([events[1]!.payload.oldStock, events[1]!.payload.newStock, events[1]!.payload.reason], [4, 9, 'MANUAL']);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(eventsFor(product.id).length, 2);
    });

    test('a stock move drops the cached reads showing the moved products or filtering on stock, and keeps every other', async () => {
      const kept = await dema.createProduct({ categoryId, name: 'Kept in the cache', stock: 10 });
      const moved = await dema.createProduct({ categoryId, name: 'Moved by orders', stock: 10 });
      const detail = async (id: string) => (await (await dema.anonymous('GET', `/api/products/${id}`)).json()) as Product;
      const page = async (query: string) => {
        const response = await dema.anonymous('GET', `/api/products?${query}&sort=name`);
        return ((await response.json()) as ProductPage).items.map((p) => [p.name, p.stock]);
      };
      const both = `ids=${kept.id}&ids=${moved.id}`;
      const keptAlone = `ids=${kept.id}`;
      const inStock = `ids=${kept.id}&inStock=true`;
      // Filled, then the kept product's stored document changed behind the cache's back: a read that
      // shows the change was loaded again, one that does not came from the cache.
      for (const id of [kept.id, moved.id, moved.id.toUpperCase()]) await detail(id);
      for (const query of [both, keptAlone, inStock]) await page(query);
      const db = await dema.infra.database('product');
      await db.query(`UPDATE product_documents SET body = replace(body, 'Kept in the cache', 'Changed behind the cache') WHERE product_id = $1`, [kept.id]);

      assert.equal((await adjust(moved.id, { delta: -1 })).status, 200);
      await dema.services.product.catalog.reserveStock(randomUUID(), [{ productId: moved.id.toUpperCase(), variantId: null, quantity: 2 }]);
      assert.equal((await detail(moved.id)).stock, 7);
      assert.equal((await detail(moved.id.toUpperCase())).stock, 7, 'another spelling of the id is another entry, dropped all the same');
      assert.deepEqual(
        await page(both),
        [
          ['Changed behind the cache', 10],
          ['Moved by orders', 7],
        ],
        'a page showing a moved product is dropped',
      );
      assert.deepEqual(await page(inStock), [['Changed behind the cache', 10]], 'a page filtering on stock is dropped by any move');
      assert.deepEqual(await page(keptAlone), [['Kept in the cache', 10]], 'a page of other products stays cached');
      assert.equal((await detail(kept.id)).name, 'Kept in the cache', 'the detail of a product whose stock did not move stays cached');

      // Any other change drops every entry.
      assert.equal((await dema.admin('PUT', `/api/products/${moved.id}`, { price: 12 })).status, 200);
      assert.equal((await detail(kept.id)).name, 'Changed behind the cache');
      assert.deepEqual(await page(keptAlone), [['Changed behind the cache', 10]]);
    });

    test('a page whose products changed between reading its ids and loading it is answered as loaded', async () => {
      const first = await dema.createProduct({ categoryId, name: 'Aardvark plush', stock: 3 });
      const query = `ids=${first.id}&sort=name`;
      const catalog = dema.services.product.catalog;
      const read = async () =>
        JSON.parse((await catalog.listProducts({ ids: [first.id], limit: 20, offset: 0, sort: 'name' })).identity.toString()) as ProductPage;
      assert.equal((await read()).items.length, 1);
      // The ids' entry says one product; the page's load will find none (deleted behind the cache's back).
      const db = await dema.infra.database('product');
      await db.query('DELETE FROM products WHERE id = $1', [first.id]);
      await dema.infra.cache.invalidate([`product:${first.id}`]);
      assert.deepEqual((await read()).items, [], 'answered as loaded');
      assert.equal((await (await dema.anonymous('GET', `/api/products?${query}`)).json()).items.length, 0);
    });

    test('every outbox row ends up published', async () => {
      await dema.relay().drain();
      const db = await dema.infra.database('product');
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
      assert.equal(rows[0]!.n, 0);
    });
  });
}
