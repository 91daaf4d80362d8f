import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { contentSecurityPolicy, paymentOrigins, secureTheResponse, stateTheClient, trustedProxies } from './web-server.ts';

const from = (remoteAddress: string, headers: IncomingHttpHeaders) => ({ headers, socket: { remoteAddress } as Socket });

test('a forwarding address a shopper wrote is replaced by the address the request came from', () => {
  const request = from('198.51.100.7', {
    'x-forwarded-for': '203.0.113.1',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'https',
    host: 'shop.example',
  });
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

const respond = () => {
  const headers = new Map<string, string>();
  return {
    headers,
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers.set(name, String(value));
      return undefined as never;
    },
  };
};

test('each response gets a fresh script nonce, handed to Next.js in place of any policy the client sent', () => {
  const nonces = new Set<string>();
  for (let i = 0; i < 3; i += 1) {
    const request = from('198.51.100.7', { 'content-security-policy': "script-src 'nonce-chosen'", 'content-security-policy-report-only': 'x' });
    stateTheClient(request, new Set());
    const response = respond();
    secureTheResponse(request, response);
    const policy = response.headers.get('content-security-policy')!;
    assert.equal(request.headers['content-security-policy'], policy);
    assert.equal(request.headers['content-security-policy-report-only'], undefined);
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    assert.ok(nonce && nonce !== 'chosen' && nonce.length >= 22, policy);
    nonces.add(nonce);
    assert.ok(!/script-src[^;]*unsafe/.test(policy), policy);
  }
  assert.equal(nonces.size, 3);
});

test('HSTS only for https: over plain http, or when a visitor merely claims https, there is none', () => {
  const plain = from('198.51.100.7', { 'x-forwarded-proto': 'https' });
  stateTheClient(plain, new Set());
  const plainResponse = respond();
  secureTheResponse(plain, plainResponse);
  assert.equal(plainResponse.headers.get('strict-transport-security'), undefined);
  assert.ok(!plainResponse.headers.get('content-security-policy')!.includes('upgrade-insecure-requests'));

  const proxied = from('10.0.0.5', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.1' });
  stateTheClient(proxied, trustedProxies('10.0.0.5'));
  const proxiedResponse = respond();
  secureTheResponse(proxied, proxiedResponse);
  assert.match(proxiedResponse.headers.get('strict-transport-security')!, /^max-age=63072000/);
  assert.match(proxiedResponse.headers.get('content-security-policy')!, /upgrade-insecure-requests/);
  assert.match(contentSecurityPolicy('abc', false), /frame-ancestors 'none'/);
});

test('the policy lets Stripe.js load, call Stripe and frame its card field, and nothing else of another origin', () => {
  const stripe = contentSecurityPolicy('abc', false, paymentOrigins('https://js.stripe.com/v3/'));
  assert.match(stripe, /script-src 'self' 'nonce-abc' 'strict-dynamic' https:\/\/js\.stripe\.com;/);
  assert.match(stripe, /connect-src 'self' https:\/\/api\.stripe\.com;/);
  assert.match(stripe, /frame-src https:\/\/js\.stripe\.com https:\/\/hooks\.stripe\.com;/);
  const standIn = contentSecurityPolicy('abc', false, paymentOrigins('http://127.0.0.1:40123/v3/'));
  assert.match(standIn, /connect-src 'self' http:\/\/127\.0\.0\.1:40123;/);
  assert.match(standIn, /frame-src http:\/\/127\.0\.0\.1:40123;/);
  assert.match(standIn, /frame-ancestors 'none'/);
});
