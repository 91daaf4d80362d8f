/**
 * A fresh key for the `Idempotency-Key` header: one per checkout attempt, so a retried or
 * double-clicked "Place order" creates one order. randomUUID needs a secure context; on plain
 * http (a LAN address) the key comes from getRandomValues instead.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
