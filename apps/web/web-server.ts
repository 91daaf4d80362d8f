import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';
import { stripeJsUrl } from './lib/config.ts';

/**
 * Makes the forwarding headers of a request say what this server knows, not what the client wrote:
 * X-Forwarded-For becomes the peer's address, X-Forwarded-Proto its scheme, and a client's
 * X-Forwarded-Host goes. The web app passes these on to the API, whose rate limits and login
 * throttle count per address and which believes the store's X-Forwarded-For (`npm start` trusts
 * loopback); `next start` keeps a client's X-Forwarded-For when one is sent (it only fills in a
 * missing one), so a shopper could pick a fresh address per request. A request from a proxy in
 * `trusted` (DEMA_WEB_TRUST_PROXY: the reverse proxy in front of the store) keeps its headers.
 */
export function stateTheClient(request: Pick<IncomingMessage, 'headers' | 'socket'>, trusted: ReadonlySet<string>): void {
  const peer = request.socket.remoteAddress ?? '';
  if (trusted.has(peer)) return;
  request.headers['x-forwarded-for'] = peer;
  request.headers['x-forwarded-proto'] = 'encrypted' in request.socket && request.socket.encrypted ? 'https' : 'http';
  delete request.headers['x-forwarded-host'];
}

/** The addresses of DEMA_WEB_TRUST_PROXY (comma-separated), IPv4 ones also as IPv4-mapped IPv6. */
export function trustedProxies(value: string | undefined): Set<string> {
  const addresses = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return new Set(addresses.flatMap((address) => (address.includes(':') ? [address] : [address, `::ffff:${address}`])));
}

/**
 * The Content-Security-Policy of one response. Scripts run only with this response's `nonce`
 * (Next.js reads it from the request's policy header and puts it on every script it writes) or
 * when loaded by such a script; no inline handlers, no eval, no plugins, no framing, and
 * connections, forms and the base URL stay on this origin, Stripe.js's own origins apart
 * (`paymentOrigins`). Inline styles stay allowed: React's
 * `style` attributes need them, and a style cannot run code.
 */
export function contentSecurityPolicy(nonce: string, https: boolean, payments: PaymentOrigins = paymentOrigins(stripeJsUrl())): string {
  return [
    "default-src 'self'",
    // Stripe.js is added by the checkout's own script ('strict-dynamic' lets it in); its origin is
    // named too for browsers without 'strict-dynamic'.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' ${payments.script}`,
    "style-src 'self' 'unsafe-inline'",
    // Product images may be any https address an admin entered.
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    `connect-src 'self' ${payments.connect}`,
    `frame-src ${payments.frame}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** The origins Stripe.js needs beyond this one: where it is loaded from, whom it calls, and its frames (the card field, 3-D Secure). */
export interface PaymentOrigins {
  script: string;
  connect: string;
  frame: string;
}

/**
 * What the policy lets Stripe.js do when it is loaded from `scriptUrl`: Stripe's documented hosts
 * for Stripe's own Stripe.js (https://docs.stripe.com/security/guide#content-security-policy);
 * for a stand-in (the browser tests' fake Stripe), its origin for all three.
 */
export function paymentOrigins(scriptUrl: string): PaymentOrigins {
  const origin = new URL(scriptUrl).origin;
  if (origin === 'https://js.stripe.com') {
    return { script: origin, connect: 'https://api.stripe.com', frame: 'https://js.stripe.com https://hooks.stripe.com' };
  }
  return { script: origin, connect: origin, frame: origin };
}

/** Two years, the HSTS preload list's minimum being one. */
const strictTransportSecurity = 'max-age=63072000; includeSubDomains';

/**
 * Sets the security headers of a response that depend on the request: a fresh CSP nonce, given to
 * Next.js through the request's own policy header (any the client sent is replaced), and HSTS when
 * the visitor came over https. That is known from the connection or, behind a reverse proxy in
 * DEMA_WEB_TRUST_PROXY, from its X-Forwarded-Proto; so call this after `stateTheClient`.
 */
export function secureTheResponse(request: Pick<IncomingMessage, 'headers'>, response: Pick<ServerResponse, 'setHeader'>): void {
  const forwardedProto = String(request.headers['x-forwarded-proto'] ?? '');
  const https = forwardedProto.slice(forwardedProto.lastIndexOf(',') + 1).trim() === 'https';
  const policy = contentSecurityPolicy(randomBytes(16).toString('base64'), https);
  request.headers['content-security-policy'] = policy;
  delete request.headers['content-security-policy-report-only'];
  response.setHeader('content-security-policy', policy);
  if (https) response.setHeader('strict-transport-security', strictTransportSecurity);
}

/**
 * A route that refuses a body (413) answers without reading the rest of it. Node would then read
 * and discard whatever the client still sends, to reuse the connection; instead, once the answer is
 * out, the connection is half-closed and, after a moment for the client to read the answer,
 * dropped, so a refused body costs no more than what had arrived.
 */
function closeAfterUnreadBody(request: IncomingMessage, response: ServerResponse): void {
  response.once('finish', () => {
    if (request.complete) return;
    const socket = request.socket;
    socket.end();
    setTimeout(() => socket.destroy(), 2_000).unref();
  });
}

// Run by serve.ts as the web app's process (`--port`, `--hostname`, like `next start`).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '3000' }, hostname: { type: 'string', default: '0.0.0.0' } } });
  const port = Number(values.port);
  const hostname = values.hostname;
  const trusted = trustedProxies(process.env.DEMA_WEB_TRUST_PROXY);
  const app = next({ dev: false, dir: path.dirname(fileURLToPath(import.meta.url)), hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((request, response) => {
    stateTheClient(request, trusted);
    secureTheResponse(request, response);
    closeAfterUnreadBody(request, response);
    void handle(request, response);
  });
  server.listen(port, hostname, () => console.log(`web app listening on ${hostname}:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
