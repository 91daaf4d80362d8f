import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestProcess, waitFor, type TestProcess, type TestTarget } from '@dema/platform/testing';
import { allInOneServices } from '../src/services.ts';
import type { AllInOneServices } from './support/all-in-one.ts';

/**
 * Fuzzing the API from its own OpenAPI document (`/api/docs/openapi.json`): every route and method,
 * as an anonymous visitor, a customer and an admin, with requests built by fast-check from each
 * route's schemas and laced with hostile values (NUL bytes, huge and odd numbers, wrong types, long
 * strings, odd unicode, bad UUIDs, missing and unknown fields, malformed JSON). Every answer must:
 *   - not be a 5xx;
 *   - when it is an error, be application/problem+json with a `code`;
 *   - carry no stack trace and no SQL;
 *   - when it is a 4xx, have written nothing: a digest of every table of the User, Product and Order
 *     databases is the same after it as before.
 * Requests are sent one at a time, so a change of the digest belongs to the request just answered.
 */

type Schema = Record<string, any>;
type Caller = 'anonymous' | 'customer' | 'admin';
const callers: Caller[] = ['anonymous', 'customer', 'admin'];

interface Operation {
  method: string;
  path: string;
  params: Array<{ in: 'path' | 'query' | 'header'; name: string; schema: Schema; required: boolean }>;
  body?: Schema;
}

/** One generated request, before the callers' tokens and the fixtures' ids are known. */
export interface FuzzRequest {
  operation: number;
  caller: Caller;
  path: Record<string, PathValue>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; contentType: string } | { kind: 'none' };
}
/** A path parameter: one of the fixtures' ids (so routes get past their 404s), or a value. */
type PathValue = { fixture: number } | { value: string };

export interface Finding {
  route: string;
  caller: Caller;
  status: number;
  what: string;
  request: string;
  response: string;
}

const hostileStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'x'.repeat(10_000),
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil\u202C',
  'Z\u0351\u0360\u0361\u0362',
  '👩‍👩‍👧‍👦'.repeat(50),
  '\uFEFF\u200B',
  "' OR 1=1 --",
  '"; DROP TABLE products; --',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  '%00',
  '%',
  '\\',
  'null',
  'NaN',
  'Infinity',
  '-0',
  '1e20',
  '-1e20',
  '1e308',
  '9'.repeat(400),
  '2147483648',
  '-2147483649',
  '0x10',
  '00000000-0000-0000-0000-000000000000',
  '00000000-0000-4000-8000-00000000000g',
  'not-a-uuid',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '{}',
  '[]',
  'true',
  '2026-02-30',
  '0000-00-00',
  '9999-12-31',
  '<script>alert(1)</script>',
  'ＡＢＣ',
  'İ',
  'ß',
];
const hostileNumbers = [0, -1, -0, 0.5, 1e20, -1e20, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, Number.MAX_VALUE, Number.MIN_VALUE, 1.005, 99999999.999, 1e-7];
const hostileValues: unknown[] = [null, true, false, [], {}, [null], { $ne: 1 }, { __proto__: { admin: true } }, ['a', 1], nested(40)];

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
);
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...hostileNumbers) },
  { weight: 1, arbitrary: fc.constantFrom(...hostileValues) },
);

/** A value for `schema`, often valid, sometimes hostile (the wrong type, out of range, …). */
function anyValueOf(schema: Schema, doc: Schema, depth = 0, hostileWeight = 1): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: validOf(schema, doc, depth) }, { weight: hostileWeight, arbitrary: hostile });
}

