import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { accessTokenAudience, accessTokenIssuer, roles, type Principal, type Role } from '@dema/contracts';
import { unauthenticated } from '../http/errors.ts';
import type { Authenticator } from '../http/server.ts';
import type { SessionStore } from './session-store.ts';

/**
 * Verifies `Authorization: Bearer <access token>` against the User service's public keys: EdDSA
 * only (so `alg: none` and HS256-with-the-public-key are refused), this issuer and audience, not
 * expired, and its session not ended in the session store. No header → anonymous; any credential
 * that fails → 401, never a silent downgrade to anonymous.
 */
export function tokenAuthenticator(keys: JWTVerifyGetKey, sessions: SessionStore): Authenticator {
  return async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return { kind: 'anonymous' };
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('Authorization must be "Bearer <access token>"', true);
    return verifyAccessToken(match[1]!, keys, sessions);
  };
}

export async function verifyAccessToken(token: string, keys: JWTVerifyGetKey, sessions: SessionStore): Promise<Principal> {
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
  const { sub, role, sid } = payload as { sub?: unknown; role?: unknown; sid?: unknown };
  if (typeof sub !== 'string' || typeof sid !== 'string' || !roles.includes(role as Role)) throw unauthenticated('The access token is not valid', true);
  if (await sessions.isRevoked(sid)) throw unauthenticated('The session has ended; log in again', true);
  return { kind: 'user', userId: sub, role: role as Role, sessionId: sid };
}
