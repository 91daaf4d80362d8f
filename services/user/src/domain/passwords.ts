import { hash, verify } from '@node-rs/argon2';
import { passwordPolicy } from '@dema/contracts';
import { commonPasswords } from './common-passwords.ts';

/** argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 iterations, 1 lane. */
const argon2id = {
  // Algorithm.Argon2id is a const enum the ESM build cannot import; 2 is its value.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2id);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of nothing anyone knows, verified when the email matches no account so that a wrong email
 * costs the same time as a wrong password and does not reveal which accounts exist.
 */
export const unknownAccountHash = hashPassword(`unknown-account-${Math.random()}`);

/** Why `password` may not be used, in words for the person choosing it; undefined when it may. */
export function passwordWeakness(password: string, email: string): string | undefined {
  const length = [...password].length;
  if (length < passwordPolicy.minLength) return `must be at least ${passwordPolicy.minLength} characters`;
  if (length > passwordPolicy.maxLength) return `must be at most ${passwordPolicy.maxLength} characters`;
  const lower = password.toLowerCase();
  if (commonPasswords.has(lower)) return 'is one of the most common passwords; choose another';
  if (new Set(lower).size <= 2) return 'repeats too few characters; choose another';
  // A short local part (ann@…) may be in a password by chance, but the whole address may not.
  const local = email.split('@')[0]!.toLowerCase();
  if ((local.length >= 4 && lower.includes(local)) || lower.includes(email.toLowerCase())) return 'must not contain your email address';
  return undefined;
}
