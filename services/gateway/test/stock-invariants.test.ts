import { describe, test } from 'node:test';
import { testTargets } from '@dema/platform/testing';
import { proveInvariants } from './stock-invariants.ts';

/**
 * A fixed few seeds of the stock invariants (see stock-invariants.ts); `npm run prove:invariants`
 * runs many more.
 */
for (const target of testTargets()) {
  describe(`stock invariants under random interleavings (${target.name})`, () => {
    for (const seed of [16, 1616, 161616]) {
      test(`seed ${seed}: 4 scenarios of orders, cancels, returns, adjustments and sets at once keep every invariant`, async () => {
        await proveInvariants(target, { runs: 4, seed, perProcess: 4 });
      });
    }
  });
}
