import { lookup as dnsLookup } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a webhook must not reach unless configuration allows it: loopback, private networks
 * (RFC 1918, unique-local IPv6), link-local (cloud metadata lives at 169.254.169.254), carrier-grade
 * NAT, benchmarking, multicast, reserved and unspecified ranges.
 */
const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  refused.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  refused.addSubnet(network, prefix, 'ipv6');
}

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`) as the IPv4 it reaches. */
function unmapped(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return address;
  const high = Number.parseInt(hex[1]!, 16);
  const low = Number.parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Whether `address` (an IP literal) is one a webhook may not reach without DEMA_WEBHOOKS_ALLOW_PRIVATE. */
export function isPrivateAddress(address: string): boolean {
  const plain = unmapped(address.replace(/^\[|\]$/g, ''));
  const family = isIP(plain);
  if (family === 0) return true;
  return refused.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a webhook URL cannot be used, for the admin. */
export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
}

/**
 * Checks that `url` may receive webhooks: it carries no user name or password, its host resolves,
 * and none of the addresses it resolves to is private (unless `allowPrivate`). Every address counts,
 * since a connection may use any of them. Throws DestinationRefused saying why.
 */
export async function checkDestination(url: URL, allowPrivate: boolean): Promise<void> {
  // The URL is shown to every reader of the endpoint list and kept in the audit log, so a password in
  // it would leak there; and the signature, not Basic auth, is how a receiver knows the sender.
  if (url.username !== '' || url.password !== '') {
    throw new DestinationRefused('must not carry a user name or password (user:password@); receivers authenticate deliveries by their signature');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new DestinationRefused(`${host} does not resolve`);
    }
  }
  if (allowPrivate) return;
  const bad = addresses.find(isPrivateAddress);
  if (bad !== undefined) throw new DestinationRefused(`resolves to ${bad}, a private, loopback or link-local address`);
}

/**
 * A `lookup` for node:http that refuses private addresses at connection time: the name is resolved
 * again for each attempt, so a DNS answer that changed after the endpoint was checked (rebinding)
 * still cannot reach the internal network.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(new DestinationRefused(`${hostname} resolves to ${bad.address}, a private address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
