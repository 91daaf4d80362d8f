import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogCsvColumns } from '@dema/contracts';
import { CatalogCsvReader } from './catalog-csv.ts';

const read = (rows: Array<Partial<Record<(typeof catalogCsvColumns)[number], string>>>) => {
  const reader = new CatalogCsvReader();
  assert.deepEqual(reader.header([...catalogCsvColumns]), []);
  for (const row of rows) reader.add(catalogCsvColumns.map((column) => row[column] ?? ''));
  return reader;
};

test('rows with one handle are one product, its stock the sum of its variants', () => {
  const reader = read([
    { handle: 'h', name: 'Hat', price: '10', variant_name: 'S', variant_stock: '2' },
    { handle: 'h', variant_name: 'M', variant_stock: '3', variant_price: '11.5' },
  ]);
  assert.deepEqual(reader.problems, []);
  const [hat] = reader.drafts();
  assert.equal(hat!.stock, 5);
  assert.deepEqual(
    hat!.variants.map((v) => [v.row, v.name, v.price]),
    [
      [2, 'S', null],
      [3, 'M', '11.5'],
    ],
  );
});

test('keeps prices as the decimal text written, and refuses more than two decimals, commas and signs', () => {
  const reader = read([
    { handle: 'a', name: 'A', price: '99999999.99', stock: '1' },
    { handle: 'b', name: 'B', price: '1,50', stock: '1' },
    { handle: 'c', name: 'C', price: '-1', stock: '1' },
    { handle: 'd', name: 'D', price: '0.001', stock: '1' },
  ]);
  assert.equal(reader.drafts()[0]!.price, '99999999.99');
  assert.deepEqual(
    reader.problems.map((p) => `${p.row} ${p.column}`),
    ['3 price', '4 price', '5 price'],
  );
});

test('a later row of a product may repeat its columns but not change them', () => {
  const reader = read([
    { handle: 'h', name: 'Hat', price: '10', variant_name: 'S', variant_stock: '2' },
    { handle: 'h', name: 'Hat', price: '12', variant_name: 'M', variant_stock: '3' },
  ]);
  assert.deepEqual(
    reader.problems.map((p) => `${p.row} ${p.column}`),
    ['3 price'],
  );
});

test('a product is sold alone or by variant, not both', () => {
  const reader = read([
    { handle: 'h', name: 'Hat', price: '10', stock: '4' },
    { handle: 'h', variant_name: 'M', variant_stock: '3' },
    { handle: 'v', name: 'Vest', price: '10', stock: '4', variant_name: 'S', variant_stock: '1' },
    { handle: 'v' },
  ]);
  assert.deepEqual(
    reader.problems.map((p) => `${p.row} ${p.column}`),
    ['3 variant_name', '4 stock', '5 variant_name'],
  );
});

test('specifications and options are JSON objects of strings', () => {
  const reader = read([
    { handle: 'a', name: 'A', price: '1', stock: '1', specifications: '{"Pages":"320"}' },
    { handle: 'b', name: 'B', price: '1', stock: '1', specifications: 'Pages: 320' },
    { handle: 'c', name: 'C', price: '1', variant_name: 'X', variant_stock: '1', variant_options: '{"Size":4}' },
  ]);
  assert.deepEqual(reader.drafts()[0]!.specifications, { Pages: '320' });
  assert.deepEqual(
    reader.problems.map((p) => `${p.row} ${p.column}`),
    ['3 specifications', '4 variant_options'],
  );
});

test('the header must name known columns, once, with handle, name and price', () => {
  const reader = new CatalogCsvReader();
  assert.deepEqual(
    reader.header(['Handle', 'name', 'colour', 'name']).map((p) => `${p.column}: ${p.reason}`),
    [
      'colour: is not a column of a catalog file (handle, name, description, category, price, stock, weight_grams, images, specifications, variant_name, variant_sku, variant_price, variant_stock, variant_weight_grams, variant_options)',
      'price: is a required column',
      'name: appears twice',
    ],
  );
});

test('a row with a value past the last column is refused: an unquoted comma would shift it', () => {
  const reader = new CatalogCsvReader();
  assert.deepEqual(reader.header(['handle', 'name', 'price', 'stock']), []);
  reader.add(['a', 'Crate', '1', '000', '5']);
  reader.add(['b', 'Box', '2', '3', '', ' ']);
  assert.deepEqual(
    reader.problems.map((p) => `${p.row} ${p.column}: ${p.reason}`),
    ['2 column 5: has a value, but the header names 4 columns: quote a value that holds a comma'],
  );
});

test('NUL and bytes that were not UTF-8 are refused in the column holding them', () => {
  const reader = read([
    { handle: 'a', name: 'Caf\uFFFD', price: '1', stock: '1' },
    { handle: 'b', name: 'B', description: 'nul\u0000', price: '1', stock: '1' },
    { handle: 'c', name: 'C', price: '1', stock: '1', specifications: '{"Pages":"\\u0000"}' },
  ]);
  assert.deepEqual(
    reader.problems.map((p) => `${p.row} ${p.column}: ${p.reason}`),
    [
      '2 name: has bytes that are not UTF-8 (read as \uFFFD): save the file as CSV UTF-8',
      '3 description: must not contain the NUL character (\\u0000)',
      '4 specifications: must not contain the NUL character (\\u0000)',
    ],
  );
});
