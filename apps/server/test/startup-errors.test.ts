import { test } from 'node:test';
import { assertOneLine, occupyPort, runEntry } from '@dema/platform/testing';

/**
 * The all-in-one process (`npm start`, here without the web app) and the `dema` CLI when they
 * cannot start: one line saying why and what to do, a non-zero exit, no stack trace.
 */

const allInOne = 'apps/server/src/main.ts';
const cli = 'apps/server/src/cli.ts';
const unreachable = 'postgres://postgres@127.0.0.1:1/postgres';

test('the all-in-one process on a busy PORT names the port and PORT', async () => {
  const held = await occupyPort();
  try {
    assertOneLine(await runEntry(allInOne, { PORT: String(held.port) }), `Port ${held.port} is already in use \\(PORT\\)`, 'choose another with PORT');
  } finally {
    await held.close();
  }
});

test('the all-in-one process with an unreachable DATABASE_URL names it and what to do', async () => {
  assertOneLine(
    await runEntry(allInOne, { DATABASE_URL: unreachable }),
    'PostgreSQL at 127.0.0.1:1 refused the connection \\(DATABASE_URL\\)',
    'start PostgreSQL',
  );
});

test('the all-in-one process with a malformed variable names it and what it expects', async () => {
  assertOneLine(await runEntry(allInOne, { PORT: 'abc' }), 'PORT="abc": expected a whole number');
});

test('dema serve on a busy --port names the port', async () => {
  const held = await occupyPort();
  try {
    assertOneLine(await runEntry(cli, {}, { args: ['serve', 'product', '--port', String(held.port)] }), `Port ${held.port} is already in use`);
  } finally {
    await held.close();
  }
});

test('dema create-admin with an unreachable DATABASE_URL prints the one line only', async () => {
  assertOneLine(
    await runEntry(cli, { DATABASE_URL: unreachable }, { args: ['create-admin', '--email', 'ops@example.com'], input: 'a-long-enough-password\n' }),
    'refused the connection \\(DATABASE_URL\\)',
  );
});

test('dema alerts export with a malformed variable names it', async () => {
  assertOneLine(await runEntry(cli, { DEMA_ALERT_INTERVAL_MS: 'soon' }, { args: ['alerts', 'export'] }), 'DEMA_ALERT_INTERVAL_MS="soon"');
});
