import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordWeakness, verifyPassword } from './passwords.ts';

test('a password shorter than 12 characters is refused with the rule it broke', () => {
  assert.equal(passwordWeakness('short-pass1', 'a@b.example'), 'must be at least 12 characters');
});

test('a password longer than 128 characters is refused', () => {
  assert.equal(passwordWeakness('x'.repeat(64) + 'y'.repeat(65), 'a@b.example'), 'must be at most 128 characters');
});

test('common long passwords are refused whatever their case', () => {
  for (const password of ['Password1234', 'QWERTYUIOP123', 'football2025', '1q2w3e4r5t6y']) {
    assert.match(passwordWeakness(password, 'a@b.example') ?? '', /common/, password);
  }
});

test('a password made of the email address or one repeated character is refused', () => {
  assert.match(passwordWeakness('margaret.h-2026!', 'margaret.h@shop.example') ?? '', /email/);
  assert.match(passwordWeakness('zzzzzzzzzzzzzz', 'a@b.example') ?? '', /too few/);
});

test('the whole email address is refused as a password even when its local part is short', () => {
  assert.equal(passwordWeakness('ann@example.com', 'ann@example.com'), 'must not contain your email address');
  assert.equal(passwordWeakness('my ANN@example.com!', 'ann@example.com'), 'must not contain your email address');
  assert.equal(passwordWeakness('annual-orchid-lantern', 'ann@example.com'), undefined, 'a short local part alone may appear');
});

test('an ordinary long passphrase is accepted', () => {
  assert.equal(passwordWeakness('tidal-orchid-lantern-42', 'a@b.example'), undefined);
});

test('hashes are argon2id with OWASP parameters and verify only the right password', async () => {
  const hashed = await hashPassword('tidal-orchid-lantern-42');
  assert.match(hashed, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await verifyPassword(hashed, 'tidal-orchid-lantern-42'), true);
  assert.equal(await verifyPassword(hashed, 'tidal-orchid-lantern-43'), false);
  assert.equal(await verifyPassword('not a hash', 'anything'), false);
});