function validOf(schema: Schema, doc: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.$ref) return validOf(resolve(schema.$ref, doc), doc, depth);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...(alternatives as Schema[]).map((s) => validOf(s, doc, depth)));
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (type.length > 1) return fc.oneof(...type.map((t: string) => validOf({ ...schema, type: t }, doc, depth)));
  switch (type[0]) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -(2 ** 31)), max: Math.min(schema.maximum ?? 1000, 2 ** 31 - 1) });
    case 'number': {
      const min = Math.round((schema.minimum ?? -1000) * 100);
      const max = Math.round(Math.min(schema.maximum ?? 1000, 1e7) * 100);
      return fc.integer({ min, max }).map((cents) => cents / 100);
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > 3) return fc.constant([]);
      return fc.array(anyValueOf(schema.items ?? {}, doc, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object': {
      if (depth > 3) return fc.constant({});
      return objectOf(schema, doc, depth);
    }
    default:
      return hostile;
  }
}

function objectOf(schema: Schema, doc: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const names = Object.keys(properties);
  const required = ((schema.required ?? []) as string[]).filter((n) => n in properties);
  const record = fc.record(Object.fromEntries(names.map((n) => [n, anyValueOf(properties[n]!, doc, depth + 1)])), { requiredKeys: required });
  // Sometimes a required field goes missing, sometimes an unknown one comes along.
  return fc
    .tuple(
      record,
      fc.option(fc.constantFrom(...(required.length > 0 ? required : ['-'])), { freq: 6 }),
      fc.option(fc.tuple(fc.constantFrom('extra', '__proto__', 'constructor', 'role', 'id'), hostile), { freq: 6 }),
    )
    .map(([value, drop, extra]) => {
      const out: Record<string, unknown> = { ...value };
      if (drop) delete out[drop];
      if (extra) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true });
      return out;
    });
}

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, 40);
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'date':
      return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'uri':
      return fc.webUrl();
    default: {
      const text = fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
      // A NUL byte inside an otherwise valid string: PostgreSQL refuses it in text.
      return fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: text.map((t) => `${t.slice(0, 1)}\u0000${t.slice(1)}`) });
    }
  }
}

function resolve(ref: string, doc: Schema): Schema {
  return (
    ref
      .split('/')
      .slice(1)
      .reduce((node: Schema, key) => node?.[key], doc) ?? {}
  );
}

/** Every operation of the document (the health probes included). */
export function operationsOf(doc: Schema): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
      const op = item[method];
      if (!op) continue;
      const body = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      const params = ((op.parameters ?? []) as Schema[]).map((p) => ({ in: p.in, name: p.name, schema: p.schema ?? {}, required: Boolean(p.required) }));
      operations.push({ method: method.toUpperCase(), path, params, body });
    }
  }
  return operations;
}

const malformed = fc.constantFrom(
  '{',
  '{"a":',
  'null',
  '[]',
  '"text"',
  '1e400',
  '{"a":1,"a":2}',
  '\u0000',
  '{"name":"\\u0000"}',
  '{"__proto__":{"role":"admin"}}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  JSON.stringify({ s: 'x'.repeat(200_000) }),
  '\uFEFF{}',
  '{"price": 1e999}',
);

