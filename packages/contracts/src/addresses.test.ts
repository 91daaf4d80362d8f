import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { Address, addressableCountries, countryRuleOf, countryRules, normalizeAddress, regionOutsideList, validateAddress } from './addresses.ts';

const ajv = new Ajv({ strict: true, allErrors: true });
const checkSchema = ajv.compile(Address);

const base = { firstName: 'Ada', lastName: 'Lovelace', line1: '1 Main Street', city: 'Springfield' };
const us = { ...base, country: 'US', region: 'CA', postalCode: '94105' };

const digits = '0123456789';
const chars = (alphabet: string, length: number) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: length, maxLength: length });
const concat = (...parts: Array<fc.Arbitrary<string> | string>) =>
  fc.tuple(...parts.map((part) => (typeof part === 'string' ? fc.constant(part) : part))).map((texts) => texts.join(''));
const d = (n: number) => chars(digits, n);
const nonZero = chars('123456789', 1);

// Each country's postal code format written out from its postal operator's description,
// independently of the patterns in countryRules, in canonical form.
const gbInward = concat(d(1), chars('ABDEFGHJLNPQRSTUWXYZ', 2));
const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const caFirst = 'ABCEGHJKLMNPRSTVXY';
const caOther = 'ABCEGHJKLMNPRSTVWXYZ';
const eircodeLetters = 'ACDEFHKNPRTVWXY';
const validPostalCodes: Record<string, fc.Arbitrary<string>> = {
  US: fc.oneof(d(5), concat(d(5), '-', d(4))),
  CA: concat(chars(caFirst, 1), d(1), chars(caOther, 1), ' ', d(1), chars(caOther, 1), d(1)),
  GB: concat(
    fc.oneof(
      concat(chars(letters, 1), d(1)),
      concat(chars(letters, 1), d(2)),
      concat(chars(letters, 2), d(1)),
      concat(chars(letters, 2), d(2)),
      concat(chars(letters, 1), d(1), chars(letters, 1)),
      concat(chars(letters, 2), d(1), chars(letters, 1)),
    ),
    ' ',
    gbInward,
  ),
  DE: d(5),
  FR: d(5),
  IT: d(5),
  NL: concat(nonZero, d(3), ' ', chars(letters, 2)),
  ES: concat(
    fc.integer({ min: 1, max: 52 }).map((n) => String(n).padStart(2, '0')),
    d(3),
  ),
  AU: d(4),
  IE: concat(fc.oneof(concat(chars(eircodeLetters, 1), d(2)), fc.constant('D6W')), ' ', chars(digits + eircodeLetters, 4)),
  SE: concat(nonZero, d(2), ' ', d(2)),
  BE: concat(nonZero, d(3)),
  AT: concat(nonZero, d(3)),
  DK: d(4),
  PL: concat(d(2), '-', d(3)),
  PT: concat(nonZero, d(3), '-', d(3)),
  CH: concat(nonZero, d(3)),
  NO: d(4),
  JP: concat(d(3), '-', d(4)),
};
const requiredCountries = Object.keys(validPostalCodes);

const text = (maxLength: number) => fc.string({ minLength: 1, maxLength }).filter((s) => s.trim() !== '');

/** A valid address of `country`, typed the way shoppers do: codes in any case, blanks around, GB-style spaces left out. */
const sloppy = (value: string) =>
  fc
    .tuple(fc.boolean(), fc.boolean(), fc.constantFrom('', ' ', '  '))
    .map(([lower, squash, pad]) => `${pad}${(squash ? value.replace(/ /g, '') : value)[lower ? 'toLowerCase' : 'toUpperCase']()}${pad}`);
const validAddress = (country: string) => {
  const rule = countryRules[country]!;
  const postal = validPostalCodes[country]!;
  const regionCodes = rule.regions?.codes;
  return fc.record({
    firstName: text(100),
    lastName: text(100),
    line1: text(200),
    city: text(100),
    country: sloppy(country),
    postalCode: (rule.postalCode?.optional ? fc.option(postal, { nil: undefined }) : postal).chain((code) =>
      code === undefined ? fc.constant(undefined) : sloppy(code),
    ),
    region: regionCodes ? fc.constantFrom(...regionCodes).chain(sloppy) : fc.constant(undefined),
    phone: fc.option(concat('+', d(11)), { nil: undefined }),
  });
};
const withoutUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

test('the schema is referenced as Address and bounds every field', () => {
  assert.equal((Address as { $id?: string }).$id, 'Address');
  assert.equal(checkSchema({ ...us, company: 'Analytical Engines', line2: 'Suite 5', phone: '+1 (555) 123-4567' }), true);
  assert.equal(checkSchema({ ...us, firstName: 'x'.repeat(100), line1: 'y'.repeat(200) }), true);
  assert.equal(checkSchema({ ...us, firstName: 'x'.repeat(101) }), false);
  assert.equal(checkSchema({ ...us, lastName: '' }), false);
  assert.equal(checkSchema({ ...us, line1: 'y'.repeat(201) }), false);
  assert.equal(checkSchema({ ...us, company: 'c'.repeat(101) }), false);
  assert.equal(checkSchema({ ...us, country: 'USA' }), false);
  assert.equal(checkSchema({ ...us, region: 'California' }), false);
  assert.equal(checkSchema({ ...us, nickname: 'x' }), false);
});

