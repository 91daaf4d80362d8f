import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CatalogImportJob, CatalogImportReport, Product, ProductPage } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { parse } from 'csv-parse/sync';
import { startProductService, type ProductTestProcess } from './helpers.ts';

const header =
  'handle,name,description,category,price,stock,weight_grams,images,specifications,variant_name,variant_sku,variant_price,variant_stock,variant_weight_grams,variant_options';

const sample = [
  header,
  'tee,Organic Tee,"Soft, heavy cotton",Apparel,19.99,,180,https://img.example/tee-1.jpg https://img.example/tee-2.jpg,"{""Material"":""Cotton""}",Small,TEE-S,,4,,"{""Size"":""S""}"',
  'tee,,,,,,,,,Large,TEE-L,21.50,6,200,"{""Size"":""L""}"',
  'mug,Stoneware Mug,,kitchen,12.10,30,350,/media/mug.svg,,,,,,,',
  'atlas,Atlas of Islands,,,0.07,2,,,,,,,,,',
].join('\n');

for (const target of testTargets()) {
  describe(`catalog import and export (${target.name})`, () => {
    let dema: ProductTestProcess;

    before(async () => {
      dema = await startProductService(target);
      await dema.createCategory('Kitchen');
    });
    after(() => dema.dispose());

    const importCsv = (csv: string, query = '', token = dema.adminToken) =>
      fetch(`${dema.url}/api/products/import${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body: csv,
      });
    const exportCsv = async (query = '') => {
      const response = await dema.admin('GET', `/api/products/export${query}`);
      assert.equal(response.status, 200, await response.clone().text());
      assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
      return response.text();
    };
    const products = async (query = '') => {
      const response = await dema.anonymous('GET', `/api/products?limit=100${query}`);
      return (await response.json()) as ProductPage;
    };
    const clear = async () => {
      for (;;) {
        const page = await products();
        if (page.items.length === 0) return;
        for (const product of page.items) assert.equal((await dema.admin('DELETE', `/api/products/${product.id}`)).status, 204);
      }
    };
    const poll = async (location: string): Promise<CatalogImportJob> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const job = (await (await dema.admin('GET', location)).json()) as CatalogImportJob;
        if (job.status !== 'RUNNING') return job;
        assert.ok(Date.now() < deadline, `still running after a minute: ${JSON.stringify(job)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    test('imports products with variants, categories by slug or name or new, exact prices, stock and images', async () => {
      const response = await importCsv(sample);
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual((await response.json()) as CatalogImportReport, { dryRun: false, rows: 4, products: 3, variants: 2, categoriesCreated: ['Apparel'] });
      const page = await products('&sort=name');
      const [atlas, tee, mug] = [
        page.items.find((p) => p.name === 'Atlas of Islands')!,
        page.items.find((p) => p.name === 'Organic Tee')!,
        page.items.find((p) => p.name === 'Stoneware Mug')!,
      ];
      assert.equal(tee.category.name, 'Apparel');
      assert.equal(tee.price, 19.99);
      assert.equal(tee.stock, 10, 'a product with variants has the sum of theirs');
      assert.equal(tee.description, 'Soft, heavy cotton');
      assert.deepEqual(tee.images, ['https://img.example/tee-1.jpg', 'https://img.example/tee-2.jpg']);
      assert.deepEqual(tee.specifications, { Material: 'Cotton' });
      assert.deepEqual(
        tee.variants.map((v) => [v.name, v.sku, v.price, v.stock, v.weightGrams, v.options]),
        [
          ['Small', 'TEE-S', null, 4, null, { Size: 'S' }],
          ['Large', 'TEE-L', 21.5, 6, 200, { Size: 'L' }],
        ],
      );
      assert.equal(mug.category.slug, 'kitchen');
      assert.deepEqual([mug.price, mug.stock, mug.weightGrams], [12.1, 30, 350]);
      assert.equal(atlas.category.slug, 'uncategorized');
      assert.equal(atlas.price, 0.07);
      const db = await dema.infra.database('product');
      const { rows } = await db.query<{ price: string }>("SELECT price::text FROM products WHERE name = 'Atlas of Islands'");
      assert.equal(rows[0]!.price, '0.07');
      await clear();
    });

    test('a dry run reports what an import would do and writes nothing', async () => {
      const categories = await dema.count('categories');
      const response = await importCsv(sample.replaceAll('Apparel', 'Outdoor'), '?dryRun=true');
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual(await response.json(), { dryRun: true, rows: 4, products: 3, variants: 2, categoriesCreated: ['Outdoor'] });
      assert.equal(await dema.count('products'), 0);
      assert.equal(await dema.count('categories'), categories);
    });

    test('lists every rejected row with its number and why, and imports none of the file', async () => {
      const csv = [
        header,
        'ok,Fine Product,,,5.00,1,,,,,,,,,',
        'bad-price,Cheap,,,1.999,1,,,,,,,,,',
        ',No Handle,,,1,1,,,,,,,,,',
        'bad-stock,Lots,,,1,-3,,ftp://nope,,,,,,,',
        'v,Variants,,,1,,,,,One,DUP,,1,,',
        'v,,,,,,,,,Two,DUP,,x,,',
      ].join('\n');
      const response = await importCsv(csv);
      assert.equal(response.status, 422);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await response.json()) as { code: string; detail: string; invalidParams: Array<{ name: string; reason: string }> };
      assert.equal(problem.code, 'IMPORT_ROWS_REJECTED');
      assert.deepEqual(
        problem.invalidParams.map((p) => p.name),
        ['row 3: price', 'row 4: handle', 'row 5: stock', 'row 5: images', 'row 7: variant_sku', 'row 7: variant_stock'],
      );
      assert.match(problem.invalidParams[0]!.reason, /^must be a decimal number/);
      assert.match(problem.invalidParams[4]!.reason, /repeats the SKU of row 6/);
      assert.equal(await dema.count('products'), 0);
    });

    test('refuses a name, a variant name or a category with no visible character, naming the row and column, as the API does', async () => {
      const csv = [
        header,
        'blank,   ,,,1,1,,,,,,,,,',
        'zero-width,\u200b\u200b,,,1,1,,,,,,,,,',
        'filler,Filler,,\u3164,1,1,,,,,,,,,',
        'v,Variants,,,1,,,,,\u00a0\u200d,,,1,,',
        'ok,Fine Product,,,5.00,1,,,,,,,,,',
      ].join('\n');
      const response = await importCsv(csv);
      assert.equal(response.status, 422, await response.clone().text());
      const problem = (await response.json()) as { code: string; invalidParams: Array<{ name: string; reason: string }> };
      assert.equal(problem.code, 'IMPORT_ROWS_REJECTED');
      assert.deepEqual(problem.invalidParams, [
        { name: 'row 2: name', reason: 'is required on the first row of a product' },
        { name: 'row 3: name', reason: 'must have a visible character, not only spaces' },
        { name: 'row 4: category', reason: 'must have a visible character, not only spaces' },
        { name: 'row 5: variant_name', reason: 'must have a visible character, not only spaces' },
      ]);
      assert.equal(await dema.count('products'), 0);
    });

    test('imports names, variant names and new categories without the spaces around them', async () => {
      const csv = [header, 'mug,  Spaced Mug ,, Tableware ,12.10,,,,,  Large\t,,,3,,'].join('\n');
      const response = await importCsv(csv);
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual(((await response.json()) as CatalogImportReport).categoriesCreated, ['Tableware']);
      const [mug] = (await products()).items;
      assert.equal(mug!.name, 'Spaced Mug');
      assert.equal(mug!.category.name, 'Tableware');
      assert.deepEqual(
        mug!.variants.map((v) => v.name),
        ['Large'],
      );
      await clear();
    });

    test('refuses, in the dry run as in the import, a file in Latin-1, a NUL and a row longer than the header', async () => {
      const latin1 = Buffer.concat([Buffer.from(`${header}\ncafe,Caf`), Buffer.from([0xe9]), Buffer.from(',,,1,1,,,,,,,,,\n')]);
      const csv = Buffer.concat([
        latin1,
        Buffer.from('nul,Nul\u0000Name,,,1,1,,,,,,,,,\n'),
        Buffer.from('crate,Crate,,,1,1,,,,,,,,,,extra\n'),
        Buffer.from('ok,Fine,,,1,1,,,,,,,,,,,\n'),
      ]);
      for (const query of ['?dryRun=true', '']) {
        const response = await fetch(`${dema.url}/api/products/import${query}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${dema.adminToken}`, 'content-type': 'text/csv' },
          body: csv,
        });
        assert.equal(response.status, 422, await response.clone().text());
        const problem = (await response.json()) as { code: string; invalidParams: Array<{ name: string }> };
        assert.equal(problem.code, 'IMPORT_ROWS_REJECTED');
        assert.deepEqual(
          problem.invalidParams.map((p) => p.name),
          ['row 2: name', 'row 3: name', 'row 4: column 16'],
        );
      }
      assert.equal(await dema.count('products'), 0);
    });

    test('refuses a SKU the catalog has and a handle that is a product id: an import only adds', async () => {
      const existing = await dema.createProduct({ name: 'Old', variants: [{ name: 'Only', sku: 'OLD-1', stock: 1 }] });
      const csv = [header, 'n,New,,,1,,,,,A,OLD-1,,1,,', `${existing.id},Again,,,1,1,,,,,,,,,`].join('\n');
      const response = await importCsv(csv);
      assert.equal(response.status, 422);
      const problem = (await response.json()) as { invalidParams: Array<{ name: string }> };
      assert.deepEqual(
        problem.invalidParams.map((p) => p.name),
        ['row 2: variant_sku', 'row 3: handle'],
      );
      assert.equal(await dema.count('products'), 1);
      await clear();
    });

    test('two imports of one SKU at once: one imports it, the other is refused naming the row', async () => {
      const rows = Array.from({ length: 300 }, (_, i) => `race${i},Race ${i},,,1,,,,,One,RACE-${i},,1,,`);
      const csv = [header, ...rows].join('\n');
      const replies = await Promise.all([importCsv(csv), importCsv(csv)]);
      const statuses = replies.map((r) => r.status).sort();
      const bodies = await Promise.all(replies.map((r) => r.text()));
      assert.deepEqual(statuses, [200, 422], bodies.join('\n'));
      const refused = JSON.parse(bodies[replies.findIndex((r) => r.status === 422)]!) as { code: string; invalidParams: Array<{ name: string }> };
      assert.equal(refused.code, 'IMPORT_ROWS_REJECTED');
      assert.equal(await dema.count('products'), 300);
      await clear();
    });

    test('two imports creating one new category at once both import, into that one category', async () => {
      const file = (prefix: string) => [header, ...Array.from({ length: 300 }, (_, i) => `${prefix}${i},${prefix} ${i},,Garden Shed,1,1,,,,,,,,,`)].join('\n');
      const replies = await Promise.all([importCsv(file('left')), importCsv(file('right'))]);
      const bodies = await Promise.all(replies.map((r) => r.text()));
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200],
        bodies.join('\n'),
      );
      assert.equal((await products('&category=garden-shed')).total, 600);
      const shed = (await (await dema.anonymous('GET', '/api/categories/garden-shed')).json()) as { id: string };
      await clear();
      assert.equal((await dema.admin('DELETE', `/api/categories/${shed.id}`)).status, 204);
    });

    test('finds a category by its name in any case, and refuses a new name whose slug another category has', async () => {
      const garden = await dema.createCategory('Home & Garden');
      const byName = await importCsv([header, 'g,Rake,,home & garden,9,1,,,,,,,,,'].join('\n'), '?dryRun=true');
      assert.deepEqual(((await byName.json()) as CatalogImportReport).categoriesCreated, []);
      const clash = await importCsv([header, 'g,Rake,,Home Garden,9,1,,,,,,,,,'].join('\n'));
      assert.equal(clash.status, 422);
      const problem = (await clash.json()) as { invalidParams: Array<{ name: string; reason: string }> };
      assert.equal(problem.invalidParams[0]!.name, 'row 2: category');
      assert.match(problem.invalidParams[0]!.reason, new RegExp(`\\(${garden.slug}\\) is another category's`));
    });

    test('refuses a file over 64 MB with a 413 the client can read, and imports nothing', async () => {
      const row = `big,${'x'.repeat(250)},,,1,1,,,,,,,,,\n`;
      const response = await importCsv(`${header}\n${row.repeat(Math.ceil((65 * 1024 * 1024) / row.length))}`);
      assert.equal(response.status, 413);
      assert.equal(((await response.json()) as { code: string }).code, 'BODY_TOO_LARGE');
      assert.equal(await dema.count('products'), 0);
    });

    test('refuses a file that is not CSV, unknown columns, customers and anonymous callers', async () => {
      assert.equal((await dema.admin('POST', '/api/products/import', { name: 'json' })).status, 415);
      const unknown = await importCsv('handle,name,price,colour\na,A,1,red');
      assert.equal(unknown.status, 422);
      assert.deepEqual(
        ((await unknown.json()) as { invalidParams: Array<{ name: string }> }).invalidParams.map((p) => p.name),
        ['row 1: colour'],
      );
      const malformed = await importCsv('handle,name,price\na,"unterminated,1');
      assert.equal(malformed.status, 400);
      assert.equal((await importCsv(sample, '', dema.customerToken)).status, 403);
      const anonymous = await fetch(`${dema.url}/api/products/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: sample });
      assert.equal(anonymous.status, 401);
      assert.equal((await dema.anonymous('GET', '/api/products/export')).status, 401);
      assert.equal(await dema.count('products'), 0);
    });

    test('a file sent with another content type than CSV is told to send text/csv, not JSON', async () => {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
        const response = await fetch(`${dema.url}/api/products/import?dryRun=true`, {
          method: 'POST',
          headers: { authorization: `Bearer ${dema.adminToken}`, 'content-type': type },
          body: sample,
        });
        assert.equal(response.status, 415);
        const problem = (await response.json()) as { code: string; detail: string };
        assert.equal(problem.code, 'UNSUPPORTED_MEDIA_TYPE');
        assert.match(problem.detail, /send text\/csv$/, problem.detail);
      }
    });

    test('an export filter it does not take is a 400 naming it, not the whole catalog', async () => {
      for (const [query, name] of [
        ['?catgory=kitchen', 'query.catgory'],
        ['?limit=5', 'query.limit'],
      ]) {
        const response = await dema.admin('GET', `/api/products/export${query}`);
        assert.equal(response.status, 400, query);
        const problem = (await response.json()) as { code: string; invalidParams: Array<{ name: string }> };
        assert.deepEqual([problem.code, problem.invalidParams.map((p) => p.name)], ['VALIDATION_FAILED', [name]]);
      }
    });

    test('a big file becomes a job the admin polls until it reports, then the export streams it back page by page', async () => {
      const rows = Array.from({ length: 1200 }, (_, i) => `p${i},Bulk ${String(i).padStart(4, '0')},,Bulk,${i}.25,${i % 7},,,,,,,,,`);
      const response = await importCsv([header, ...rows].join('\n'));
      assert.equal(response.status, 202, await response.clone().text());
      const started = (await response.json()) as CatalogImportJob;
      assert.equal(started.totalRows, 1200);
      assert.equal(response.headers.get('location'), `/api/products/import/${started.id}`);
      const job = await poll(response.headers.get('location')!);
      assert.equal(job.status, 'SUCCEEDED', JSON.stringify(job.problem));
      assert.equal(job.doneRows, 1200);
      assert.deepEqual(job.report, { dryRun: false, rows: 1200, products: 1200, variants: 0, categoriesCreated: ['Bulk'] });
      assert.equal((await products('&category=bulk')).total, 1200);

      const exported = parse(await exportCsv('?category=bulk')) as string[][];
      assert.equal(exported.length, 1201, 'the header and every product, over several pages');
      assert.deepEqual(
        exported
          .slice(1)
          .map((row) => row[4])
          .sort(),
        Array.from({ length: 1200 }, (_, i) => `${i}.25`).sort(),
      );
      assert.equal(parse(await exportCsv('?category=bulk&maxPrice=9.5')).length, 1 + 10);
      await clear();
    });

    test('a big file with a rejected row ends as a FAILED job naming it, and imports nothing', async () => {
      const rows = Array.from({ length: 1100 }, (_, i) => `q${i},Q ${i},,,${i === 1050 ? 'free' : '1'},1,,,,,,,,,`);
      const response = await importCsv([header, ...rows].join('\n'));
      assert.equal(response.status, 202);
      const job = await poll(response.headers.get('location')!);
      assert.equal(job.status, 'FAILED');
      assert.equal(job.problem?.code, 'IMPORT_ROWS_REJECTED');
      assert.deepEqual(
        job.problem?.invalidParams.map((p) => p.name),
        ['row 1052: price'],
      );
      assert.equal(await dema.count('products'), 0);
      assert.equal((await dema.admin('GET', '/api/products/import/6f1c3c59-0000-4000-8000-000000000000')).status, 404);
    });

    test('an export imports back into an empty catalog as the same catalog', async () => {
      assert.equal((await importCsv(sample)).status, 200);
      const first = await exportCsv();
      await clear();
      const again = await importCsv(first);
      assert.equal(again.status, 200, await again.clone().text());
      assert.deepEqual(((await again.json()) as CatalogImportReport).categoriesCreated, []);
      const second = await exportCsv();
      // The handle is the product id, new on import; every other column round-trips exactly.
      const withoutHandles = (csv: string) => (parse(csv) as string[][]).map((row) => row.slice(1)).sort((a, b) => a.join().localeCompare(b.join()));
      assert.deepEqual(withoutHandles(second), withoutHandles(first));
      const names = (await products()).items.map((p: Product) => p.name).sort();
      assert.deepEqual(names, ['Atlas of Islands', 'Organic Tee', 'Stoneware Mug']);
      await clear();
    });
  });

  describe(`catalog import under a configured DEMA_IMPORT_BODY_LIMIT (${target.name})`, () => {
    const limit = 64 * 1024;
    let dema: ProductTestProcess;

    before(async () => {
      dema = await startProductService(target, { importBodyLimit: limit });
    });
    after(() => dema.dispose());

    test('a file over it is a 413 naming it, and imports nothing; one within it imports', async () => {
      const importCsv = (csv: string) =>
        fetch(`${dema.url}/api/products/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${dema.adminToken}`, 'content-type': 'text/csv' },
          body: csv,
        });
      const row = (i: number) => `big-${i},${'x'.repeat(250)},,,1,1,,,,,,,,,`;
      const over = await importCsv([header, ...Array.from({ length: 300 }, (_, i) => row(i))].join('\n'));
      assert.equal(over.status, 413);
      assert.deepEqual(await over.json().then(({ code, detail }) => [code, detail]), [
        'BODY_TOO_LARGE',
        `A catalog file may be at most 64.0 KiB (${limit} bytes); split it`,
      ]);
      assert.equal(await dema.count('products'), 0);
      assert.equal((await importCsv(sample)).status, 200);
      assert.equal(await dema.count('products'), 3);
    });
  });
}
