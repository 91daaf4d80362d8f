import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execute, parse, validate, type GraphQLError } from 'graphql';
import { argumentError, createSchema, formatErrors, graphqlField, problemError } from '../src/index.ts';

test("REST's field names read as the GraphQL arguments that carried them", () => {
  assert.equal(graphqlField('body.price', { body: 'input' }), 'input.price');
  assert.equal(graphqlField('body.variants.0.stock', { body: 'input' }), 'input.variants.0.stock');
  assert.equal(graphqlField('body.delta'), 'delta');
  assert.equal(graphqlField('query.q', { rename: { 'query.q': 'search' } }), 'search');
  assert.equal(graphqlField('path.id'), 'id');
  assert.equal(graphqlField('header.idempotency-key', { rename: { 'header.idempotency-key': 'idempotencyKey' } }), 'idempotencyKey');
});

test("a REST problem becomes a GraphQL error with REST's code, its status and the argument named", () => {
  const error = problemError(
    400,
    { code: 'VALIDATION_FAILED', title: 'Bad Request', detail: 'body.price must be >= 0', invalidParams: [{ name: 'body.price', reason: 'must be >= 0' }] },
    { body: 'input' },
  );
  assert.equal(error.message, 'input.price must be >= 0');
  assert.deepEqual(error.extensions, {
    code: 'VALIDATION_FAILED',
    status: 400,
    field: 'input.price',
    invalidParams: [{ name: 'input.price', reason: 'must be >= 0' }],
  });
  const conflict = problemError(409, { code: 'INSUFFICIENT_STOCK', title: 'Conflict', detail: 'Only 2 left of Chef Knife' });
  assert.equal(conflict.message, 'Only 2 left of Chef Knife');
  assert.deepEqual(conflict.extensions, { code: 'INSUFFICIENT_STOCK', status: 409 });
  assert.equal(problemError(502, undefined).extensions.code, 'INTERNAL');
});

test('an argument refused before REST is asked has the extensions of a REST problem naming it', () => {
  const error = argumentError('quantity', 'must be >= 1');
  assert.equal(error.message, 'quantity must be >= 1');
  assert.deepEqual(error.extensions, {
    code: 'VALIDATION_FAILED',
    status: 400,
    field: 'quantity',
    invalidParams: [{ name: 'quantity', reason: 'must be >= 1' }],
  });
  assert.equal(argumentError('first', 'must be between 1 and 100', 'VALUE_OUT_OF_RANGE').extensions.code, 'VALUE_OUT_OF_RANGE');
});

test("GraphQL's own refusal of an argument (a literal, a variable, one missing) is a 400 naming it as the operation's field takes it", async () => {
  const schema = createSchema();
  const extensionsOf = (errors: readonly GraphQLError[]) => formatErrors({ errors }, {}).response.errors!.map((error) => error.extensions);
  const refused = (code: string, name: string, reason: string) => ({ code, status: 400, field: name, invalidParams: [{ name, reason }] });
  const literals = parse('mutation { createProduct(input: { name: "Wok", variants: [{ name: "One", stock: 1.5 }], colour: 2 }) { id } }');
  assert.deepEqual(extensionsOf(validate(schema, literals)), [
    refused('GRAPHQL_VALIDATION_FAILED', 'input.price', 'is required'),
    refused('GRAPHQL_VALIDATION_FAILED', 'input.variants.0.stock', 'Int cannot represent non-integer value: 1.5'),
    refused('GRAPHQL_VALIDATION_FAILED', 'input.colour', 'is not a known field'),
  ]);
  assert.deepEqual(extensionsOf(validate(schema, parse('{ product { id } products(sort: CHEAPEST) { totalCount } }'))), [
    refused('GRAPHQL_VALIDATION_FAILED', 'id', 'is required'),
    refused('GRAPHQL_VALIDATION_FAILED', 'sort', 'Value "CHEAPEST" does not exist in "ProductSort" enum. Did you mean the enum value "NEWEST"?'),
  ]);
  const variables = parse(
    'mutation($input: CreateProductInput!, $id: ID!, $n: Int!) { createProduct(input: $input) { id } addToCart(productId: $id, quantity: $n) { subtotal } }',
  );
  const result = await execute({
    schema,
    document: variables,
    variableValues: { input: { name: 'Wok', price: 1, variants: [{ name: 'One', stock: 'many' }] }, n: null },
  });
  assert.deepEqual(extensionsOf(result.errors!), [
    refused('GRAPHQL_VALIDATION_FAILED', 'input.variants.0.stock', 'Int cannot represent non-integer value: "many"'),
    refused('GRAPHQL_VALIDATION_FAILED', 'productId', 'is required'),
    refused('GRAPHQL_VALIDATION_FAILED', 'quantity', 'must not be null'),
  ]);
  // An error about no argument names none, and still says its status.
  assert.deepEqual(extensionsOf(validate(schema, parse('{ products { nope } }'))), [{ code: 'GRAPHQL_VALIDATION_FAILED', status: 400 }]);
});
