import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTVerifyGetKey } from 'jose';
import { accessTokenAudience, accessTokenIssuer, accessTokenTtl, type AccessClaims } from '@dema/contracts';
import type { Db } from '@dema/platform';

/**
 * The access-token signing keys (Ed25519, EdDSA). The key that signs comes from configuration in
 * production (DEMA_JWT_PRIVATE_KEY, a private JWK); otherwise one is generated on first start and
 * kept in the User DB, so the embedded mode keeps its key across restarts. Every key ever stored
 * stays in the JWKS, so tokens signed before a key change verify until they expire.
 */
export class KeyRing {
  private constructor(
    private readonly signingKey: CryptoKey | Uint8Array,
    private readonly kid: string,
    private readonly publicKeys: JWK[],
  ) {}

  static async load(db: Db, configuredPrivateJwk: string | undefined): Promise<KeyRing> {
    const stored = await loadOrCreateStoredKey(db, configuredPrivateJwk === undefined);
    const { rows } = await db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM signing_keys ORDER BY created_at');
    const publicKeys = rows.map((row) => row.public_jwk);
    if (configuredPrivateJwk !== undefined) {
      const privateJwk = parsePrivateJwk(configuredPrivateJwk);
      const { d: _secret, ...publicJwk } = privateJwk;
      const kid = await calculateJwkThumbprint(publicJwk);
      publicKeys.push({ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' });
      return new KeyRing(await importJWK(privateJwk, 'EdDSA'), kid, publicKeys);
    }
    return new KeyRing(await importJWK(stored!.private_jwk, 'EdDSA'), stored!.kid, publicKeys);
  }

  /** A signed access token for `claims`, valid for the contract's `accessTokenTtl`. */
  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role, sid: claims.sid })
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

/** The stored key, generated (once, across instances) when there is none and none is configured. */
async function loadOrCreateStoredKey(db: Db, createIfMissing: boolean): Promise<{ kid: string; private_jwk: JWK } | undefined> {
  const newest = () => db.query<{ kid: string; private_jwk: JWK }>('SELECT kid, private_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1');
  const found = (await newest()).rows[0];
  if (found || !createIfMissing) return found;
  return db.withExclusiveLock('dema:signing-key', async (session) => {
    const again = await session.query<{ kid: string; private_jwk: JWK }>('SELECT kid, private_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1');
    if (again.rows[0]) return again.rows[0];
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' };
    await session.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)', [
      kid,
      privateJwk,
      { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' },
    ]);
    return { kid, private_jwk: privateJwk };
  });
}
