import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The newcomer's path: the all-in-one process on embedded defaults, as `npm start` runs it.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = await mkdtemp(path.join(tmpdir(), 'dema-start-'));
after(() => rm(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The API alone unless a web port is given (the store's first start builds it, about a minute).
async function start(port: number, webPort?: number): Promise<ChildProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMA_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...(webPort === undefined ? { DEMA_WEB: 'off' } : { WEB_PORT: String(webPort) }),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  // The end of what it printed, for the message of a stop that goes wrong.
  let printed = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (printed = (printed + chunk).slice(-4_000)));
  output.set(child, () => printed);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited early with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('did not become ready within 120 s');
}

const output = new WeakMap<ChildProcess, () => string>();

/** Ctrl-C; `code` is the exit code, or `killed by <signal>` with the end of its stderr when it did not exit on its own. */
async function stop(child: ChildProcess): Promise<{ code: number | string; ms: number }> {
  const began = Date.now();
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? `killed by ${signal}; stderr ended with:\n${output.get(child)?.() ?? ''}`)),
  );
  child.kill('SIGINT');
  return { code: await exited, ms: Date.now() - began };
}

test('npm start on embedded defaults loads the demo catalog and accounts, keeps data across a restart, and stops cleanly on Ctrl-C', {
  timeout: 300_000,
}, async () => {
  const port = await freePort();
  const first = await start(port);
  const base = `http://127.0.0.1:${port}`;
  const page = await (await fetch(`${base}/api/products?limit=100`)).json();
  assert.ok(page.total >= 60, `demo catalog has ${page.total} products`);
  assert.ok(
    page.items.some((p: { variants: unknown[] }) => p.variants.length > 0),
    'some products have variants',
  );
  const categories = await (await fetch(`${base}/api/categories`)).json();
  assert.ok(categories.items.length >= 6);

  const demo = JSON.parse(await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(demo.admin),
  });
  assert.equal(login.status, 200, 'the demo admin printed at start can log in');
  const token = (await login.json()).tokens.accessToken;
  const created = await fetch(`${base}/api/products`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Survives Restarts', price: 12.34, stock: 3, categoryId: categories.items[0].id }),
  });
  assert.equal(created.status, 201);
  const { id } = await created.json();

  const stopped = await stop(first);
  assert.equal(stopped.code, 0, 'exits with 0 on SIGINT');
  assert.ok(stopped.ms < 5_000, `stopped in ${stopped.ms} ms`);

  const second = await start(port);
  try {
    const product = await (await fetch(`${base}/api/products/${id}`)).json();
    assert.equal(product.name, 'Survives Restarts');
    assert.equal(product.price, 12.34);
    const relogin = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(demo.customer),
    });
    assert.equal(relogin.status, 200, 'the demo accounts survive the restart');
    const again = await (await fetch(`${base}/api/products?limit=1`)).json();
    assert.equal(again.total, page.total + 1, 'the demo catalog is not loaded twice');
  } finally {
    assert.equal((await stop(second)).code, 0);
  }
});

test('npm start also serves the store: a production build of the web app, rendered on the server from the API', { timeout: 600_000 }, async () => {
  const [port, webPort] = [await freePort(), await freePort()];
  const child = await start(port, webPort);
  const store = `http://127.0.0.1:${webPort}`;
  try {
    const deadline = Date.now() + 540_000;
    let home: Response | undefined;
    while (Date.now() < deadline && !home?.ok) {
      if (child.exitCode !== null) throw new Error(`exited early with ${child.exitCode}`);
      home = await fetch(`${store}/products`).catch(() => undefined);
      if (!home?.ok) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(home?.status, 200, 'the store answers');
    const html = await home!.text();
    const { items } = (await (await fetch(`http://127.0.0.1:${port}/api/products?limit=20`)).json()) as { items: Array<{ name: string }> };
    assert.match(html, /<html/);
    const escaped = (name: string) => name.replace(/&/g, '&amp;').replace(/'/g, '&#x27;');
    assert.ok(
      items.some((p) => html.includes(escaped(p.name))),
      'catalog names are rendered on the server',
    );
  } finally {
    const { code } = await stop(child);
    assert.equal(code, 0);
  }
  const after = await fetch(`${store}/products`).then(
    () => 'answering',
    () => 'gone',
  );
  assert.equal(after, 'gone', 'the store stops with the API');
});

test('Ctrl-C the moment it starts listening, before it has finished starting, still stops it cleanly', { timeout: 300_000 }, async () => {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMA_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DEMA_WEB: 'off',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let printed = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (printed = (printed + chunk).slice(-4_000)));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code === 0 ? 'exit 0' : `code ${code}, signal ${signal}; stderr: ${printed}`)),
  );
  // Poll the port closely: the first connection it takes is the earliest a user could press Ctrl-C at a serving process.
  const listening = async () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  const deadline = Date.now() + 120_000;
  while (!(await listening())) {
    assert.ok(Date.now() < deadline && child.exitCode === null, 'it never listened');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  child.kill('SIGINT');
  assert.equal(await exited, 'exit 0');
});