/** Requests for `operations`, each for one of the callers, built from the operation's schemas. */
export function requestsFor(operations: Operation[], doc: Schema, fixtures: number): fc.Arbitrary<FuzzRequest> {
  return fc.integer({ min: 0, max: operations.length - 1 }).chain((index) => {
    const op = operations[index]!;
    const pathParams = op.params.filter((p) => p.in === 'path');
    const queryParams = op.params.filter((p) => p.in === 'query');
    const pathValue = (schema: Schema): fc.Arbitrary<PathValue> =>
      fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: fixtures - 1 }).map((fixture) => ({ fixture })) },
        { weight: 2, arbitrary: validOf(schema, doc, 0).map((value) => ({ value: queryText(value) })) },
        { weight: 2, arbitrary: hostileString.map((value) => ({ value })) },
      );
    // Valid values for some parameters, and then (mostly) one of them hostile or an unknown one
    // added: a request wrong in one place reaches further than one wrong everywhere.
    const validQuery = fc
      .subarray(queryParams)
      .chain((chosen) => fc.tuple(...chosen.map((p) => validOf(p.schema, doc, 0).map((v): [string, string] => [p.name, queryText(v)]))));
    const badQuery: fc.Arbitrary<[string, string] | null> = fc.oneof(
      { weight: 2, arbitrary: fc.constant(null) },
      {
        weight: 4,
        arbitrary: fc.tuple(queryParams.length > 0 ? fc.constantFrom(...queryParams.map((p) => p.name)) : fc.constant('unknown'), hostile.map(queryText)),
      },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('unknown', '__proto__'), hostileString) },
    );
    const query = fc.tuple(validQuery, badQuery).map(([valid, bad]) => (bad ? [...valid.filter(([name]) => name !== bad[0]), bad] : valid));
    // fetch sends no body with a GET.
    const body: fc.Arbitrary<FuzzRequest['body']> =
      op.method === 'GET'
        ? fc.constant({ kind: 'none' as const })
        : op.body
          ? fc.oneof(
              { weight: 3, arbitrary: validOf(op.body, doc, 0).map((value) => ({ kind: 'json' as const, value })) },
              {
                weight: 4,
                arbitrary: fc
                  .tuple(validOf(op.body, doc, 0), fc.nat(), hostile, fc.boolean())
                  .map(([value, at, bad, drop]) => ({ kind: 'json' as const, value: mutateOne(value, at, bad, drop) })),
              },
              { weight: 2, arbitrary: anyValueOf(op.body, doc).map((value) => ({ kind: 'json' as const, value })) },
              { weight: 2, arbitrary: malformed.map((text) => ({ kind: 'raw' as const, text, contentType: 'application/json' })) },
              {
                weight: 1,
                arbitrary: fc
                  .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1')
                  .map((contentType) => ({ kind: 'raw' as const, text: 'a=1', contentType })),
              },
              { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
            )
          : fc.oneof(
              { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
              { weight: 1, arbitrary: malformed.map((text) => ({ kind: 'raw' as const, text, contentType: 'application/json' })) },
            );
    const idempotency = op.params.some((p) => p.in === 'header' && p.name === 'idempotency-key')
      ? fc.option(
          fc.oneof(
            fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 40 }),
            fc.constantFrom('x'.repeat(300), ' ', 'a b'),
          ),
          { freq: 2 },
        )
      : fc.constant(null);
    return fc.record({
      operation: fc.constant(index),
      caller: fc.constantFrom(...callers),
      path: fc.tuple(...pathParams.map((p) => pathValue(p.schema))).map((values) => Object.fromEntries(pathParams.map((p, i) => [p.name, values[i]!]))),
      query,
      headers: idempotency.map((key): Record<string, string> => (key === null ? {} : { 'idempotency-key': key })),
      body,
    });
  });
}

/** `value` with one of its fields or items (the `at`-th, counting depth first) replaced by `bad`, or dropped. */
function mutateOne(value: unknown, at: number, bad: unknown, drop: boolean): unknown {
  const copy = JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
  const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        slots.push([node, i]);
        walk(item);
      });
    } else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        slots.push([node as Record<string, unknown>, key]);
        walk(item);
      }
    }
  };
  walk(copy);
  if (slots.length === 0) return bad;
  const [parent, key] = slots[at % slots.length]!;
  if (drop && !Array.isArray(parent)) delete parent[key as string];
  else (parent as Record<string | number, unknown>)[key] = bad;
  return copy;
}

function queryText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

