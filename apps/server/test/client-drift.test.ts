import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readApiDocument, readClientFiles, renderClientFiles } from '../scripts/client-document.ts';

// @dema/client's checked-in OpenAPI document and types are those of the API as it runs now.
test("@dema/client's generated files match the running API's OpenAPI document", async () => {
  const expected = await renderClientFiles(await readApiDocument());
  const checkedIn = await readClientFiles();
  assert.ok(checkedIn.document === expected.document, 'packages/client/openapi.json differs from the API: run npm run client:generate');
  assert.ok(checkedIn.types === expected.types, 'packages/client/src/generated/openapi.ts differs from the API: run npm run client:generate');
});
