import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '@dema/platform';

/** The entry a service is started alone with (repoint when entries move). */
const serviceEntry = 'services/product/src/main.ts';
const repoRoot = new URL('../../../', import.meta.url);

/** Runs `entry` with `env` added; its exit code and everything it wrote. */
function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: repoRoot,
      env: { ...process.env, DEMA_WEB: 'off', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function assertOneLine(result: { code: number | null; output: string }, ...words: string[]): void {
  assert.notEqual(result.code, 0, result.output);
  assert.doesNotMatch(result.output, / {4}at /, 'no stack trace');
  const line = result.output.trim().split('\n').at(-1)!;
  for (const word of words) assert.match(line, new RegExp(word));
}

test('a busy PORT is named in one line', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    assertOneLine(await run(serviceEntry, { PORT: String(port) }), `Port ${port} is already in use`, 'PORT');
  } finally {
    server.close();
  }
});

test('an unreachable DATABASE_URL is named in one line', async () => {
  assertOneLine(await run(serviceEntry, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres' }), 'refused the connection', 'DATABASE_URL');
});

test('RabbitMQ refusing the login names AMQP_URL', { skip: !process.env.TEST_AMQP_URL }, async () => {
  assertOneLine(await run(serviceEntry, { AMQP_URL: 'amqp://bad:bad@127.0.0.1:5672' }), 'refused user "bad"', 'AMQP_URL');
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
