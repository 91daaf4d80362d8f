import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { stateTheClient, trustedProxies } from './web-server.ts';

const from = (remoteAddress: string, headers: IncomingHttpHeaders) => ({ headers, socket: { remoteAddress } as Socket });

test('a forwarding address a shopper wrote is replaced by the address the request came from', () => {
  const request = from('198.51.100.7', { 'x-forwarded-for': '203.0.113.1', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', host: 'shop.example' });
  stateTheClient(request, trustedProxies(undefined));
  assert.equal(request.headers['x-forwarded-for'], '198.51.100.7');
  assert.equal(request.headers['x-forwarded-proto'], 'http');
  assert.equal(request.headers['x-forwarded-host'], undefined);
  assert.equal(request.headers.host, 'shop.example');
});

test('a request without forwarding headers gets the peer address', () => {
  const request = from('::1', {});
  stateTheClient(request, new Set());
  assert.equal(request.headers['x-forwarded-for'], '::1');
});

test('the reverse proxy in DEMA_WEB_TRUST_PROXY keeps the headers it set, also over IPv4-mapped IPv6', () => {
  const trusted = trustedProxies('10.0.0.5, fd00::1');
  for (const peer of ['10.0.0.5', '::ffff:10.0.0.5', 'fd00::1']) {
    const request = from(peer, { 'x-forwarded-for': '203.0.113.1', 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https' });
    stateTheClient(request, trusted);
    assert.deepEqual(request.headers, { 'x-forwarded-for': '203.0.113.1', 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https' }, peer);
  }
  const stranger = from('10.0.0.6', { 'x-forwarded-for': '203.0.113.1' });
  stateTheClient(stranger, trusted);
  assert.equal(stranger.headers['x-forwarded-for'], '10.0.0.6');
});
