import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The store as `npm start` serves it: the all-in-one API with the production web app beside it,
// each visitor told apart by the loopback address it connects from (the whole of 127/8 is local).
const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = await mkdtemp(path.join(tmpdir(), 'dema-web-app-'));
const serviceToken = randomBytes(24).toString('hex');
const unrelatedSecret = randomBytes(12).toString('hex');
const trustedProxy = '127.0.0.5';
const importLimit = 4 * 1024 * 1024;
let api: ChildProcess;
let webPort = 0;
let printed = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(
  async () => {
    const port = await freePort();
    webPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'test',
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_PORT: String(webPort),
      DEMA_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // A small read budget, so that one visitor can spend it in a few pages.
      DEMA_RATE_LIMIT_READ: '40/60',
      DEMA_SERVICE_TOKEN: serviceToken,
      UNRELATED_SECRET: unrelatedSecret,
      DEMA_STORE_NAME: 'Allowlist Store',
      DEMA_WEB_TRUST_PROXY: trustedProxy,
      // A catalog file's limit a test can go past without sending 64 MiB.
      DEMA_IMPORT_BODY_LIMIT: String(importLimit),
    };
    api = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    api.stderr!.setEncoding('utf8').on('data', (chunk: string) => (printed = (printed + chunk).slice(-4_000)));
    // The first start builds the web app (a minute or more on a busy machine).
    const deadline = Date.now() + 540_000;
    for (;;) {
      if (api.exitCode !== null) throw new Error(`exited early with ${api.exitCode}: ${printed}`);
      const ready = await fetch(`http://127.0.0.1:${webPort}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`the store did not answer within 540 s: ${printed}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  },
  { timeout: 600_000 },
);

after(async () => {
  if (api && api.exitCode === null) {
    const exited = new Promise((resolve) => api.once('exit', resolve));
    api.kill('SIGINT');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request to the store from the visitor at `from` (a loopback address), on a fresh connection. */
function visit(from: string, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port: webPort, method, path: target, localAddress: from, headers, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const productNames = async (): Promise<string[]> => {
  const answer = await visit('127.0.0.9', 'GET', '/api/products?limit=20');
  return (JSON.parse(answer.body) as { items: Array<{ name: string }> }).items.map((p) => p.name);
};
const escaped = (name: string) => name.replace(/&/g, '&amp;').replace(/'/g, '&#x27;');

test('a visitor over its read budget gets 429 while another visitor still gets rendered pages', { timeout: 120_000 }, async () => {
  const names = await productNames();
  const greedy = '127.0.0.2';
  const other = '127.0.0.3';
  let refused = false;
  for (let page = 0; page < 60 && !refused; page += 1) {
    refused = (await visit(greedy, 'GET', '/products')).body.includes('We could not show these products');
  }
  assert.ok(refused, 'the greedy visitor runs out of reads rendering pages');
  const direct = await visit(greedy, 'GET', '/api/products?limit=1');
  assert.equal(direct.status, 429, 'the pages it rendered counted against its own address');
  assert.equal(JSON.parse(direct.body).code, 'RATE_LIMITED');

  const page = await visit(other, 'GET', '/products');
  assert.equal(page.status, 200);
  assert.ok(!page.body.includes('We could not show these products'), 'the other visitor is not refused');
  assert.ok(
    names.some((name) => page.body.includes(escaped(name))),
    'the other visitor sees the catalog',
  );
  assert.equal((await visit(other, 'GET', '/api/products?limit=1')).status, 200);
});

/**
 * Sends a request whose body is `total` bytes, paced, and stops as soon as the answer's head
 * arrives; `declare` sends a Content-Length, otherwise the body is chunked.
 */
async function sendLargeBody(
  target: string,
  total: number,
  declare: boolean,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ sent: number; status: number; head: string; body: string }> {
  const socket = connect(webPort, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  let closed = false;
  socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => (closed = true));
  socket.on('close', () => (closed = true));
  const length = declare ? `content-length: ${total}` : 'transfer-encoding: chunked';
  const fields = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`POST ${target} HTTP/1.1\r\nhost: 127.0.0.1:${webPort}\r\n${fields.join('')}${length}\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  while (sent < total && !received.includes('\r\n\r\n') && !closed) {
    const write = declare ? chunk : Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    if (!socket.write(write)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
    sent += chunk.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The rest of the answer (a small problem document), then let go of the connection.
  const deadline = Date.now() + 5_000;
  while (!closed && Date.now() < deadline && !/\r\n\r\n[\s\S]*\}/.test(received)) await new Promise((resolve) => setTimeout(resolve, 20));
  socket.destroy();
  const [head = '', rest = ''] =
    received.split('\r\n\r\n', 2).length === 2
      ? [received.slice(0, received.indexOf('\r\n\r\n')), received.slice(received.indexOf('\r\n\r\n') + 4)]
      : [received];
  const body = /transfer-encoding: chunked/i.test(head) ? rest.replace(/(^|\r\n)[0-9a-f]+\r\n/gi, '') : rest;
  return { sent, status: Number(head.split(' ')[1] ?? 0), head, body };
}

test('a 20 MB body to the API proxy is refused with 413 before the client has sent it', { timeout: 120_000 }, async () => {
  const total = 20 * 1024 * 1024;
  const answer = await sendLargeBody('/api/products', total, true);
  assert.equal(answer.status, 413, answer.head);
  assert.match(answer.head, /content-type: application\/problem\+json/i);
  assert.equal(JSON.parse(answer.body.slice(0, answer.body.lastIndexOf('}') + 1)).code, 'BODY_TOO_LARGE');
  assert.ok(answer.sent < total / 2, `answered after ${answer.sent} of ${total} bytes`);
});

test("a chunked body without a declared length is cut off at the route's limit with 413", { timeout: 120_000 }, async () => {
  const total = 20 * 1024 * 1024;
  for (const target of ['/auth/login', '/auth/signup', '/api/auth/login']) {
    const answer = await sendLargeBody(target, total, false);
    assert.equal(answer.status, 413, `${target}: ${answer.head}`);
    assert.match(answer.head, /content-type: application\/problem\+json/i, target);
    assert.equal(JSON.parse(answer.body.slice(0, answer.body.lastIndexOf('}') + 1)).code, 'BODY_TOO_LARGE', target);
    assert.ok(answer.sent < total / 2, `${target}: answered after ${answer.sent} of ${total} bytes`);
  }
});

/** The demo admin's access token, signed in through the store's proxy. */
async function adminToken(): Promise<string> {
  const demo = JSON.parse(await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as { admin: { email: string; password: string } };
  const login = await visit('127.0.0.1', 'POST', '/api/auth/login', { 'content-type': 'application/json' }, JSON.stringify(demo.admin));
  assert.equal(login.status, 200, login.body);
  return (JSON.parse(login.body) as { tokens: { accessToken: string } }).tokens.accessToken;
}

test('a catalog file over DEMA_BODY_LIMIT goes through the proxy to the import; over DEMA_IMPORT_BODY_LIMIT it is a 413 naming it', {
  timeout: 120_000,
}, async () => {
  const headers = { authorization: `Bearer ${await adminToken()}`, 'content-type': 'text/csv' };
  const description = 'x'.repeat(9_000);
  const rows = Array.from({ length: 200 }, (_, i) => `big-${i},Big ${i},${description},1.00,1`);
  const file = `handle,name,description,price,stock\n${rows.join('\n')}\n`;
  assert.ok(Buffer.byteLength(file) > 1_048_576);
  const checked = await visit('127.0.0.1', 'POST', '/api/products/import?dryRun=true', headers, file);
  assert.equal(checked.status, 200, checked.body);
  assert.deepEqual(JSON.parse(checked.body), { dryRun: true, rows: 200, products: 200, variants: 0, categoriesCreated: [] });

  const total = 20 * 1024 * 1024;
  for (const declare of [true, false]) {
    const answer = await sendLargeBody('/api/products/import?dryRun=true', total, declare, headers);
    assert.equal(answer.status, 413, answer.head);
    assert.match(answer.head, /content-type: application\/problem\+json/i);
    const problem = JSON.parse(answer.body.slice(answer.body.indexOf('{'), answer.body.lastIndexOf('}') + 1)) as { code: string; detail: string };
    assert.deepEqual([problem.code, problem.detail], ['BODY_TOO_LARGE', `A catalog file may be at most 4.0 MiB (${importLimit} bytes); split it`]);
    assert.ok(answer.sent < total / 2, `answered after ${answer.sent} of ${total} bytes`);
  }
});

test('every page carries a nonce Content-Security-Policy that its scripts follow', { timeout: 60_000 }, async () => {
  const first = await visit('127.0.0.1', 'GET', '/login');
  const second = await visit('127.0.0.1', 'GET', '/login');
  assert.equal(first.status, 200);
  const policy = String(first.headers['content-security-policy'] ?? '');
  const scriptSrc =
    policy
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('script-src')) ?? '';
  const nonce = /'nonce-([A-Za-z0-9+/_=-]+)'/.exec(scriptSrc)?.[1];
  assert.ok(nonce, `a script nonce in ${policy}`);
  assert.ok(!scriptSrc.includes("'unsafe-inline'") && !scriptSrc.includes("'unsafe-eval'"), scriptSrc);
  assert.match(policy, /object-src 'none'/);
  assert.match(policy, /frame-ancestors 'none'/);
  assert.notEqual(String(second.headers['content-security-policy']).match(/'nonce-[^']+'/)?.[0], `'nonce-${nonce}'`, 'a fresh nonce per response');
  const scripts = [...first.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !tag.includes('application/ld+json'));
  assert.ok(scripts.length > 0);
  for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `script without the nonce: ${tag}`);
  assert.equal(first.headers['strict-transport-security'], undefined, 'no HSTS over plain http');
  assert.ok((await visit('127.0.0.1', 'GET', '/api/categories')).headers['content-security-policy'], 'the API proxy too');
});

test('HSTS is sent when the trusted reverse proxy says the visitor came over https, and only then', { timeout: 60_000 }, async () => {
  const proxied = await visit(trustedProxy, 'GET', '/login', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.4' });
  assert.match(String(proxied.headers['strict-transport-security']), /^max-age=\d{7,}/);
  const spoofed = await visit('127.0.0.4', 'GET', '/login', { 'x-forwarded-proto': 'https' });
  assert.equal(spoofed.headers['strict-transport-security'], undefined, 'a visitor cannot claim https itself');
});

/** The process ids of `pid`'s children (Linux). */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  );
}

test("the web process gets only what it needs of the environment, not the API's secrets", { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const environments = childrenOf(api.pid!).map((pid) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'));
  const web = environments.find((env) => env.some((entry) => entry.startsWith('DEMA_API_URL=')));
  assert.ok(web, 'the web process is a child of the API process');
  const names = web.map((entry) => entry.slice(0, entry.indexOf('=')));
  assert.ok(!names.includes('DEMA_SERVICE_TOKEN'), 'no service token');
  assert.ok(!names.includes('UNRELATED_SECRET'), 'no variable it was not meant to have');
  assert.ok(!web.some((entry) => entry.includes(serviceToken) || entry.includes(unrelatedSecret)), 'no secret under any name');
  assert.ok(web.includes('DEMA_STORE_NAME=Allowlist Store'), 'what the web app reads still reaches it');
  assert.ok(web.includes(`DEMA_WEB_TRUST_PROXY=${trustedProxy}`));
});

const cookiesOf = (answer: Answer): Map<string, string> =>
  new Map((answer.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]!.split('=') as [string, string]));

test('within the refresh grace, only the browser that refreshed gets the new tokens for the old refresh token', { timeout: 60_000 }, async () => {
  const demo = JSON.parse(await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as { customer: { email: string; password: string } };
  const login = await visit('127.0.0.1', 'POST', '/auth/login', { 'content-type': 'application/json' }, JSON.stringify(demo.customer));
  assert.equal(login.status, 200, login.body);
  const browser = cookiesOf(login);
  const oldRefresh = browser.get('dema_refresh');
  assert.ok(oldRefresh);
  const cookieHeader = (jar: Map<string, string>) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

  const refreshed = await visit('127.0.0.1', 'POST', '/auth/refresh', { cookie: cookieHeader(browser) });
  assert.equal(refreshed.status, 200, refreshed.body);
  const { accessToken } = JSON.parse(refreshed.body) as { accessToken: string };
  // The same browser again with the old cookie (a reload while its refresh was in flight).
  const again = await visit('127.0.0.1', 'POST', '/auth/refresh', { cookie: cookieHeader(browser) });
  assert.equal(again.status, 200, again.body);
  assert.equal((JSON.parse(again.body) as { accessToken: string }).accessToken, accessToken, 'the same browser shares its refresh');

  for (const thief of [`dema_refresh=${oldRefresh}`, `dema_refresh=${oldRefresh}; dema_browser=${randomBytes(18).toString('base64url')}`]) {
    const stolen = await visit('127.0.0.3', 'POST', '/auth/refresh', { cookie: thief });
    assert.notEqual(stolen.status, 200, `${thief}: ${stolen.body}`);
    assert.ok(!stolen.body.includes(accessToken), 'the new tokens are not handed over');
    assert.equal(stolen.status, 401);
    assert.equal((JSON.parse(stolen.body) as { code: string }).code, 'INVALID_REFRESH_TOKEN');
  }
});
