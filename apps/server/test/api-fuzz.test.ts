import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testTargets } from '@dema/platform/testing';
import { formatFindings, fuzz, startFuzzWorld, type FuzzWorld } from './api-fuzz.ts';

/** A fixed seed of the API fuzzer (see api-fuzz.ts): 300 requests per target; `npm run fuzz` sends more. */
const requests = 300;

for (const target of testTargets()) {
  describe(`fuzzing every route of the OpenAPI document (${target.name})`, () => {
    let world: FuzzWorld;
    before(async () => {
      world = await startFuzzWorld(target);
    });
    after(() => world.dispose());

    test('the document lists the routes the fuzzer aims at', () => {
      assert.ok(world.operations.length >= 40, `${world.operations.length} operations`);
    });

    test(`${requests} generated requests as anonymous, customer and admin: no 5xx, every error a problem with a code, no stack or SQL, nothing written on a 4xx`, async () => {
      const { findings, sent, statuses } = await fuzz(world, { seed: 16, count: requests });
      assert.equal(sent, requests);
      assert.ok(
        Object.keys(statuses).some((s) => Number(s) < 300),
        `some requests succeed: ${JSON.stringify(statuses)}`,
      );
      assert.equal(findings.length, 0, `${findings.length} findings (statuses ${JSON.stringify(statuses)}):\n${formatFindings(findings)}`);
    });
  });
}
