import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fingerprintOf, sourceFingerprint, webAppEnvironment } from './serve.ts';

test('the build fingerprint is stable for the same sources', () => {
  assert.equal(sourceFingerprint(), sourceFingerprint());
});

test('an edited, added or renamed source asks for a new build', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dema-fingerprint-'));
  try {
    const a = path.join(dir, 'a.ts');
    const b = path.join(dir, 'b.ts');
    writeFileSync(a, 'export const a = 1;\n');
    writeFileSync(b, 'export const b = 2;\n');
    const before = fingerprintOf([a, b], dir);
    assert.equal(fingerprintOf([b, a], dir), before, 'order of discovery does not matter');
    writeFileSync(a, 'export const a = 3;\n');
    const edited = fingerprintOf([a, b], dir);
    assert.notEqual(edited, before);
    const c = path.join(dir, 'c.ts');
    writeFileSync(c, 'export const b = 2;\n');
    assert.notEqual(fingerprintOf([a, b, c], dir), edited, 'a new file');
    assert.notEqual(fingerprintOf([a, c], dir), fingerprintOf([a, b], dir), 'same content under another name');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the web app's processes see only the variables they need, never the API's secrets", () => {
  const api = {
    NODE_ENV: 'development' as const,
    PATH: '/usr/bin',
    HOME: '/home/dema',
    LC_ALL: 'C.UTF-8',
    DEMA_STORE_NAME: 'Shop',
    DEMA_WEB_TRUST_PROXY: '10.0.0.5',
    DEMA_BODY_LIMIT: '2048',
    DEMA_IMPORT_BODY_LIMIT: '65536',
    DATABASE_URL: 'postgres://dema:secret@db/dema',
    USER_DATABASE_URL: 'postgres://user:secret@db/user',
    DEMA_SERVICE_TOKEN: 'service-secret',
    REDIS_PASSWORD: 'redis-secret',
    AMQP_URL: 'amqp://guest:secret@mq',
    DEMA_SIGNING_KEY_PASSPHRASE: 'key-secret',
    NODE_OPTIONS: '--inspect',
  };
  const env = webAppEnvironment(api, { NODE_ENV: 'production', DEMA_API_URL: 'http://127.0.0.1:8080' });
  assert.deepEqual(env, {
    PATH: '/usr/bin',
    HOME: '/home/dema',
    LC_ALL: 'C.UTF-8',
    DEMA_STORE_NAME: 'Shop',
    DEMA_WEB_TRUST_PROXY: '10.0.0.5',
    DEMA_BODY_LIMIT: '2048',
    DEMA_IMPORT_BODY_LIMIT: '65536',
    NODE_ENV: 'production',
    DEMA_API_URL: 'http://127.0.0.1:8080',
  });
});
