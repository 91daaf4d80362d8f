import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@dema/platform';

test('introspection and GraphiQL are off when NODE_ENV=production, on otherwise, and DEMA_GRAPHQL_TOOLS decides when set', () => {
  assert.equal(loadConfig({ NODE_ENV: 'production' }).graphql.tools, false);
  assert.equal(loadConfig({}).graphql.tools, true);
  assert.equal(loadConfig({ NODE_ENV: 'production', DEMA_GRAPHQL_TOOLS: 'true' }).graphql.tools, true);
  assert.equal(loadConfig({ DEMA_GRAPHQL_TOOLS: 'false' }).graphql.tools, false);
});

test('the time and cost limits come from DEMA_GRAPHQL_TIMEOUT_MS and DEMA_GRAPHQL_MAX_COST, within bounds', () => {
  assert.deepEqual(loadConfig({}).graphql, { timeoutMs: 10_000, tools: true, maxCost: 50_000 });
  assert.deepEqual(loadConfig({ DEMA_GRAPHQL_TIMEOUT_MS: '2500', DEMA_GRAPHQL_MAX_COST: '9000' }).graphql, { timeoutMs: 2500, tools: true, maxCost: 9000 });
  assert.throws(() => loadConfig({ DEMA_GRAPHQL_TIMEOUT_MS: '0' }), ConfigError);
  assert.throws(() => loadConfig({ DEMA_GRAPHQL_MAX_COST: 'lots' }), ConfigError);
});
