import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeNextPath } from './navigation.ts';

test('after sign-in a path on this site is followed', () => {
  assert.equal(safeNextPath('/orders/123?placed=1'), '/orders/123?placed=1');
  assert.equal(safeNextPath('/products/abc', '/'), '/products/abc');
});

test('anything that could leave the site falls back', () => {
  for (const next of [
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    'javascript:alert(1)',
    '',
    null,
    undefined,
    '/auth/logout',
    '/api/users',
  ]) {
    assert.equal(safeNextPath(next, '/fallback'), '/fallback', String(next));
  }
});
