import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { accessTokenAudience, accessTokenIssuer, roles, type Principal, type Role } from '@dema/contracts';
import { unauthenticated } from '../http/errors.ts';
import type { Authenticator } from '../http/server.ts';
import type { SessionStore } from './session-store.ts';

/**
 * Verifies `Authorization: Bearer <access token>` against the User service's public keys: EdDSA
 * only (so `alg: none` and HS256-with-the-public-key are refused), this issuer and audience, not
 * expired, and its session not ended in the session store. No header → anonymous; any credential
 * that fails → 401, never a silent downgrade to anonymous.
 *
 * A token whose signature was verified is remembered (by its exact text) for at most
 * `verifiedTokenSeconds` and never past its expiry, so a customer's next requests skip the EdDSA
 * check (about 5 % of the CPU of an order under load); the session is still looked up on every
 * request, so a logout or revocation applies at once. What the memory delays is only a signing key
 * withdrawn from the key set: its tokens are refused at most `verifiedTokenSeconds` later.
 */
export function tokenAuthenticator(keys: JWTVerifyGetKey, sessions: SessionStore): Authenticator {
  const verified = new LRUCache<string, Principal & { kind: 'user' }>({ max: verifiedTokens });
  return async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return { kind: 'anonymous' };
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('Authorization must be "Bearer <access token>"', true);
    const token = match[1]!;
    const known = verified.get(token);
    if (known) {
      if (await sessions.isRevoked(known.sessionId)) throw sessionEnded();
      return { ...known }; // a copy: what a request does with its principal does not reach the next one
    }
    const { principal, expiresAt } = await verifyToken(token, keys, sessions);
    const ttl = Math.min(verifiedTokenSeconds * 1000, expiresAt * 1000 - Date.now());
    if (ttl > 0) verified.set(token, { ...principal }, { ttl });
    return principal;
  };
}

/** How many verified tokens an authenticator remembers, and for how long at most. */
const verifiedTokens = 10_000;
const verifiedTokenSeconds = 60;

const sessionEnded = () => unauthenticated('The session has ended; log in again', true);

export async function verifyAccessToken(token: string, keys: JWTVerifyGetKey, sessions: SessionStore): Promise<Principal> {
  return (await verifyToken(token, keys, sessions)).principal;
}

async function verifyToken(
  token: string,
  keys: JWTVerifyGetKey,
  sessions: SessionStore,
): Promise<{ principal: Principal & { kind: 'user' }; expiresAt: number }> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ['EdDSA'],
      issuer: accessTokenIssuer,
      audience: accessTokenAudience,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw unauthenticated('The access token has expired; refresh it', true);
    throw unauthenticated('The access token is not valid', true);
  }
  const { sub, role, sid, email_verified } = payload as { sub?: unknown; role?: unknown; sid?: unknown; email_verified?: unknown };
  if (typeof sub !== 'string' || typeof sid !== 'string' || !roles.includes(role as Role)) throw unauthenticated('The access token is not valid', true);
  if (await sessions.isRevoked(sid)) throw sessionEnded();
  return { principal: { kind: 'user', userId: sub, role: role as Role, sessionId: sid, emailVerified: email_verified === true }, expiresAt: payload.exp! };
}
