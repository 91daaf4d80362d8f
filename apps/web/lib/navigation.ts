/**
 * Where to go after signing in: the `next` the page was given when it is a path on this site,
 * otherwise `fallback`. Anything else (`//evil.example`, `https://…`, `javascript:`) is ignored, so
 * a crafted link cannot send a shopper off-site after they typed their password.
 */
export function safeNextPath(next: string | null | undefined, fallback = '/'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (next.startsWith('/auth/') || next.startsWith('/api/')) return fallback;
  return next;
}
