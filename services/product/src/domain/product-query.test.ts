import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listCacheKey, toSearchQuery } from './product-query.ts';

test('search text becomes prefix terms that must all match', () => {
  assert.equal(toSearchQuery('Wireless headph'), 'wireless:* & headph:*');
});

test('search text cannot inject tsquery operators', () => {
  assert.equal(toSearchQuery("lamp' | !(desk):*"), 'lamp:* & desk:*');
  assert.equal(toSearchQuery('&|!()'), undefined);
});

test('search keeps a dot between letters or digits in the word, as the document has it', () => {
  assert.equal(toSearchQuery('3.5 mm'), '3.5:* & mm:*');
  assert.equal(toSearchQuery('firmware v1.2.3.'), 'firmware:* & v1.2.3:*');
  assert.equal(toSearchQuery('.5 3. ..'), '5:* & 3:*');
});

test('search keeps letters outside ASCII', () => {
  assert.equal(toSearchQuery('Müsli café'), 'müsli:* & café:*');
});

test('the list cache key ignores parameter order and absent values', () => {
  const a = listCacheKey({ limit: 20, offset: 0, sort: 'price', q: 'lamp', category: undefined });
  const b = listCacheKey({ q: 'lamp', sort: 'price', offset: 0, limit: 20 });
  assert.equal(a, b);
  assert.notEqual(a, listCacheKey({ q: 'lamp', sort: '-price', offset: 0, limit: 20 }));
});
