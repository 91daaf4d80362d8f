import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { listen, type DemaApp } from '@dema/platform';

const dir = mkdtempSync(join(tmpdir(), 'dema-listen-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function serve(acceptors: number): Promise<{ app: DemaApp; port: number }> {
  const app = Fastify() as unknown as DemaApp;
  app.get('/hello', async () => ({ hello: 'world' }));
  const url = await listen(app, { host: '127.0.0.1', port: 0, acceptors });
  return { app, port: Number(new URL(url).port) };
}

/**
 * Opens `count` connections from another process while this one's event loop is blocked, so they
 * all wait in the accept queue; then counts the loop iterations it takes to accept them.
 */
async function iterationsToAcceptBurst(app: DemaApp, port: number, count: number): Promise<number> {
  const ready = join(dir, `ready-${port}`);
  const script = `
    const net = require('node:net'); let open = 0;
    for (let i = 0; i < ${count}; i++) net.connect(${port}, '127.0.0.1', () => { if (++open === ${count}) require('node:fs').writeFileSync(${JSON.stringify(ready)}, ''); });
    process.stdin.resume().on('end', () => process.exit(0));`;
  const opener = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'inherit'] });
  try {
    let turn = 0;
    const turns: number[] = [];
    app.server.on('connection', () => turns.push(turn));
    // Blocks this loop until the other process's connections are established (by the kernel, in the backlog).
    const deadline = Date.now() + 20_000;
    while (!existsSync(ready)) if (Date.now() > deadline) throw new Error('the connections were not established');
    await new Promise<void>((resolve) => {
      const tick = () => {
        turn++;
        if (turns.length >= count) resolve();
        else setImmediate(tick);
      };
      setImmediate(tick);
    });
    return turns[turns.length - 1]! - turns[0]! + 1;
  } finally {
    opener.stdin!.end();
  }
}

describe('listen: accepting a burst of connections', () => {
  it('one handle accepts one waiting connection per event-loop iteration (the libuv behaviour it works around)', async () => {
    const { app, port } = await serve(1);
    try {
      assert.ok((await iterationsToAcceptBurst(app, port, 20)) >= 20);
    } finally {
      await app.close();
    }
  });

  it('eight handles accept eight waiting connections per iteration, and their connections are served', async () => {
    const { app, port } = await serve(8);
    try {
      const iterations = await iterationsToAcceptBurst(app, port, 24);
      assert.ok(iterations <= 4, `24 connections took ${iterations} iterations`);
      // Each request on a fresh connection lands on whichever handle accepts it; all are answered.
      const answers = await Promise.all(
        Array.from({ length: 24 }, () => fetch(`http://127.0.0.1:${port}/hello`, { headers: { connection: 'close' } }).then((r) => r.json())),
      );
      assert.deepEqual(
        answers,
        Array.from({ length: 24 }, () => ({ hello: 'world' })),
      );
    } finally {
      await app.close();
    }
  });

  it('closing the app closes every handle: the port refuses connections afterwards', async () => {
    const { app, port } = await serve(8);
    await app.close();
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    assert.equal(outcome, 'ECONNREFUSED');
  });
});
