import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('RabbitMQ queues are quorum queues by default with NODE_ENV=production, classic otherwise', () => {
  assert.equal(loadConfig({ NODE_ENV: 'production' }).amqpQueueType, 'quorum');
  assert.equal(loadConfig({}).amqpQueueType, 'classic');
  assert.equal(loadConfig({ NODE_ENV: 'development' }).amqpQueueType, 'classic');
  assert.equal(loadConfig({ NODE_ENV: 'test' }).amqpQueueType, 'classic');
});

test('an explicit AMQP_QUEUE_TYPE wins over the default of either environment', () => {
  assert.equal(loadConfig({ NODE_ENV: 'production', AMQP_QUEUE_TYPE: 'classic' }).amqpQueueType, 'classic');
  assert.equal(loadConfig({ AMQP_QUEUE_TYPE: 'quorum' }).amqpQueueType, 'quorum');
  assert.equal(loadConfig({ NODE_ENV: 'development', AMQP_QUEUE_TYPE: 'quorum' }).amqpQueueType, 'quorum');
});

test('an AMQP_QUEUE_TYPE that is neither stops the start naming it, in production too', () => {
  for (const env of [{}, { NODE_ENV: 'production' }]) {
    assert.throws(
      () => loadConfig({ ...env, AMQP_QUEUE_TYPE: 'stream' }),
      (error: Error) => error instanceof ConfigError && /AMQP_QUEUE_TYPE="stream": expected one of classic, quorum/.test(error.message),
    );
  }
});