test('the phone pattern takes the usual ways of writing a number and refuses words and runaway lengths', () => {
  for (const phone of ['+1 (555) 123-4567', '020 7946 0018', '+44 20 7946 0018', '03-1234-5678', '555.123.4567']) {
    assert.equal(checkSchema({ ...us, phone }), true, phone);
  }
  for (const phone of ['call me', '1234', '+1 555 CALL NOW', '1'.repeat(21), '+++1234567']) assert.equal(checkSchema({ ...us, phone }), false, phone);
});

test('the country table covers the countries the design names, with the region lists of US, CA and AU', () => {
  assert.deepEqual(Object.keys(countryRules).sort(), [...requiredCountries].sort());
  const us = countryRules.US!.regions!.codes;
  assert.equal(us.length, 57, '50 states, DC and the six outlying areas');
  for (const code of ['AL', 'CA', 'NY', 'WY', 'DC', 'PR', 'GU', 'VI', 'AS', 'MP', 'UM']) assert.ok(us.includes(code), code);
  assert.equal(new Set(us).size, us.length);
  assert.deepEqual([...countryRules.CA!.regions!.codes].sort(), ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT']);
  assert.deepEqual([...countryRules.AU!.regions!.codes].sort(), ['ACT', 'NSW', 'NT', 'QLD', 'SA', 'TAS', 'VIC', 'WA']);
  const withRegions = Object.entries(countryRules)
    .filter(([, rule]) => rule.regions)
    .map(([code]) => code);
  assert.deepEqual(withRegions.sort(), ['AU', 'CA', 'US']);
});

test('normalizeAddress trims, upper-cases codes, drops blank optional fields and puts the GB and CA space where it belongs', () => {
  assert.deepEqual(
    normalizeAddress({
      ...base,
      firstName: '  Ada ',
      city: ' Ottawa',
      country: ' ca ',
      region: 'on',
      postalCode: 'k1a0b1',
      company: '  ',
      phone: ' +1 613 555 0100 ',
    }),
    { ...base, city: 'Ottawa', country: 'CA', region: 'ON', postalCode: 'K1A 0B1', phone: '+1 613 555 0100' },
  );
  assert.equal(normalizeAddress({ ...base, country: 'gb', postalCode: 'sw1a1aa' }).postalCode, 'SW1A 1AA');
  assert.equal(normalizeAddress({ ...base, country: 'GB', postalCode: ' ec1a   1bb ' }).postalCode, 'EC1A 1BB');
  assert.equal(normalizeAddress({ ...base, country: 'IE', postalCode: 'd02x285' }).postalCode, 'D02 X285');
  assert.equal(normalizeAddress({ ...base, country: 'NL', postalCode: '1234ab' }).postalCode, '1234 AB');
  assert.equal(normalizeAddress({ ...base, country: 'US', postalCode: '12345 - 6789' }).postalCode, '12345 - 6789', 'no space rule for US: only collapsed');
  assert.deepEqual(normalizeAddress({ ...base, country: 'de', region: '', postalCode: ' ', line2: '' }), { ...base, country: 'DE' });
});

test('a well-formed address in each country has nothing to report', () => {
  assert.deepEqual(validateAddress(us), []);
  assert.deepEqual(validateAddress({ ...base, country: 'ca', region: 'qc', postalCode: 'h2x 1y4' }), []);
  assert.deepEqual(validateAddress({ ...base, country: 'GB', postalCode: 'GIR 0AA' }), []);
  assert.deepEqual(validateAddress({ ...base, country: 'AU', region: 'NSW', postalCode: '2000' }), []);
  assert.deepEqual(validateAddress({ ...base, country: 'IE' }), [], 'an Irish address without its Eircode');
  assert.deepEqual(validateAddress({ ...base, country: 'JP', postalCode: '100-0001' }), []);
});

test('a bad postal code is named with the format it should have', () => {
  assert.deepEqual(validateAddress({ ...us, postalCode: '1234' }), [{ name: 'body.shippingAddress.postalCode', reason: 'must look like 12345 or 12345-6789' }]);
  assert.deepEqual(validateAddress({ ...base, country: 'CA', region: 'ON', postalCode: 'D1A 1A1' }), [
    { name: 'body.shippingAddress.postalCode', reason: 'must look like A1A 1A1' },
  ]);
  assert.deepEqual(validateAddress({ ...base, country: 'GB', postalCode: 'SW1A 1AC' }), [
    { name: 'body.shippingAddress.postalCode', reason: 'must look like SW1A 1AA' },
  ]);
  assert.deepEqual(validateAddress({ ...base, country: 'IE', postalCode: 'B12 3456' }), [
    { name: 'body.shippingAddress.postalCode', reason: 'must look like A65 F4E2 (an Eircode)' },
  ]);
  assert.deepEqual(validateAddress({ ...base, country: 'ES', postalCode: '53001' }), [
    { name: 'body.shippingAddress.postalCode', reason: 'must look like 28013 (01–52 then three digits)' },
  ]);
  assert.deepEqual(validateAddress({ ...base, country: 'DE' }), [
    { name: 'body.shippingAddress.postalCode', reason: 'is required for DE addresses and must look like 10115' },
  ]);
});

test('a missing or unknown region is named where the country requires one, with the codes it takes', () => {
  assert.deepEqual(validateAddress({ ...us, region: undefined }), [
    { name: 'body.shippingAddress.region', reason: 'is required for US addresses: a state or territory code such as AL' },
  ]);
  const [problem, ...more] = validateAddress({ ...base, country: 'AU', region: 'XX', postalCode: '2000' });
  assert.deepEqual(more, []);
  assert.equal(problem!.name, 'body.shippingAddress.region');
  assert.equal(problem!.reason, 'must be a state or territory code of AU (ISO 3166-2 without "AU-"): ACT, NSW, NT, QLD, SA, TAS, VIC, WA');
  assert.deepEqual(validateAddress({ ...base, country: 'FR', region: 'IDF', postalCode: '75001' }), [], 'a region is free where none is required');
});

test('an unknown country is refused alone; blank required fields are each named; the field prefix is the caller’s', () => {
  const [problem, ...more] = validateAddress({ ...base, country: 'ZZ', postalCode: 'whatever' });
  assert.deepEqual(more, []);
  assert.equal(problem!.name, 'body.shippingAddress.country');
  assert.match(problem!.reason, /^must be the ISO 3166-1 alpha-2 code of a supported country: AT, AU, BE, .*, US$/);
  assert.deepEqual(
    validateAddress({ ...us, firstName: ' ', city: '\t' }, 'body.billingAddress').map((p) => p.name),
    ['body.billingAddress.firstName', 'body.billingAddress.city'],
  );
});

test('the shared country and region rules: a country is addressed when listed, a region is checked only where its country lists regions', () => {
  assert.equal(countryRuleOf('US'), countryRules.US);
  for (const unknown of ['ZZ', 'us', 'toString', '__proto__']) assert.equal(countryRuleOf(unknown), undefined, unknown);
  assert.deepEqual(addressableCountries, Object.keys(countryRules).sort());
  assert.equal(regionOutsideList('US', 'CA'), undefined);
  assert.equal(regionOutsideList('US', 'XX'), countryRules.US!.regions);
  assert.equal(regionOutsideList('FR', 'IDF'), undefined, 'a country without a list takes any region');
  assert.equal(regionOutsideList('ZZ', 'XX'), undefined, "an unknown country is the country's problem");
});

test('property: every address built from a country’s real formats validates, passes the schema and normalizes to its canonical codes', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...requiredCountries).chain((country) => validAddress(country).map((address) => ({ country, address: withoutUndefined(address) }))),
      ({ country, address }) => {
        assert.equal(checkSchema(address), true, JSON.stringify(checkSchema.errors));
        assert.deepEqual(validateAddress(address), []);
        const normalized = normalizeAddress(address);
        assert.equal(normalized.country, country);
        assert.deepEqual(validateAddress(normalized), [], 'the stored form validates too');
        assert.deepEqual(normalizeAddress(normalized), normalized, 'normalizing twice changes nothing');
        if (normalized.postalCode !== undefined) assert.match(normalized.postalCode, countryRules[country]!.postalCode!.pattern);
      },
    ),
    { numRuns: 500 },
  );
});

