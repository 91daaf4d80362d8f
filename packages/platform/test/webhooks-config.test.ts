import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('webhooks refuse private receivers, time out at 10 s, retry for a day and disable an endpoint after a day of failures by default', () => {
  assert.deepEqual(loadConfig({}).webhooks, {
    allowPrivate: false,
    timeoutMs: 10_000,
    retryBaseMs: 5_000,
    retryWindowMs: 86_400_000,
    disableAfterFailures: 50,
    disableAfterFailingMs: 86_400_000,
    concurrency: 16,
    logRetentionDays: 30,
  });
});

test('DEMA_WEBHOOKS_ALLOW_PRIVATE=true lets endpoints reach private addresses; a bad value stops the start naming it', () => {
  assert.equal(loadConfig({ DEMA_WEBHOOKS_ALLOW_PRIVATE: 'true' }).webhooks.allowPrivate, true);
  assert.throws(
    () => loadConfig({ DEMA_WEBHOOKS_ALLOW_PRIVATE: 'maybe' }),
    (error: Error) => error instanceof ConfigError && /DEMA_WEBHOOKS_ALLOW_PRIVATE/.test(error.message),
  );
  assert.throws(() => loadConfig({ DEMA_WEBHOOKS_TIMEOUT_MS: '5' }), /DEMA_WEBHOOKS_TIMEOUT_MS/);
});

test('DEMA_WEBHOOKS_LOG_RETENTION_DAYS sets how long the delivery log keeps a delivery; zero days stops the start naming it', () => {
  assert.equal(loadConfig({ DEMA_WEBHOOKS_LOG_RETENTION_DAYS: '7' }).webhooks.logRetentionDays, 7);
  assert.throws(() => loadConfig({ DEMA_WEBHOOKS_LOG_RETENTION_DAYS: '0' }), /DEMA_WEBHOOKS_LOG_RETENTION_DAYS/);
});

test('DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS sets how long an endpoint fails before it is disabled; 0 leaves the count alone; a negative one stops the start naming it', () => {
  assert.equal(loadConfig({ DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS: '3600000' }).webhooks.disableAfterFailingMs, 3_600_000);
  assert.equal(loadConfig({ DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS: '0' }).webhooks.disableAfterFailingMs, 0);
  assert.throws(() => loadConfig({ DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS: '-1' }), /DEMA_WEBHOOKS_DISABLE_AFTER_FAILING_MS/);
});
