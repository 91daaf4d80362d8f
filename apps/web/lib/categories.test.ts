import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Category, defaultCategoryId } from '@dema/contracts';
import { shopCategories } from './categories.ts';

const category = (id: string, slug: string, productCount: number): Category => ({
  id,
  name: slug,
  slug,
  description: null,
  productCount,
  createdAt: '2026-12-04T00:00:00.000Z',
  updatedAt: '2026-12-04T00:00:00.000Z',
});
const books = category('0b5e8c1a-3d2f-4a6b-9c7d-1e2f3a4b5c6d', 'books', 3);
const emptyShelf = category('1c6f9d2b-4e3a-4b7c-8d8e-2f3a4b5c6d7e', 'empty-shelf', 0);

test('the default category is not shown to shoppers while it is empty', () => {
  assert.deepEqual(shopCategories([books, category(defaultCategoryId, 'uncategorized', 0), emptyShelf]), [books, emptyShelf]);
});

test('the default category is shown once it holds products', () => {
  const uncategorized = category(defaultCategoryId, 'uncategorized', 2);
  assert.deepEqual(shopCategories([books, uncategorized]), [books, uncategorized]);
});
