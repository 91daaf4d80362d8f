import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose';
import { accessTokenAudience, accessTokenIssuer, accessTokenTtl, type AccessClaims } from '@dema/contracts';
import type { Db, Queryable } from '@dema/platform';

/**
 * How long a key that no longer signs stays in the JWKS after the key that replaced it was made:
 * the longest an access token lives, and a minute for clocks that differ.
 */
export const keyRetirementSeconds = accessTokenTtl + 60;

/** A private JWK as stored when DEMA_KEY_ENCRYPTION_KEY is set: AES-256-GCM, bound to its kid. */
interface SealedJwk {
  enc: 'A256GCM';
  iv: string;
  tag: string;
  ct: string;
}

type StoredPrivate = JWK | SealedJwk;

export interface KeyRingOptions {
  /** DEMA_JWT_PRIVATE_KEY: the key that signs, a private JWK (JSON); absent → a stored one. */
  configuredPrivateJwk?: string;
  /** DEMA_KEY_ENCRYPTION_KEY (32 bytes, base64): stored private keys are encrypted with it. */
  encryptionKey?: string;
}

/**
 * The access-token signing keys (Ed25519, EdDSA). The key that signs comes from configuration in
 * production (DEMA_JWT_PRIVATE_KEY, a private JWK); otherwise one is generated on first start and
 * kept in the User DB (encrypted when DEMA_KEY_ENCRYPTION_KEY is set), so the embedded mode keeps
 * its key across restarts. A key that stopped signing stays in the JWKS while tokens it signed can
 * live (`keyRetirementSeconds` after its successor was made), and is then deleted.
 */
export class KeyRing {
  private constructor(
    private readonly signingKey: CryptoKey | Uint8Array,
    private readonly kid: string,
    private readonly publicKeys: JWK[],
  ) {}

  static async load(db: Db, options: KeyRingOptions = {}): Promise<KeyRing> {
    const { configuredPrivateJwk, encryptionKey } = options;
    const sealing = encryptionKey === undefined ? undefined : parseEncryptionKey(encryptionKey);
    let signing: { kid: string; privateJwk: JWK };
    if (configuredPrivateJwk !== undefined) {
      const privateJwk = parsePrivateJwk(configuredPrivateJwk);
      const { d: _secret, ...publicJwk } = privateJwk;
      const kid = await calculateJwkThumbprint(publicJwk);
      // Only its public half is stored: its row's age says when it began to sign, so the keys before it retire on time.
      await db.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, NULL, $2) ON CONFLICT (kid) DO NOTHING', [
        kid,
        { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' },
      ]);
      signing = { kid, privateJwk };
    } else {
      const stored = await loadOrCreateStoredKey(db, sealing);
      signing = { kid: stored.kid, privateJwk: open(stored.kid, stored.private_jwk, sealing) };
    }
    if (sealing) await sealPlaintextKeys(db, sealing);
    await retireKeys(db, signing.kid);
    const { rows } = await db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM signing_keys ORDER BY created_at');
    const publicKeys = rows.map((row) => row.public_jwk);
    return new KeyRing(await importJWK(signing.privateJwk, 'EdDSA'), signing.kid, publicKeys);
  }

  /**
   * Makes a new stored key, which signs from the next start of each User service instance on; the
   * previous one verifies for `keyRetirementSeconds` more. Not for a configured key (change
   * DEMA_JWT_PRIVATE_KEY instead).
   */
  static async rotate(db: Db, options: Pick<KeyRingOptions, 'encryptionKey'> = {}): Promise<string> {
    const sealing = options.encryptionKey === undefined ? undefined : parseEncryptionKey(options.encryptionKey);
    return (await insertGeneratedKey(db, sealing)).kid;
  }

  /** A signed access token for `claims`, valid for the contract's `accessTokenTtl`. */
  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role, sid: claims.sid, email_verified: claims.email_verified })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid, typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setIssuer(accessTokenIssuer)
      .setAudience(accessTokenAudience)
      .setIssuedAt()
      .setExpirationTime(`${accessTokenTtl}s`)
      .sign(this.signingKey);
  }

  /** The public keys as a JWKS document (RFC 7517). */
  jwks(): { keys: JWK[] } {
    return { keys: this.publicKeys };
  }

  /** Verification keys for services in this process: no HTTP round trip to the JWKS. */
  verifier(): JWTVerifyGetKey {
    return createLocalJWKSet(this.jwks());
  }
}

