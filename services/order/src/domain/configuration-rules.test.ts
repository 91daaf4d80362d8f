import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promotionProblems, rateProblems, taxRateProblems, zoneProblems } from './configuration-rules.ts';

const names = (problems: Array<{ name: string }>) => problems.map((p) => p.name);

test('a zone may list regions of its countries, some countries by region and others whole', () => {
  assert.deepEqual(zoneProblems({ countries: ['US', 'CA'], regions: ['US-CA', 'US-NY'] }, new Set(['regions'])), []);
  assert.deepEqual(zoneProblems({ countries: ['DE'], regions: [] }, new Set(['countries'])), []);
});

test("a region outside the zone's countries is named where the request can fix it", () => {
  const zone = { countries: ['US'], regions: ['US-CA', 'CA-ON', 'MX-JAL'] };
  assert.deepEqual(names(zoneProblems(zone, new Set(['regions']))), ['body.regions.1', 'body.regions.2']);
  // The request changed only the countries: they are what dropped the region's country.
  assert.deepEqual(names(zoneProblems(zone, new Set(['countries']))), ['body.countries', 'body.countries']);
});

test('a zone names only countries and regions an address can be in', () => {
  const zone = { countries: ['US', 'XX', 'CA'], regions: ['US-CA', 'US-ZZ', 'CA-ZZ', 'CA-ON'] };
  assert.deepEqual(names(zoneProblems(zone, new Set(['countries', 'regions']))), ['body.countries.1', 'body.regions.1', 'body.regions.2']);
  assert.match(zoneProblems(zone, new Set(['regions']))[0]!.reason, /is not a state or territory code of US: US-AL, /);
  // A change that sends neither leaves them as they were stored.
  assert.deepEqual(zoneProblems(zone, new Set(['name'])), []);
  // A country without a list of regions takes any.
  assert.deepEqual(zoneProblems({ countries: ['DE'], regions: ['DE-BY'] }, new Set(['countries', 'regions'])), []);
});

test("a tax rate's country and region are places an address can be in", () => {
  const all = new Set(['country', 'region']);
  assert.deepEqual(taxRateProblems({ country: 'US', region: 'CA' }, all), []);
  assert.deepEqual(taxRateProblems({ country: 'DE', region: null }, all), []);
  assert.deepEqual(names(taxRateProblems({ country: 'XX', region: 'ZZ' }, all)), ['body.country']);
  assert.deepEqual(names(taxRateProblems({ country: 'US', region: 'ZZ' }, all)), ['body.region']);
  // The country changed under the stored region: the country is what the request can fix.
  assert.deepEqual(names(taxRateProblems({ country: 'CA', region: 'NY' }, new Set(['country']))), ['body.country']);
  assert.deepEqual(taxRateProblems({ country: 'US', region: 'ZZ' }, new Set(['rate'])), []);
});

test('weight brackets must ascend strictly; other rates have no such rule', () => {
  const weight = (...grams: number[]) => ({ kind: 'weight' as const, brackets: grams.map((maxWeightGrams) => ({ maxWeightGrams, amount: 1 })) });
  assert.deepEqual(rateProblems(weight(1, 2, 3)), []);
  assert.deepEqual(rateProblems(weight(5)), []);
  assert.deepEqual(names(rateProblems(weight(1, 3, 2, 2))), ['body.rate.brackets.2.maxWeightGrams', 'body.rate.brackets.3.maxWeightGrams']);
  assert.match(rateProblems(weight(2, 2))[0]!.reason, /repeats/);
  assert.deepEqual(rateProblems({ kind: 'flat', amount: 0 }), []);
  assert.deepEqual(rateProblems({ kind: 'free_above', amount: 5, threshold: 50 }), []);
});

const terms = { kind: 'percentage' as const, value: '10' as string | number | null, startsAt: null, endsAt: null };

test("a promotion's value must fit its kind", () => {
  const problem = (kind: 'percentage' | 'fixed' | 'free_shipping', value: string | number | null) =>
    names(promotionProblems({ ...terms, kind, value }, new Set()));
  assert.deepEqual(problem('percentage', '10'), []);
  assert.deepEqual(problem('percentage', '100'), []);
  assert.deepEqual(problem('percentage', '0.001'), []);
  for (const zero of ['0', '00', '0.000']) assert.deepEqual(problem('percentage', zero), ['body.value'], zero);
  assert.deepEqual(problem('percentage', 10), ['body.value']);
  assert.deepEqual(problem('percentage', null), ['body.value']);
  assert.deepEqual(problem('fixed', 5.5), []);
  assert.deepEqual(problem('fixed', '5'), ['body.value']);
  assert.deepEqual(problem('fixed', null), ['body.value']);
  assert.deepEqual(problem('free_shipping', null), []);
  assert.deepEqual(problem('free_shipping', '10'), ['body.value']);
});

test('a promotion must end after it starts; the field named is the one the request sent', () => {
  const dated = (startsAt: string | null, endsAt: string | null) => ({ ...terms, startsAt, endsAt });
  assert.deepEqual(promotionProblems(dated('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'), new Set()), []);
  assert.deepEqual(promotionProblems(dated(null, '2020-01-01T00:00:00Z'), new Set()), []);
  assert.deepEqual(promotionProblems(dated('2030-01-01T00:00:00Z', null), new Set()), []);
  // The same instant written in two offsets is no later.
  assert.deepEqual(names(promotionProblems(dated('2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00Z'), new Set(['endsAt']))), ['body.endsAt']);
  assert.deepEqual(names(promotionProblems(dated('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z'), new Set(['startsAt']))), ['body.startsAt']);
  assert.deepEqual(names(promotionProblems(dated('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z'), new Set(['startsAt', 'endsAt']))), ['body.endsAt']);
});