/** An all-in-one process with an admin, a customer, a few resources to aim at, and its API document. */
export interface FuzzWorld {
  running: TestProcess<AllInOneServices>;
  doc: Schema;
  operations: Operation[];
  /** Ids the path parameters pick from: products, a category, an order, a user, a variant. */
  fixtures: string[];
  /** Fresh access tokens (a request may log its caller out, or change it). */
  tokens(): Promise<Record<Caller, string | undefined>>;
  /** A digest of every table of the User, Product and Order databases. */
  digest(): Promise<string>;
  /** Waits until the events of earlier writes are relayed and handled, so the digest holds still. */
  settle(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startFuzzWorld(target: TestTarget): Promise<FuzzWorld> {
  const running = await startTestProcess(target, allInOneServices());
  const users = running.services.user;
  const password = 'correct-horse-battery-staple';
  await users.identity.createUser('admin@fuzz.dema.dev', password, 'Admin', 'admin');
  await users.identity.createUser('customer@fuzz.dema.dev', password, 'Customer', 'customer');
  const member = await users.identity.createUser('member@fuzz.dema.dev', password, 'Member', 'customer');
  const login = async (email: string) => (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
  const adminToken = await login('admin@fuzz.dema.dev');
  const as = (token: string) => async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${running.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { id: string; variants?: Array<{ id: string }> };
    if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const category = await as(adminToken)('POST', '/api/categories', { name: 'Fuzz Kitchen' });
  const kettle = await as(adminToken)('POST', '/api/products', { name: 'Fuzz Kettle', price: 24.99, stock: 1000, categoryId: category.id });
  const shirt = await as(adminToken)('POST', '/api/products', {
    name: 'Fuzz Shirt',
    price: 9.5,
    categoryId: category.id,
    variants: [
      { name: 'S', stock: 500, options: { size: 'S' } },
      { name: 'M', stock: 500, options: { size: 'M' } },
    ],
  });
  const order = await as(await login('customer@fuzz.dema.dev'))('POST', '/api/orders', { items: [{ productId: kettle.id, quantity: 1 }] });
  const doc = (await (await fetch(`${running.url}/api/docs/openapi.json`)).json()) as Schema;
  const dbs = await Promise.all((['user', 'product', 'order'] as const).map((s) => running.infra.database(s)));
  return {
    running,
    doc,
    operations: operationsOf(doc),
    fixtures: [kettle.id, shirt.id, category.id, order.id, member.id, shirt.variants![0]!.id],
    async tokens() {
      return { anonymous: undefined, customer: await login('customer@fuzz.dema.dev'), admin: await login('admin@fuzz.dema.dev') };
    },
    async digest() {
      const parts = await Promise.all(
        dbs.map(async (db) => {
          const { rows: tables } = await db.query<{ name: string }>(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
          );
          // The outbox's relay columns and the consumers' processed ids change after the fact, by design.
          const digestOf = (name: string) =>
            name === 'outbox'
              ? `SELECT 'outbox' AS name, md5(coalesce(string_agg(id::text || payload::text, '|' ORDER BY seq), '')) AS hash FROM outbox`
              : name === 'processed_events'
                ? `SELECT 'processed_events' AS name, '' AS hash`
                : `SELECT '${name}' AS name, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS hash FROM "${name}" t`;
          const { rows } = await db.query<{ name: string; hash: string }>(tables.map((t) => digestOf(t.name)).join(' UNION ALL '));
          return rows.map((r) => `${r.name}:${r.hash}`).join(' ');
        }),
      );
      return parts.join(' ');
    },
    async settle() {
      await waitFor(
        'the outboxes to drain',
        async () => {
          for (const db of dbs) {
            const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
            if (rows[0]!.n > 0) return false;
          }
          return true;
        },
        20_000,
      );
      await sleep(30); // the consumers of what was just relayed
    },
    dispose: () => running.dispose(),
  };
}

const leak =
  /\bat [\w$.<>]+ \(|node:internal|\.[cm]?[jt]s:\d+:\d+|\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b|\bUPDATE\b[\s\S]*\bSET\b|\bDELETE FROM\b|syntax error at|violates [\w ]*constraint|duplicate key value|relation "|column "|SQLSTATE/i;

function describe(method: string, url: string, request: FuzzRequest, text: string | undefined): string {
  const body = text === undefined ? '' : ` ${text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text}`;
  return `${request.caller}: ${method} ${url.length > 300 ? `${url.slice(0, 300)}…` : url}${body}`;
}

/**
 * Sends `count` requests generated from `seed`, one at a time, and returns what broke a rule,
 * one finding per route, status and rule (with the first request that showed it).
 */
export async function fuzz(
  world: FuzzWorld,
  options: { seed: number; count: number; batch?: number; onProgress?: (sent: number) => void },
): Promise<{ findings: Finding[]; sent: number; statuses: Record<number, number> }> {
  const requests = fc.sample(requestsFor(world.operations, world.doc, world.fixtures.length), { seed: options.seed, numRuns: options.count });
  const findings = new Map<string, Finding>();
  const statuses: Record<number, number> = {};
  const note = (finding: Finding) => {
    const key = `${finding.route} ${finding.status} ${finding.what}`;
    if (!findings.has(key)) findings.set(key, finding);
  };
  const batch = options.batch ?? 25;
  let tokens = await world.tokens();
  await world.settle();
  let before = await world.digest();
  for (const [n, request] of requests.entries()) {
    if (n > 0 && n % batch === 0) {
      tokens = await world.tokens();
      options.onProgress?.(n);
      await world.settle();
      before = await world.digest();
    }
    const op = world.operations[request.operation]!;
    let url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = request.path[name];
      return pathSegment(value === undefined ? '' : 'fixture' in value ? world.fixtures[value.fixture]! : value.value);
    });
    if (request.query.length > 0) url += `?${new URLSearchParams(request.query).toString()}`;
    const headers: Record<string, string> = { ...request.headers };
    const token = tokens[request.caller];
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (request.body.kind === 'json') {
      payload = JSON.stringify(request.body.value) ?? 'null';
      headers['content-type'] = 'application/json';
    } else if (request.body.kind === 'raw') {
      payload = request.body.text;
      headers['content-type'] = request.body.contentType;
    }
    const route = `${op.method} ${op.path}`;
    let status: number;
    let text: string;
    let contentType: string;
    try {
      const response = await fetch(`${world.running.url}${url}`, { method: op.method, headers, body: payload, redirect: 'manual' });
      status = response.status;
      contentType = response.headers.get('content-type') ?? '';
      text = await response.text();
    } catch (error) {
      note({
        route,
        caller: request.caller,
        status: 0,
        what: `no answer (${(error as Error).message})`,
        request: describe(op.method, url, request, payload),
        response: '',
      });
      before = await world.digest();
      continue;
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
    const shown = { route, caller: request.caller, status, request: describe(op.method, url, request, payload), response: text.slice(0, 500) };
    if (status >= 500) note({ ...shown, what: 'a 5xx' });
    if (status >= 400) {
      let code: unknown;
      try {
        code = (JSON.parse(text) as { code?: unknown }).code;
      } catch {
        code = undefined;
      }
      if (!contentType.startsWith('application/problem+json')) note({ ...shown, what: `an error as ${contentType || 'no content type'}` });
      else if (typeof code !== 'string' || code === '') note({ ...shown, what: 'a problem without a code' });
    }
    if (leak.test(text)) note({ ...shown, what: 'a stack trace or SQL in the body' });
    if (status >= 400 && status < 500) {
      const after = await world.digest();
      if (after !== before) note({ ...shown, what: `a write on a 4xx (${changedTables(before, after).join(', ')})` });
      before = after;
    } else {
      if (op.method !== 'GET') await world.settle();
      before = await world.digest();
    }
  }
  return { findings: [...findings.values()], sent: requests.length, statuses };
}

/** The value percent-encoded as UTF-8; a lone surrogate goes as U+FFFD, as a browser sends it. */
function pathSegment(value: string): string {
  return encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
}

function changedTables(before: string, after: string): string[] {
  const was = new Set(before.split(' '));
  return after
    .split(' ')
    .filter((part) => !was.has(part))
    .map((part) => part.split(':')[0]!);
}

export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `- ${f.route} → ${f.status}: ${f.what}\n    ${f.request}\n    ← ${f.response.slice(0, 300)}`).join('\n');
}
