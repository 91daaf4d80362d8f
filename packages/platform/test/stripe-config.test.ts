import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('without STRIPE_SECRET_KEY there is no Stripe (manual payments only)', () => {
  assert.equal(loadConfig({}).stripe, undefined);
});

test('STRIPE_SECRET_KEY turns Stripe on against api.stripe.com; STRIPE_API_BASE points it at another host', () => {
  assert.deepEqual(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }).stripe, {
    secretKey: 'sk_test_1',
    webhookSecret: 'whsec_1',
    api: undefined,
  });
  assert.deepEqual(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_API_BASE: 'http://127.0.0.1:12111' }).stripe?.api, {
    host: '127.0.0.1',
    port: 12111,
    protocol: 'http',
  });
  assert.deepEqual(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_API_BASE: 'https://stripe.example' }).stripe?.api, {
    host: 'stripe.example',
    port: 443,
    protocol: 'https',
  });
});

test('a webhook secret or API base without a secret key, or a base that is not a URL, stops the start naming the variable', () => {
  assert.throws(
    () => loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_1' }),
    (error: Error) => error instanceof ConfigError && /STRIPE_SECRET_KEY/.test(error.message),
  );
  assert.throws(
    () => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_API_BASE: 'ftp://x' }),
    (error: Error) => /STRIPE_API_BASE/.test(error.message),
  );
});
