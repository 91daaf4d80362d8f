import { parseArgs } from 'node:util';
import { testTargets } from '@dema/platform/testing';
import { proveInvariants } from './stock-invariants.ts';

/**
 * `npm run prove:invariants -- [--runs N] [--seed S]`: the stock invariants over N random
 * scenarios (default 100, or INVARIANT_RUNS) on every test target (the real servers too when the
 * TEST_* variables name them). A failure prints the scenario and the seed that replays it.
 */
const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' } } });
const runs = Number(values.runs ?? process.env.INVARIANT_RUNS ?? 100);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
for (const target of testTargets()) {
  const started = Date.now();
  console.log(`${target.name}: ${runs} scenarios, seed ${seed}`);
  await proveInvariants(target, { runs, seed });
  console.log(`${target.name}: ${runs} scenarios kept every invariant (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
