import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitLinks } from './text-links.ts';

test('an address in a plain-text email becomes a link; the words around it stay text', () => {
  assert.deepEqual(splitLinks('Open this link:\n\nhttp://localhost:3000/account/verify-email?token=abc_12-x\n\nThanks'), [
    { text: 'Open this link:\n\n' },
    { href: 'http://localhost:3000/account/verify-email?token=abc_12-x' },
    { text: '\n\nThanks' },
  ]);
});

test('punctuation that ends a sentence is not part of the link', () => {
  assert.deepEqual(splitLinks('Sign in at https://shop.example/login. Or (https://shop.example/orders/1).'), [
    { text: 'Sign in at ' },
    { href: 'https://shop.example/login' },
    { text: '. Or (' },
    { href: 'https://shop.example/orders/1' },
    { text: ').' },
  ]);
});

test('only http and https addresses are links', () => {
  assert.deepEqual(splitLinks('javascript:alert(1) data:text/html,x ftp://x'), [{ text: 'javascript:alert(1) data:text/html,x ftp://x' }]);
  assert.deepEqual(splitLinks(''), []);
});