const mutations = [
  { field: 'postalCode', applies: () => true, mutate: (a: Address) => ({ ...a, postalCode: `${a.postalCode ?? ''}0` }) },
  { field: 'postalCode', applies: (c: string) => !countryRules[c]!.postalCode!.optional, mutate: (a: Address) => ({ ...a, postalCode: undefined }) },
  { field: 'region', applies: (c: string) => Boolean(countryRules[c]!.regions), mutate: (a: Address) => ({ ...a, region: undefined }) },
  { field: 'region', applies: (c: string) => Boolean(countryRules[c]!.regions), mutate: (a: Address) => ({ ...a, region: 'ZZ' }) },
  { field: 'firstName', applies: () => true, mutate: (a: Address) => ({ ...a, firstName: '  ' }) },
  { field: 'line1', applies: () => true, mutate: (a: Address) => ({ ...a, line1: '' }) },
  { field: 'country', applies: () => true, mutate: (a: Address) => ({ ...a, country: 'ZZ' }) },
] as const;

test('property: breaking one rule of a valid address (a postal code one character too long, a missing or unknown region, a blank name, an unknown country) is reported on that field', () => {
  fc.assert(
    fc.property(
      fc
        .constantFrom(...requiredCountries)
        .chain((country) => fc.tuple(fc.constant(country), validAddress(country), fc.constantFrom(...mutations.filter((m) => m.applies(country))))),
      ([, address, mutation]) => {
        const problems = validateAddress(withoutUndefined(mutation.mutate(withoutUndefined(address))));
        assert.deepEqual(
          problems.map((p) => p.name),
          [`body.shippingAddress.${mutation.field}`],
        );
      },
    ),
    { numRuns: 500 },
  );
});
