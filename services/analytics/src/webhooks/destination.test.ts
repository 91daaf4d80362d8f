import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDestination, DestinationRefused, isPrivateAddress } from './destination.ts';

test('loopback, private, link-local, unspecified and multicast addresses are private, in IPv4 and IPv6', () => {
  for (const address of [
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
  ]) {
    assert.equal(isPrivateAddress(address), true, address);
  }
});

test('public addresses are not private, including their IPv4-mapped form', () => {
  for (const address of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(isPrivateAddress(address), false, address);
  }
});

test('a name is refused when any address it resolves to is private, unless private receivers are allowed', async () => {
  await assert.rejects(checkDestination(new URL('http://localhost:9/x'), false), DestinationRefused);
  await checkDestination(new URL('http://localhost:9/x'), true);
  await assert.rejects(checkDestination(new URL('http://[::1]/x'), false), /private, loopback or link-local/);
  await checkDestination(new URL('https://93.184.215.14/x'), false);
});

test('a name that does not resolve is refused, allowed private receivers or not', async () => {
  await assert.rejects(checkDestination(new URL('http://webhooks.invalid/x'), true), /does not resolve/);
});

test('a URL with a user name or password is refused before its host is looked up, allowed private receivers or not', async () => {
  for (const url of [
    'https://user:pass@93.184.215.14/x',
    'https://token@93.184.215.14/x',
    'https://:pass@93.184.215.14/x',
    'http://user:pass@webhooks.invalid/x',
  ]) {
    await assert.rejects(checkDestination(new URL(url), true), /must not carry a user name or password/, url);
  }
  await checkDestination(new URL('https://93.184.215.14/hooks/a@b'), false);
});
