import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageCount, pagerPages, pageSize, parseProductListState, toApiQuery, toPageHref } from './product-query.ts';

test('an empty URL is the first page of every product, newest first', () => {
  assert.deepEqual(parseProductListState({}), { sort: 'newest', page: 1 });
  assert.deepEqual(toApiQuery(parseProductListState({})), { limit: pageSize, offset: 0, sort: 'newest' });
});

test('search, category, prices, stock, sort and page reach the API query', () => {
  const state = parseProductListState({ q: ' desk lamp ', category: 'office', minPrice: '10', maxPrice: '99.5', inStock: '1', sort: '-price', page: '3' });
  assert.deepEqual(state, { q: 'desk lamp', category: 'office', minPrice: 10, maxPrice: 99.5, inStock: true, sort: '-price', page: 3 });
  const query = toApiQuery(state);
  assert.deepEqual(query, {
    limit: pageSize,
    offset: 2 * pageSize,
    sort: '-price',
    q: 'desk lamp',
    category: 'office',
    minPrice: 10,
    maxPrice: 99.5,
    inStock: true,
  });
});

test('malformed values in a hand-edited URL are dropped, not sent on', () => {
  const state = parseProductListState({ sort: 'random', page: '-2', minPrice: 'cheap', maxPrice: '1.999', inStock: 'maybe', q: '   ' });
  assert.deepEqual(state, { sort: 'newest', page: 1 });
  assert.equal(parseProductListState({ page: '2.5' }).page, 1);
  assert.equal(parseProductListState({ page: ['4', '5'] }).page, 4, 'the first of repeated parameters');
});

test('a reversed price range is put the right way round', () => {
  const state = parseProductListState({ minPrice: '80', maxPrice: '20' });
  assert.equal(state.minPrice, 20);
  assert.equal(state.maxPrice, 80);
});

test('page links keep the filters and leave out defaults', () => {
  const state = parseProductListState({ q: 'mug', sort: 'newest', page: '2' });
  assert.equal(toPageHref('/products', state), '/products?q=mug&page=2');
  assert.equal(toPageHref('/products', state, { page: 1 }), '/products?q=mug');
  assert.equal(toPageHref('/categories/office', parseProductListState({}), { sort: 'name' }), '/categories/office?sort=name');
});

test('the pager shows first, last and the neighbours of the current page, with gaps', () => {
  assert.deepEqual(pagerPages(1, 1), [1]);
  assert.deepEqual(pagerPages(1, 3), [1, 2, 3]);
  assert.deepEqual(pagerPages(5, 10), [1, null, 4, 5, 6, null, 10]);
  assert.deepEqual(pagerPages(10, 10), [1, null, 9, 10]);
  assert.equal(pageCount(0), 1);
  assert.equal(pageCount(pageSize + 1), 2);
});
