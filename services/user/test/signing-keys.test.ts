import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { accessTokenAudience, accessTokenIssuer } from '@dema/contracts';
import { ConfigError, loadConfig } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { KeyRing, keyRetirementSeconds } from '../src/keys.ts';
import { startUserService, type UserTestProcess } from './helpers.ts';

const claims = { sub: '00000000-0000-4000-8000-000000000000', role: 'customer' as const, sid: '00000000-0000-4000-8000-000000000001', email_verified: false };
const kidOf = (token: string) => decodeProtectedHeader(token).kid;

async function verifies(ring: KeyRing, token: string): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(ring.jwks()), { issuer: accessTokenIssuer, audience: accessTokenAudience, algorithms: ['EdDSA'] });
    return true;
  } catch {
    return false;
  }
}

test('DEMA_KEY_ENCRYPTION_KEY must be 32 bytes: anything else stops the start with a message naming it', () => {
  assert.equal(loadConfig({ DEMA_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') }).keyEncryptionKey?.length, 44);
  assert.equal(loadConfig({ DEMA_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex') }).keyEncryptionKey?.length, 64);
  for (const bad of ['secret', randomBytes(16).toString('base64'), randomBytes(31).toString('hex')]) {
    assert.throws(
      () => loadConfig({ DEMA_KEY_ENCRYPTION_KEY: bad }),
      (error: unknown) => error instanceof ConfigError && /DEMA_KEY_ENCRYPTION_KEY/.test(error.message),
    );
  }
});

for (const target of testTargets()) {
  describe(`signing keys encrypted at rest with DEMA_KEY_ENCRYPTION_KEY (${target.name})`, () => {
    const encryptionKey = randomBytes(32).toString('base64');
    let dema: UserTestProcess;

    before(async () => {
      dema = await startUserService(target, { keyEncryptionKey: encryptionKey });
    });
    after(() => dema.dispose());

    test('the stored private key is AES-256-GCM ciphertext, not a JWK', async () => {
      const { rows } = await (await dema.userDb()).query<{ private_jwk: Record<string, unknown> }>('SELECT private_jwk FROM signing_keys');
      assert.equal(rows.length, 1);
      const stored = rows[0]!.private_jwk;
      assert.equal(stored.enc, 'A256GCM');
      assert.equal(stored.d, undefined, 'no private key material in the clear');
      assert.ok(!JSON.stringify(stored).includes('"kty"'), JSON.stringify(stored));
    });

    test('a restart with the same key signs with the same kid, and its tokens verify', async () => {
      const again = await KeyRing.load(await dema.userDb(), { encryptionKey });
      const token = await again.sign(claims);
      assert.equal(kidOf(token), kidOf(await dema.users.keys.sign(claims)));
      assert.ok(await verifies(dema.users.keys, token));
    });

    test('a start without the key, or with another, is refused with a message naming DEMA_KEY_ENCRYPTION_KEY', async () => {
      const db = await dema.userDb();
      await assert.rejects(KeyRing.load(db), /DEMA_KEY_ENCRYPTION_KEY/);
      await assert.rejects(KeyRing.load(db, { encryptionKey: randomBytes(32).toString('base64') }), /DEMA_KEY_ENCRYPTION_KEY/);
    });
  });

  describe(`signing key rotation and retirement (${target.name})`, () => {
    let dema: UserTestProcess;

    before(async () => {
      dema = await startUserService(target);
    });
    after(() => dema.dispose());

    test('a plaintext key stored before DEMA_KEY_ENCRYPTION_KEY was set is encrypted at the next start, same kid', async () => {
      const db = await dema.userDb();
      const before = await dema.users.keys.sign(claims);
      const encryptionKey = randomBytes(32).toString('hex');
      const sealed = await KeyRing.load(db, { encryptionKey });
      assert.equal(kidOf(await sealed.sign(claims)), kidOf(before));
      const { rows } = await db.query<{ private_jwk: Record<string, unknown> }>('SELECT private_jwk FROM signing_keys');
      assert.ok(
        rows.every((row) => row.private_jwk.enc === 'A256GCM'),
        JSON.stringify(rows),
      );
      // A fresh plaintext key for the next tests.
      await db.query('DELETE FROM signing_keys');
      await KeyRing.load(db);
    });

    test('after a rotation the new key signs and the old one still verifies; once the new key has outlived every token, the old one is retired', async () => {
      const db = await dema.userDb();
      const oldRing = await KeyRing.load(db);
      const oldToken = await oldRing.sign(claims);
      const newKid = await KeyRing.rotate(db);
      const rotated = await KeyRing.load(db);
      assert.equal(kidOf(await rotated.sign(claims)), newKid, 'the new key signs');
      assert.ok(await verifies(rotated, oldToken), 'a token of the old key still verifies');
      assert.equal(rotated.jwks().keys.length, 2);

      // Just before the retirement age the old key stays.
      await db.query('UPDATE signing_keys SET created_at = now() - make_interval(secs => $2) WHERE kid = $1', [newKid, keyRetirementSeconds - 30]);
      await db.query('UPDATE signing_keys SET created_at = now() - make_interval(secs => $2) WHERE kid <> $1', [newKid, keyRetirementSeconds + 3600]);
      assert.equal((await KeyRing.load(db)).jwks().keys.length, 2);

      await db.query('UPDATE signing_keys SET created_at = now() - make_interval(secs => $2) WHERE kid = $1', [newKid, keyRetirementSeconds + 1]);
      const later = await KeyRing.load(db);
      assert.deepEqual(
        later.jwks().keys.map((key) => key.kid),
        [newKid],
        'only the new key is published',
      );
      assert.equal(await verifies(later, oldToken), false, "the old key's tokens no longer verify");
      const { rows } = await db.query<{ kid: string }>('SELECT kid FROM signing_keys');
      assert.deepEqual(
        rows.map((row) => row.kid),
        [newKid],
        'and the old key is deleted',
      );
    });

    test('the key that signs is never retired, even when a newer key exists', async () => {
      const db = await dema.userDb();
      const configured = await KeyRing.rotate(db);
      await db.query('UPDATE signing_keys SET created_at = now() - make_interval(secs => 7200) WHERE kid <> $1', [configured]);
      await db.query('UPDATE signing_keys SET created_at = now() - make_interval(secs => 3600) WHERE kid = $1', [configured]);
      // A newer row that cannot sign here (a configured key's public half, from another deployment).
      await db.query('UPDATE signing_keys SET private_jwk = NULL WHERE kid = $1', [configured]);
      const ring = await KeyRing.load(db);
      const token = await ring.sign(claims);
      assert.notEqual(kidOf(token), configured);
      assert.ok(await verifies(ring, token), 'the key that signs is still published');
    });
  });
}
