/**
 * `npm run bench:hostile-json`: the CPU a hostile JSON body costs the all-in-one process to refuse,
 * at the largest size each route accepts (its body limit). Runs in-process on the embedded
 * defaults (in-memory PGlite), through Fastify's `inject`, so nothing but the request's own work is
 * measured: body reading, the depth check, JSON.parse, validation and the problem answer.
 * Bodies nested deeper than `maxJsonDepth` or of more than `maxJsonValues` values are refused before
 * they are parsed; the shapes near those limits are the costliest a route reads.
 * Prints, per route and shape, the median and worst CPU time (user + system) of `--runs` requests
 * after `--warmup` ones, and the worst of all against the target (< 50 ms).
 */
import { parseArgs } from 'node:util';
import { bodyLimits, loadConfig, maxJsonDepth, maxJsonValues, startProcess } from '@dema/platform';
import type { UserService } from '@dema/user';
import { allInOneServices } from '../apps/server/src/services.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, warmup: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const targetMs = 50;

const config = { ...loadConfig({ LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', DEMA_DEMO_DATA: 'false' }) };
const running = await startProcess(config, 'bench', Object.values(allInOneServices()), { inMemory: true });
const users = running.services.find((s) => s.name === 'user') as UserService;
const password = 'correct-horse-battery-staple';
await users.identity.createUser('admin@bench.dema.dev', password, 'Admin', 'admin');
await users.identity.createUser('customer@bench.dema.dev', password, 'Customer', 'customer');
const tokenOf = async (email: string) => (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
const admin = await tokenOf('admin@bench.dema.dev');
const customer = await tokenOf('customer@bench.dema.dev');

/** Repeats `unit` (joined by `separator`) inside `open`…`close` until the text is about `size` characters. */
function fill(open: string, unit: (i: number) => string, separator: string, close: string, size: number): string {
  const parts: string[] = [];
  let length = open.length + close.length;
  for (let i = 0; ; i++) {
    const next = unit(i);
    if (length + next.length + separator.length > size) break;
    parts.push(next);
    length += next.length + separator.length;
  }
  return open + parts.join(separator) + close;
}

const deepestAllowed = '['.repeat(maxJsonDepth - 1) + ']'.repeat(maxJsonDepth - 1);
/** Bodies that cost a parser or a validator the most per byte, each about `size` characters. */
const shapes: Record<string, (size: number) => string> = {
  'nested past the depth limit': (size) => '['.repeat(size),
  'nested to the depth limit, repeated': (size) => fill('[', () => deepestAllowed, ',', ']', size),
  'one object, many unknown fields': (size) => fill('{', (i) => `"k${i}":0`, ',', '}', size),
  'an array field of many empty items': (size) => fill('{"variants":[', () => '{}', ',', '], "items":[]}', size),
  'many empty items at the top': (size) => fill('[', () => '{}', ',', ']', size),
  'many numbers': (size) => fill('[', () => '1e308', ',', ']', size),
  'one string of escapes': (size) => fill('{"name":"', () => '\\u0041', '', '"}', size),
  'many short strings': (size) => fill('[', () => '"a"', ',', ']', size),
  // Past this many values a body is refused unparsed: these are the most a body may have, each as
  // large as the size allows, in the shapes that cost the most per value.
  'the most values allowed, as objects with long strings': (size) => {
    // Each `{…}` and the comma after it are two values.
    const count = Math.min(Math.floor((maxJsonValues - 10) / 2), Math.floor((size - 20) / 11));
    const each = Math.max(0, Math.floor((size - 20) / count) - 10);
    return `{"variants":[${Array(count)
      .fill(`{"n":"${'x'.repeat(each)}"}`)
      .join(',')}]}`;
  },
  'the most values allowed, as numbers, then a string': (size) => {
    const count = Math.min(maxJsonValues - 10, Math.floor(size / 2) - 40);
    return `{"variants":[${Array(count).fill('1').join(',')}],"name":"${'x'.repeat(Math.max(0, size - count * 2 - 40))}"}`;
  },
  'the most values allowed, as unknown fields': (size) => {
    // `"kkk12":0,` is a value of width + 5 characters; names at least as wide as the largest index.
    const width = Math.max(5, Math.floor((size - 10) / (maxJsonValues - 10)) - 5);
    const count = Math.min(maxJsonValues - 10, Math.floor((size - 10) / (width + 5)));
    return `{${Array.from({ length: count }, (_, i) => `"${String(i).padStart(width, 'k')}":0`).join(',')}}`;
  },
};

interface Route {
  method: 'POST' | 'PUT';
  url: string;
  /** Who may send it: the cost an anonymous attacker can cause matters most. */
  caller: 'anonymous' | 'customer' | 'admin';
  limit: number;
}
const someId = '7b0e1a57-4c1e-4a2b-9c3d-2f1e0d9c8b7a';
const routes: Route[] = [
  { method: 'POST', url: '/api/auth/login', caller: 'anonymous', limit: bodyLimits.small },
  { method: 'POST', url: '/api/auth/signup', caller: 'anonymous', limit: bodyLimits.small },
  { method: 'PUT', url: `/api/cart/items/${someId}`, caller: 'customer', limit: bodyLimits.small },
  { method: 'POST', url: '/api/orders', caller: 'customer', limit: bodyLimits.medium },
  { method: 'POST', url: '/api/categories', caller: 'admin', limit: bodyLimits.medium },
  { method: 'POST', url: '/api/products', caller: 'admin', limit: config.bodyLimit },
];

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

interface Row {
  route: string;
  caller: string;
  shape: string;
  bytes: number;
  status: number;
  code: string;
  medianMs: number;
  worstMs: number;
}
const rows: Row[] = [];
for (const route of routes) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (route.caller !== 'anonymous') headers.authorization = `Bearer ${route.caller === 'admin' ? admin : customer}`;
  for (const [shape, make] of Object.entries(shapes)) {
    // The largest body the route reads: its limit, in bytes (these bodies are ASCII).
    const payload = make(route.limit);
    const times: number[] = [];
    let status = 0;
    let code = '';
    for (let i = 0; i < warmup + runs; i++) {
      const start = process.cpuUsage();
      const response = await running.app.inject({ method: route.method, url: route.url, headers, payload });
      const ms = cpuMs(start);
      if (i >= warmup) times.push(ms);
      status = response.statusCode;
      code = (response.json() as { code?: string }).code ?? '';
    }
    times.sort((a, b) => a - b);
    rows.push({
      route: `${route.method} ${route.url.replace(someId, ':productId')}`,
      caller: route.caller,
      shape,
      bytes: payload.length,
      status,
      code,
      medianMs: times[Math.floor(times.length / 2)]!,
      worstMs: times.at(-1)!,
    });
  }
}
await running.close();

const pad = (text: string, width: number) => text.padEnd(width);
console.log(`${pad('route', 34)}${pad('caller', 10)}${pad('shape', 54)}${pad('bytes', 9)}${pad('answer', 22)}median    worst`);
for (const row of rows) {
  console.log(
    `${pad(row.route, 34)}${pad(row.caller, 10)}${pad(row.shape, 54)}${pad(String(row.bytes), 9)}${pad(`${row.status} ${row.code}`, 22)}${pad(`${row.medianMs.toFixed(1)} ms`, 10)}${row.worstMs.toFixed(1)} ms`,
  );
}
const accepted = rows.filter((r) => r.status < 500);
if (accepted.length !== rows.length) console.log('\nFAIL: some hostile bodies got a 5xx');
const worst = rows.reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
const worstAnonymous = rows.filter((r) => r.caller === 'anonymous').reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
console.log(`\nworst (median of ${runs}): ${worst.medianMs.toFixed(1)} ms — ${worst.route}, ${worst.shape}, ${worst.bytes} bytes`);
console.log(`worst an anonymous client can send: ${worstAnonymous.medianMs.toFixed(1)} ms — ${worstAnonymous.route}, ${worstAnonymous.shape}`);
console.log(`target < ${targetMs} ms per request: ${worst.medianMs < targetMs ? 'PASS' : 'FAIL'}`);
