import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertOneLine, occupyPort, runEntry } from '@dema/platform/testing';

/**
 * The gateway started alone (`services/gateway/src/main.ts`, as the cluster and an orchestrator
 * run it) and cannot: one line saying why and what to set, a non-zero exit, no stack trace.
 */

const gatewayEntry = 'services/gateway/src/main.ts';
// An instance list is all the gateway needs to start: it checks the instances once it listens.
const upstreams = { DEMA_UPSTREAM_USER: 'http://127.0.0.1:1' };

test('the gateway on a busy PORT names the port and PORT', async () => {
  const held = await occupyPort();
  try {
    assertOneLine(
      await runEntry(gatewayEntry, { ...upstreams, PORT: String(held.port) }),
      `Port ${held.port} is already in use \\(PORT\\)`,
      'choose another with PORT',
    );
  } finally {
    await held.close();
  }
});

test('the gateway with a malformed variable names it and what it expects', async () => {
  const result = await runEntry(gatewayEntry, { ...upstreams, DEMA_UPSTREAM_PRODUCT: 'ftp://nowhere' });
  assertOneLine(result, /DEMA_UPSTREAM_PRODUCT: expected comma-separated http:\/\/ or https:\/\/ URLs, not "ftp:\/\/nowhere"/);
});

test('the gateway without DEMA_UPSTREAM_USER says to set it', async () => {
  const result = await runEntry(gatewayEntry, { DEMA_UPSTREAM_USER: '' });
  assertOneLine(result, 'needs the User service', 'set DEMA_UPSTREAM_USER');
  assert.equal(result.output.trim().split('\n').length, 1, result.output);
});
