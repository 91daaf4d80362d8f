import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import { accessTokenAudience, accessTokenIssuer } from '@dema/contracts';
import { SessionStore } from '../src/auth/session-store.ts';
import { tokenAuthenticator } from '../src/auth/token-authenticator.ts';

const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] });
const sign = (claims: Record<string, unknown>, expiresIn = '15m') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setIssuer(accessTokenIssuer)
    .setAudience(accessTokenAudience)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(privateKey);
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

test('a token verified once is still refused as soon as its session ends', async () => {
  const sessions = new SessionStore(undefined, pino({ level: 'silent' }));
  const authenticate = tokenAuthenticator(keys, sessions);
  const token = await sign({ role: 'customer', sid: 'session-1' });
  const principal = { kind: 'user', userId: 'user-1', role: 'customer', sessionId: 'session-1', emailVerified: false };
  assert.deepEqual(await authenticate(bearer(token)), principal);
  assert.deepEqual(await authenticate(bearer(token)), principal);
  await sessions.revoke(['session-1'], 900);
  await assert.rejects(authenticate(bearer(token)), { status: 401 });
});

test('what a request does to its principal does not reach the next request with the same token', async () => {
  const authenticate = tokenAuthenticator(keys, new SessionStore(undefined, pino({ level: 'silent' })));
  const token = await sign({ role: 'customer', sid: 'session-2' });
  const first = (await authenticate(bearer(token))) as { role: string };
  first.role = 'admin';
  assert.equal(((await authenticate(bearer(token))) as { role: string }).role, 'customer');
});

test('a token with a bad signature is refused every time, also after a good one with the same claims', async () => {
  const authenticate = tokenAuthenticator(keys, new SessionStore(undefined, pino({ level: 'silent' })));
  const token = await sign({ role: 'customer', sid: 'session-3' });
  await authenticate(bearer(token));
  const [header, payload, signature] = token.split('.');
  const forged = `${header}.${payload}.${signature!.slice(0, -4)}AAAA`;
  for (let i = 0; i < 2; i++) await assert.rejects(authenticate(bearer(forged)), { status: 401 });
});

test('a remembered token is refused once it expires', async () => {
  const authenticate = tokenAuthenticator(keys, new SessionStore(undefined, pino({ level: 'silent' })));
  const token = await sign({ role: 'customer', sid: 'session-4' }, '2s');
  await authenticate(bearer(token));
  await new Promise((resolve) => setTimeout(resolve, 2100));
  await assert.rejects(authenticate(bearer(token)), { status: 401 });
});

test("the email_verified claim becomes the principal's emailVerified; a token without it counts as not verified", async () => {
  const authenticate = tokenAuthenticator(keys, new SessionStore(undefined, pino({ level: 'silent' })));
  const verified = await authenticate(bearer(await sign({ role: 'customer', sid: 'session-v1', email_verified: true })));
  assert.equal((verified as { emailVerified?: boolean }).emailVerified, true);
  const older = await authenticate(bearer(await sign({ role: 'customer', sid: 'session-v2' })));
  assert.equal((older as { emailVerified?: boolean }).emailVerified, false);
});
