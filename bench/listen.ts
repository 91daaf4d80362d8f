import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts a bench reference server (bare-server.ts, bare-proxy.ts) the way a parent process expects:
 * prints `listening <port>` once bound (`port` 0 picks a free one) and, with `exitOnStdinClose`,
 * exits when the parent's end of stdin closes, so a parent killed by SIGKILL takes it along.
 */
export function listenForBench(server: Server, options: { host: string; port: number; exitOnStdinClose: boolean }): void {
  // The load generator opens all its connections at once; the default backlog (511) would drop
  // some of the SYNs of a 1000-connection run and turn them into 1 s retransmit stalls.
  server.listen({ port: options.port, host: options.host, backlog: 4096 }, () => {
    console.log(`listening ${(server.address() as AddressInfo).port}`);
  });
  if (options.exitOnStdinClose) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
  }
}
