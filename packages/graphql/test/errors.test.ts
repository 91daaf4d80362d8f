import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphqlField, problemError } from '../src/index.ts';

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
