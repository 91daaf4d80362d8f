import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { buildSchema, parse, validate } from 'graphql';
import { orderStatusSubscription } from '../src/index.ts';

// The operation watchOrderStatus sends must stay valid against the API's checked-in schema.
test('the order status subscription is valid against schema.graphql', async () => {
  const schema = buildSchema(await readFile(new URL('../../graphql/schema.graphql', import.meta.url), 'utf8'));
  assert.deepEqual(
    validate(schema, parse(orderStatusSubscription)).map((e) => e.message),
    [],
  );
});
