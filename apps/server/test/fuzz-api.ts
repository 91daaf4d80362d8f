import { parseArgs } from 'node:util';
import { testTargets } from '@dema/platform/testing';
import { formatFindings, fuzz, startFuzzWorld } from './api-fuzz.ts';

/**
 * `npm run fuzz -- [--count N] [--seed S]`: N requests (default 5000, or FUZZ_COUNT) generated from
 * the OpenAPI document on every test target (the real servers too when the TEST_* variables name
 * them). Prints every finding with the request that showed it; exits 1 when there is any.
 */
const { values } = parseArgs({ options: { count: { type: 'string' }, seed: { type: 'string' } } });
const count = Number(values.count ?? process.env.FUZZ_COUNT ?? 5000);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
let failed = false;
for (const target of testTargets()) {
  const world = await startFuzzWorld(target);
  const started = Date.now();
  console.log(`${target.name}: ${count} requests over ${world.operations.length} operations, seed ${seed}`);
  try {
    const { findings, sent, statuses } = await fuzz(world, { seed, count, onProgress: (n) => n % 500 === 0 && console.log(`  ${n} sent`) });
    console.log(`${target.name}: ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, statuses ${JSON.stringify(statuses)}`);
    if (findings.length > 0) {
      failed = true;
      console.log(`${findings.length} findings:\n${formatFindings(findings)}`);
    }
  } finally {
    await world.dispose();
  }
}
process.exitCode = failed ? 1 : 0;
