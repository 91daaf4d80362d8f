// RFC 3986 §2.3: an escaped unreserved character means the character itself (§6.2.2.2).
const unreserved = /^[A-Za-z0-9\-._~]$/;
const escaped = /%([0-9A-Fa-f]{2})/g;

/**
 * The path and query of a request target, the path normalized as a server behind us could read it:
 * escaped unreserved characters decoded (`/api/%61uth` is `/api/auth`), then `.`/`..` segments (also
 * as `%2e`) and backslashes resolved by the WHATWG URL rules. Every decision of the edge — which
 * service owns it, its rate-limit class, whether it may be retried — is made on this path, and it is
 * the path a service is sent, so what was decided on is what runs. Other escapes stay as they are
 * (an encoded slash is never a separator). Targets without anything to resolve skip the URL parser.
 */
export function splitTarget(url: string): { pathname: string; search: string } {
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  if (!/[.%\\]/.test(path)) return { pathname: path, search: query === -1 ? '' : url.slice(query) };
  if (path.includes('%')) {
    path = path.replace(escaped, (match, hex: string) => {
      const character = String.fromCharCode(Number.parseInt(hex, 16));
      return unreserved.test(character) ? character : match;
    });
  }
  const rest = query === -1 ? '' : url.slice(query);
  // Appended to an origin rather than resolved against it: `//host/…` is a path here, not a host.
  const parsed = path.startsWith('/') ? new URL(`http://gateway.invalid${path}${rest}`) : new URL(path + rest, 'http://gateway.invalid');
  return { pathname: parsed.pathname, search: parsed.search };
}
