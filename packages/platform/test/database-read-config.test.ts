import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

const primary = 'postgres://dema@db-primary:5432/dema';
const replica = 'postgres://dema@db-replica:5432/dema';

test('without a read URL every read goes to the primary', () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: primary }).databaseReadUrls, {});
});

test('DATABASE_READ_URL gives the catalog and the reports their replica; a service’s own read URL overrides it', () => {
  const own = 'postgres://dema@product-replica:5432/dema';
  assert.deepEqual(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: replica }).databaseReadUrls, { product: replica, analytics: replica });
  assert.deepEqual(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: replica, PRODUCT_DATABASE_READ_URL: own }).databaseReadUrls, {
    product: own,
    analytics: replica,
  });
});

test('a read URL without the primary it replicates, or not a PostgreSQL URL, stops the start naming the variable', () => {
  for (const [env, named] of [
    [{ DATABASE_READ_URL: replica }, /DATABASE_URL: needed when DATABASE_READ_URL is set/],
    [{ ORDER_DATABASE_URL: primary, PRODUCT_DATABASE_READ_URL: replica }, /PRODUCT_DATABASE_URL or DATABASE_URL: needed when PRODUCT_DATABASE_READ_URL is set/],
    [{ DATABASE_URL: primary, ANALYTICS_DATABASE_READ_URL: 'http://db-replica' }, /ANALYTICS_DATABASE_READ_URL: expected a postgres:\/\//],
  ] as const) {
    assert.throws(
      () => loadConfig(env),
      (error: Error) => error instanceof ConfigError && named.test(error.message),
    );
  }
});
