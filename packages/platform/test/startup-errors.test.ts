import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '@dema/platform';
import { assertOneLine, freePort, occupyPort, runEntry as run, waitFor } from '@dema/platform/testing';

/** The entry a service is started alone with (repoint when entries move). */
const serviceEntry = 'services/product/src/main.ts';

test('a busy PORT is named in one line', async () => {
  const held = await occupyPort();
  try {
    assertOneLine(await run(serviceEntry, { PORT: String(held.port) }), `Port ${held.port} is already in use`, 'PORT');
  } finally {
    await held.close();
  }
});

test('an unreachable DATABASE_URL is named in one line', async () => {
  assertOneLine(await run(serviceEntry, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' }), 'refused the connection', 'DATABASE_URL');
});

test('RabbitMQ refusing the login names AMQP_URL', { skip: !process.env.TEST_AMQP_URL }, async () => {
  assertOneLine(await run(serviceEntry, { AMQP_URL: 'amqp://bad:bad@127.0.0.1:5672' }), 'refused user "bad"', 'AMQP_URL');
});

// A Redis of its own that wants a password, so that refusals are real and the shared one is untouched.
const redisMissing = spawnSync('redis-server', ['--version']).error !== undefined;
const requireReal = process.env.DEMA_TEST_REQUIRE_REAL === '1';

describe('Redis refusing the credentials', { skip: redisMissing && !requireReal ? 'redis-server is not on PATH' : false }, () => {
  let redis: ChildProcess | undefined;
  let port = 0;

  before(async () => {
    assert.ok(!redisMissing, 'DEMA_TEST_REQUIRE_REAL=1 but redis-server is not on PATH');
    port = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', 'secret', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let printed = '';
    redis.stdout!.setEncoding('utf8');
    for await (const chunk of redis.stdout!) {
      printed += chunk;
      if (/Ready to accept connections/.test(printed)) break;
    }
    redis.stdout!.resume();
  });

  after(async () => {
    if (redis && redis.exitCode === null) {
      redis.kill('SIGTERM');
      await once(redis, 'exit');
    }
  });

  test('without REDIS_PASSWORD: names REDIS_PASSWORD', async () => {
    const result = await run(serviceEntry, { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port), REDIS_PASSWORD: '' });
    assertOneLine(result, `Redis at 127.0.0.1:${port} requires a password`, 'set REDIS_PASSWORD');
  });

  test('a wrong REDIS_PASSWORD: says it was refused and what to do', async () => {
    const result = await run(serviceEntry, { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port), REDIS_PASSWORD: 'wrong' });
    assertOneLine(result, `Redis at 127.0.0.1:${port} refused the password in REDIS_PASSWORD`, 'set the right one');
    assert.doesNotMatch(result.output, /wrong/, 'the password is not printed');
  });
});

test('an unreachable Redis does not stop the start: the service runs degraded, from its database', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dema-startup-'));
  const child = spawn(process.execPath, ['--import', 'tsx', serviceEntry], {
    cwd: new URL('../../../', import.meta.url),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DEMA_DATA_DIR: dataDir,
      DEMA_DEMO_DATA: 'false',
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = once(child, 'exit');
  try {
    let ready: { status: string; checks: { cache: { detail: string } } } | undefined;
    await waitFor(
      'the service to answer /health/ready',
      async () => {
        assert.equal(child.exitCode, null, `exited:\n${output}`);
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
        if (response?.status === 200) ready = (await response.json()) as typeof ready;
        return ready !== undefined;
      },
      100_000,
    );
    assert.equal(ready!.status, 'degraded');
    assert.match(ready!.checks.cache.detail, /redis unreachable/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/products`)).status, 200);
  } finally {
    child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
  assert.equal(child.exitCode, 0, output);
  assert.doesNotMatch(output, / {4}at /);
});

test('a malformed variable is named', async () => {
  const result = await run(serviceEntry, { PORT: 'abc' });
  assert.notEqual(result.code, 0);
  assert.doesNotMatch(result.output, / {4}at /);
  assert.match(result.output, /PORT="abc": expected a whole number/);
});

test('LOG_FORMAT: pretty on a terminal outside production, json otherwise, as set when set', () => {
  assert.equal(loadConfig({}, true).logFormat, 'pretty');
  assert.equal(loadConfig({}, false).logFormat, 'json');
  assert.equal(loadConfig({ NODE_ENV: 'production' }, true).logFormat, 'json');
  assert.equal(loadConfig({ LOG_FORMAT: 'pretty' }, false).logFormat, 'pretty');
  assert.equal(loadConfig({ LOG_FORMAT: 'json' }, true).logFormat, 'json');
  assert.throws(
    () => loadConfig({ LOG_FORMAT: 'xml' }),
    (error: unknown) => error instanceof ConfigError && /LOG_FORMAT="xml": expected one of json, pretty/.test(error.message),
  );
});

test('REDIS_KEY_PREFIX and AMQP_NAMESPACE get their separator, and refuse spaces', () => {
  const config = loadConfig({ REDIS_HOST: '127.0.0.1', REDIS_KEY_PREFIX: 'shop1', AMQP_NAMESPACE: 'shop1' });
  assert.equal(config.redis!.keyPrefix, 'shop1:');
  assert.equal(config.amqpNamespace, 'shop1.');
  const kept = loadConfig({ REDIS_HOST: '127.0.0.1', REDIS_KEY_PREFIX: 'shop1:', AMQP_NAMESPACE: 'shop1.' });
  assert.equal(kept.redis!.keyPrefix, 'shop1:');
  assert.equal(kept.amqpNamespace, 'shop1.');
  assert.throws(() => loadConfig({ AMQP_NAMESPACE: 'my shop' }), /AMQP_NAMESPACE="my shop": expected a prefix without spaces/);
});
