import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fingerprintOf, sourceFingerprint } from './serve.ts';

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
