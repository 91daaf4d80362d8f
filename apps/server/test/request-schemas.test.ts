import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as contracts from '@dema/contracts';
import { compileRequestValidator, createAjv, createHttpServer, declareSchemas, type ServiceModule } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';
import { allInOneServices } from '../src/services.ts';

/**
 * Every input every route reads, checked generically rather than route by route: no string a
 * client sends may carry a NUL character (PostgreSQL refuses it, as a 500 before), and no number
 * may go unbounded (`offset=1e20` reached the database as a 500). A route or a contract added later
 * is checked without anyone remembering to.
 */

type Schema = Record<string, unknown>;
const requestParts = ['body', 'querystring', 'params', 'headers'] as const;
// Values of these keywords are data, not schemas.
const dataKeywords = new Set(['const', 'enum', 'default', 'examples', 'example', 'required']);

/** Every subschema of `schema` (itself included), with where it is. */
function* subschemas(schema: unknown, at: string): Generator<[Schema, string]> {
  if (Array.isArray(schema)) {
    for (const [i, item] of schema.entries()) yield* subschemas(item, `${at}[${i}]`);
    return;
  }
  if (schema === null || typeof schema !== 'object') return;
  yield [schema as Schema, at];
  for (const [key, value] of Object.entries(schema)) if (!dataKeywords.has(key)) yield* subschemas(value, `${at}.${key}`);
}

const isType = (schema: Schema, type: string) => schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));

/** The validator the HTTP kit compiles for a query (it coerces, as for every part but the body). */
const kit = { firstError: createAjv({ coerceTypes: 'array', allErrors: false }), allErrors: createAjv({ coerceTypes: 'array' }) };
const kitStrict = { firstError: createAjv({ coerceTypes: false, allErrors: false }), allErrors: createAjv({ coerceTypes: false }) };

/** A string that meets `schema`'s length bounds and format as far as a NUL allows. */
function withNul(schema: Schema): string {
  const base = schema.format === 'email' ? 'a\u0000b@example.com' : 'a\u0000b';
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  return base.padEnd(minLength, 'x');
}

function assertRefusesNul(schema: Schema, where: string): void {
  for (const ajvs of [kit, kitStrict]) {
    const validate = compileRequestValidator(ajvs, schema);
    assert.equal(validate(withNul(schema)), false, `${where} accepts a string with NUL: ${JSON.stringify(schema)}`);
  }
}

describe('every request input is bounded', () => {
  let dema: AllInOne;
  /** `METHOD url part` → that part's schema, for every route of every service. */
  const inputs = new Map<string, unknown>();
  /** `METHOD url` of every route answering GET, → its querystring schema (undefined: none). */
  const gets = new Map<string, Schema | undefined>();
  /** `METHOD url` of every POST, PUT and PATCH route, and whether it says what body it reads. */
  const bodyRoutes = new Map<string, boolean>();

  before(async () => {
    dema = await startAllInOne(testTargets()[0]!, allInOneServices());
    const scratch = createHttpServer({
      log: dema.infra.log,
      metrics: dema.infra.metrics,
      authenticate: async () => ({ kind: 'anonymous' }),
      bodyLimit: dema.infra.config.bodyLimit,
      service: 'inputs',
    });
    scratch.addHook('onRoute', (route) => {
      const routeMethods = [route.method].flat();
      if (routeMethods.includes('GET')) gets.set(`${routeMethods.join(',')} ${route.url}`, (route.schema as { querystring?: Schema } | undefined)?.querystring);
      for (const part of requestParts) {
        const schema = (route.schema as Record<string, unknown> | undefined)?.[part];
        if (schema !== undefined) inputs.set(`${[route.method].flat().join(',')} ${route.url} ${part}`, schema);
      }
      const methods = [route.method].flat().filter((method) => ['POST', 'PUT', 'PATCH'].includes(method));
      // A route that reads its body itself (the CSV import) describes it in `documentedBody`.
      const declared = (route.schema as { body?: unknown } | undefined)?.body !== undefined || route.config?.documentedBody !== undefined;
      for (const method of methods) bodyRoutes.set(`${method} ${route.url}`, declared);
    });
    const services: ServiceModule[] = Object.values(dema.services);
    declareSchemas(scratch, services);
    for (const service of services) await scratch.register(async (scope) => service.routes(scope));
    await scratch.ready();
    await scratch.close();
  });
  after(async () => {
    await dema?.dispose();
  });

  test('the routes were found, bodies, queries and paths among them', () => {
    assert.ok(inputs.has('POST /api/products body'));
    assert.ok(inputs.has('GET /api/orders querystring'));
    assert.ok(inputs.has('GET /api/categories/:id params'));
    assert.ok(inputs.size > 30, `${inputs.size} inputs`);
  });

  test('every GET route refuses a query parameter it does not read', () => {
    // Not the REST API's own: GraphQL over GET takes mercurius's parameters; GraphiQL and product
    // images are files, fetched with whatever cache-busting parameter a page adds.
    const exempt = ['GET /graphql', 'GET /graphiql', 'GET /graphiql/main.js', 'GET /graphiql/sw.js', 'GET /graphiql/config.js', 'HEAD,GET /media/*'];
    const lenient = [...gets].filter(([, query]) => query?.additionalProperties !== false).map(([route]) => route);
    assert.ok(gets.size > 40, `${gets.size} GET routes`);
    assert.deepEqual(lenient.sort(), exempt.sort());
  });

  test('every POST, PUT and PATCH route declares its body, so a field it does not know is a 400 (one that takes nothing: `Type.Optional(NoFields)`)', () => {
    assert.ok(bodyRoutes.has('POST /api/auth/logout'), 'the routes were found, logout among them');
    assert.deepEqual(
      [...bodyRoutes].filter(([, declared]) => !declared).map(([route]) => route),
      [],
    );
  });

  test('every number or integer a route reads has a maximum', () => {
    const unbounded: string[] = [];
    for (const [input, schema] of inputs) {
      for (const [node, at] of subschemas(schema, input)) {
        if ((isType(node, 'integer') || isType(node, 'number')) && typeof node.maximum !== 'number' && typeof node.exclusiveMaximum !== 'number')
          unbounded.push(at);
      }
    }
    assert.deepEqual(unbounded, []);
  });

  test('every string a route reads refuses NUL, as the HTTP kit compiles it', () => {
    let strings = 0;
    for (const [input, schema] of inputs) {
      for (const [node, at] of subschemas(schema, input)) {
        if (!isType(node, 'string')) continue;
        strings++;
        assertRefusesNul(node, at);
      }
    }
    assert.ok(strings > 40, `${strings} strings checked`);
  });

  test('every string of every contracts schema refuses NUL, and every key of a free-form map', () => {
    let checked = 0;
    for (const [name, exported] of Object.entries(contracts)) {
      if (exported === null || typeof exported !== 'object' || Array.isArray(exported)) continue;
      for (const [node, at] of subschemas(exported, name)) {
        if (isType(node, 'string')) {
          checked++;
          assertRefusesNul(node, at);
        }
        if (node.patternProperties !== undefined || (typeof node.additionalProperties === 'object' && node.additionalProperties !== null)) {
          const validate = compileRequestValidator(kitStrict, node);
          assert.equal(validate({ 'a\u0000b': 'x' }), false, `${at} accepts a key with NUL`);
        }
      }
    }
    assert.ok(checked > 100, `${checked} strings checked`);
  });
});
