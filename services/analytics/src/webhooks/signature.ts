import { createHmac, randomBytes } from 'node:crypto';

const secretPrefix = 'whsec_';

/** A new signing secret: `whsec_` and 24 random bytes in base64, the form Standard Webhooks libraries read. */
export function generateSecret(): string {
  return `${secretPrefix}${randomBytes(24).toString('base64')}`;
}

/**
 * The `webhook-signature` header of one attempt (Standard Webhooks, version 1): `v1,` and the base64
 * HMAC-SHA256 of `id.timestamp.body`, keyed with the bytes the secret encodes (not its text).
 * `timestamp` is in seconds since the epoch, as sent in `webhook-timestamp`.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
