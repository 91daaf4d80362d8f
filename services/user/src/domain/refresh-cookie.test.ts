import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearedRefreshCookie, originMayUseCookie, readRefreshCookie, refreshCookie } from './refresh-cookie.ts';

test('the cookie is HttpOnly, SameSite=Lax, on the cookie path, Secure only over HTTPS', () => {
  assert.equal(refreshCookie('abc', { secure: false, maxAgeSeconds: 60 }), 'dema_refresh=abc; Max-Age=60; Path=/api/auth/cookie; HttpOnly; SameSite=Lax');
  assert.match(refreshCookie('abc', { secure: true, maxAgeSeconds: 60 }), /; Secure$/);
});

test('clearing sets an empty value that expires at once', () => {
  assert.match(clearedRefreshCookie({ secure: false }), /^dema_refresh=; Max-Age=0; Path=\/api\/auth\/cookie;/);
});

test('reads the token among other cookies, and nothing that cannot be a token', () => {
  assert.equal(readRefreshCookie('a=1; dema_refresh=Tok_en-1; b=2'), 'Tok_en-1');
  assert.equal(readRefreshCookie('dema_refresh="quoted"'), 'quoted');
  assert.equal(readRefreshCookie('x_dema_refresh=abc'), undefined);
  assert.equal(readRefreshCookie('dema_refresh='), undefined);
  assert.equal(readRefreshCookie('dema_refresh=a%20b'), undefined);
  assert.equal(readRefreshCookie(undefined), undefined);
});

test('an Origin may use the cookie when absent, the API’s own, or configured exactly', () => {
  const allowed = new Set(['https://shop.example']);
  assert.equal(originMayUseCookie(undefined, allowed, 'https://api.example'), true);
  assert.equal(originMayUseCookie('https://api.example', allowed, 'https://api.example'), true);
  assert.equal(originMayUseCookie('https://shop.example', allowed, 'https://api.example'), true);
  for (const origin of ['https://shop.example.evil', 'http://shop.example', 'https://shop.example:444', 'null'])
    assert.equal(originMayUseCookie(origin, allowed, 'https://api.example'), false, origin);
});
