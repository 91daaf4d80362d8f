import { createServer, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';

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
    void handle(request, response);
  });
  server.listen(port, hostname, () => console.log(`web app listening on ${hostname}:${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
