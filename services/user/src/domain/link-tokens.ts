import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 (hex) of a token: what the User DB keeps of refresh and link tokens. */
export function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new unguessable token (256 bits) and its digest. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: digest(token) };
}
