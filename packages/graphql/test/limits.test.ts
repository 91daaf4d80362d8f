import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, parse, validate } from 'graphql';
import { createSchema, graphqlLimits, limitRules } from '../src/index.ts';

/** The abuse limits as validation rules, on a schema that nests without end (Dema's does not). */
const nesting = buildSchema('type Query { node: Node } type Node { child: Node, name: String }');
const nested = (levels: number) => `{ node ${'{ child '.repeat(levels - 2)}{ name }${' }'.repeat(levels - 2)} }`;
const problems = (query: string, schema = nesting, settings = { maxCost: 50_000, tools: true }) =>
  validate(schema, parse(query), limitRules(settings)).map((error) => error.message);

test(`an operation ${graphqlLimits.depth} fields deep passes; one deeper is refused`, () => {
  assert.deepEqual(problems(nested(graphqlLimits.depth)), []);
  assert.match(problems(nested(graphqlLimits.depth + 1)).join(), /depth limit of 10/i);
});

test(`${graphqlLimits.aliases} aliases pass; one more is refused`, () => {
  const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: node { name }`).join(' ')} }`;
  assert.deepEqual(problems(aliased(graphqlLimits.aliases)), []);
  assert.match(problems(aliased(graphqlLimits.aliases + 1)).join(), /aliases limit of 100/i);
});

test(`${graphqlLimits.directives} directives pass; one more is refused`, () => {
  const directed = (n: number) => `{ node { ${Array.from({ length: n }, () => 'name @include(if: true)').join(' ')} } }`;
  assert.deepEqual(problems(directed(graphqlLimits.directives)), []);
  assert.match(problems(directed(graphqlLimits.directives + 1)).join(), /directives limit of 50/i);
});

test('the cost limit lets a page of products with everything through, and refuses a hundred of them', () => {
  const schema = createSchema();
  const listing =
    'products(first: 100) { edges { node { id name category { name description } variants { name options { name value } } specifications { name value } } } }';
  assert.deepEqual(problems(`{ ${listing} }`, schema), []);
  assert.match(problems(`{ ${Array.from({ length: 100 }, (_, i) => `p${i}: ${listing}`).join(' ')} }`, schema).join(), /cost limit of 50000/i);
});

test('introspection is refused when the tools are off', () => {
  const schema = createSchema();
  assert.deepEqual(problems('{ __schema { queryType { name } } }', schema), []);
  assert.match(problems('{ __schema { queryType { name } } }', schema, { maxCost: 50_000, tools: false }).join(), /introspection/i);
});