function parsePrivateJwk(text: string): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new Error('DEMA_JWT_PRIVATE_KEY must be an Ed25519 private key as a JWK (JSON)');
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string') {
    throw new Error('DEMA_JWT_PRIVATE_KEY must be an Ed25519 private JWK ({"kty":"OKP","crv":"Ed25519","x":…,"d":…})');
  }
  return jwk;
}

function parseEncryptionKey(text: string): Buffer {
  const key = Buffer.from(text, /^[0-9a-f]{64}$/i.test(text) ? 'hex' : 'base64');
  if (key.length !== 32) throw new Error('DEMA_KEY_ENCRYPTION_KEY must be 32 bytes, base64 (openssl rand -base64 32) or 64 hex digits');
  return key;
}

const isSealed = (stored: StoredPrivate): stored is SealedJwk => (stored as SealedJwk).enc === 'A256GCM';

function seal(kid: string, jwk: JWK, key: Buffer): SealedJwk {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kid));
  const ct = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return { enc: 'A256GCM', iv: iv.toString('base64url'), tag: cipher.getAuthTag().toString('base64url'), ct: ct.toString('base64url') };
}

function open(kid: string, stored: StoredPrivate, key: Buffer | undefined): JWK {
  if (!isSealed(stored)) return stored;
  if (!key) throw new Error('The stored signing key is encrypted: set DEMA_KEY_ENCRYPTION_KEY to the key it was encrypted with');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(stored.iv, 'base64url'));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(stored.tag, 'base64url'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(stored.ct, 'base64url')), decipher.final()]).toString('utf8')) as JWK;
  } catch {
    throw new Error('DEMA_KEY_ENCRYPTION_KEY does not decrypt the stored signing key: it is not the key it was encrypted with');
  }
}

/** Encrypts the private keys stored before DEMA_KEY_ENCRYPTION_KEY was set. */
async function sealPlaintextKeys(db: Db, key: Buffer): Promise<void> {
  const { rows } = await db.query<{ kid: string; private_jwk: StoredPrivate | null }>(
    'SELECT kid, private_jwk FROM signing_keys WHERE private_jwk IS NOT NULL',
  );
  for (const row of rows) {
    if (isSealed(row.private_jwk!)) continue;
    await db.query('UPDATE signing_keys SET private_jwk = $2 WHERE kid = $1', [row.kid, seal(row.kid, row.private_jwk as JWK, key)]);
  }
}

/**
 * Deletes the keys whose successor was made more than `keyRetirementSeconds` ago (no live token
 * needs them), never the one that signs here.
 */
async function retireKeys(db: Queryable, signingKid: string): Promise<void> {
  await db.query(
    `DELETE FROM signing_keys k WHERE k.kid <> $2 AND EXISTS (
       SELECT 1 FROM signing_keys n WHERE n.created_at > k.created_at AND n.created_at <= now() - make_interval(secs => $1))`,
    [keyRetirementSeconds, signingKid],
  );
}

const newestStored = 'SELECT kid, private_jwk FROM signing_keys WHERE private_jwk IS NOT NULL ORDER BY created_at DESC LIMIT 1';

/** The newest stored key, generated (once, across instances) when there is none. */
async function loadOrCreateStoredKey(db: Db, sealing: Buffer | undefined): Promise<{ kid: string; private_jwk: StoredPrivate }> {
  const found = (await db.query<{ kid: string; private_jwk: StoredPrivate }>(newestStored)).rows[0];
  if (found) return found;
  return db.withExclusiveLock('dema:signing-key', async (session) => {
    const again = (await session.query<{ kid: string; private_jwk: StoredPrivate }>(newestStored)).rows[0];
    return again ?? insertGeneratedKey(session, sealing);
  });
}

async function insertGeneratedKey(db: Queryable, sealing: Buffer | undefined): Promise<{ kid: string; private_jwk: StoredPrivate }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' };
  const stored = sealing ? seal(kid, privateJwk, sealing) : privateJwk;
  await db.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)', [kid, stored, { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }]);
  return { kid, private_jwk: stored };
}
