import Type, { type Static } from 'typebox';
import type { InvalidParam } from './problem.ts';

/**
 * Postal addresses for checkout (shipping and billing) and the address book (issue 20). The schema
 * bounds every field; `validateAddress` adds what depends on the country (postal code format,
 * required region); `normalizeAddress` gives the form that is stored and compared.
 */

const PersonName = Type.String({ minLength: 1, maxLength: 100 });
const AddressLine = Type.String({ minLength: 1, maxLength: 200 });

export const Address = Type.Object(
  {
    firstName: PersonName,
    lastName: PersonName,
    company: Type.Optional(Type.String({ maxLength: 100 })),
    line1: AddressLine,
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(
      Type.String({
        maxLength: 8,
        pattern: '^\\s*([A-Za-z0-9]{1,3}\\s*)?$',
        description: 'ISO 3166-2 subdivision code without the country prefix ("CA" for California, "ON", "NSW"); required in US, CA and AU',
      }),
    ),
    // Room for blanks a shopper types around the code; normalizeAddress trims and collapses them.
    postalCode: Type.Optional(Type.String({ maxLength: 16, description: 'Checked against the country’s format (see countryRules)' })),
    country: Type.String({ pattern: '^\\s*[A-Za-z]{2}\\s*$', maxLength: 8, description: 'ISO 3166-1 alpha-2, e.g. "US"; stored upper case' }),
    // Loose on purpose (people write numbers many ways), but 5–20 digits with only separators between.
    phone: Type.Optional(Type.String({ maxLength: 32, pattern: '^\\s*\\+?(?:[ ().\\-]*[0-9]){5,20}[ ().\\-]*$' })),
  },
  { $id: 'Address', additionalProperties: false },
);
export type Address = Static<typeof Address>;

/** A reference to the shared Address schema for other schemas to embed, typed as an Address (a bare Type.Ref is `unknown`). */
export const AddressRef = (options: { description?: string } = {}) => Type.Unsafe<Address>(Type.Ref('Address', options));

/** How a country writes its postal codes. */
export interface PostalCodeRule {
  /** Matched against the normalized code (upper case, single spaces where the country puts one). */
  pattern: RegExp;
  /** What the shopper is told, after "must look like". */
  format: string;
  /** The code may be left out (Ireland: many addresses are used without their Eircode). */
  optional?: true;
  /** The space sits before this many trailing characters (GB "SW1A 1AA": 3); normalizeAddress puts it there. */
  spaceBeforeLast?: number;
}

/** The regions a country's addresses name one of (ISO 3166-2 without the country prefix). */
export interface RegionList {
  /** What one of them is, after "a"/"an" in a reason ("a state or territory code"). */
  label: string;
  codes: readonly string[];
}

export interface CountryRule {
  name: string;
  /** Absent: any postal code (or none) is accepted. */
  postalCode?: PostalCodeRule;
  /** When present, the region is required and must be one of these codes. */
  regions?: RegionList;
}

const usStates =
  'AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY'.split(
    ' ',
  );
// ISO 3166-2:US beyond the states: the District of Columbia and the six outlying areas.
const usOther = ['DC', 'AS', 'GU', 'MP', 'PR', 'UM', 'VI'];

/**
 * The countries Dema knows how to address, by ISO 3166-1 alpha-2 code. Which of them a store ships
 * to is the shipping zones' business; an address in a country missing here is refused outright.
 * Postal code patterns follow each postal operator's published format (letters that a format never
 * uses, as in Canada's and the UK's, are excluded).
 */
export const countryRules: Readonly<Record<string, CountryRule>> = {
  AT: { name: 'Austria', postalCode: { pattern: /^[1-9]\d{3}$/, format: '1010' } },
  AU: {
    name: 'Australia',
    postalCode: { pattern: /^\d{4}$/, format: '2000' },
    regions: { label: 'a state or territory code', codes: ['ACT', 'NSW', 'NT', 'QLD', 'SA', 'TAS', 'VIC', 'WA'] },
  },
  BE: { name: 'Belgium', postalCode: { pattern: /^[1-9]\d{3}$/, format: '1000' } },
  CA: {
    name: 'Canada',
    postalCode: { pattern: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d$/, format: 'A1A 1A1', spaceBeforeLast: 3 },
    regions: { label: 'a province or territory code', codes: ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'] },
  },
  CH: { name: 'Switzerland', postalCode: { pattern: /^[1-9]\d{3}$/, format: '8001' } },
  DE: { name: 'Germany', postalCode: { pattern: /^\d{5}$/, format: '10115' } },
  DK: { name: 'Denmark', postalCode: { pattern: /^\d{4}$/, format: '1050' } },
  ES: { name: 'Spain', postalCode: { pattern: /^(?:0[1-9]|[1-4]\d|5[0-2])\d{3}$/, format: '28013 (01–52 then three digits)' } },
  FR: { name: 'France', postalCode: { pattern: /^\d{5}$/, format: '75001' } },
  GB: {
    name: 'United Kingdom',
    postalCode: { pattern: /^(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) \d[ABD-HJLNP-UW-Z]{2}$/, format: 'SW1A 1AA', spaceBeforeLast: 3 },
  },
  IE: {
    name: 'Ireland',
    postalCode: { pattern: /^(?:[AC-FHKNPRTV-Y]\d{2}|D6W) [\dAC-FHKNPRTV-Y]{4}$/, format: 'A65 F4E2 (an Eircode)', optional: true, spaceBeforeLast: 4 },
  },
  IT: { name: 'Italy', postalCode: { pattern: /^\d{5}$/, format: '00144' } },
  JP: { name: 'Japan', postalCode: { pattern: /^\d{3}-\d{4}$/, format: '100-0001' } },
  NL: { name: 'Netherlands', postalCode: { pattern: /^[1-9]\d{3} [A-Z]{2}$/, format: '1234 AB', spaceBeforeLast: 2 } },
  NO: { name: 'Norway', postalCode: { pattern: /^\d{4}$/, format: '0150' } },
  PL: { name: 'Poland', postalCode: { pattern: /^\d{2}-\d{3}$/, format: '00-950' } },
  PT: { name: 'Portugal', postalCode: { pattern: /^[1-9]\d{3}-\d{3}$/, format: '1000-001' } },
  SE: { name: 'Sweden', postalCode: { pattern: /^[1-9]\d{2} \d{2}$/, format: '123 45', spaceBeforeLast: 2 } },
  US: {
    name: 'United States',
    postalCode: { pattern: /^\d{5}(?:-\d{4})?$/, format: '12345 or 12345-6789' },
    regions: { label: 'a state or territory code', codes: [...usStates, ...usOther] },
  },
};

/** The codes of the countries Dema addresses, sorted: what a reason refusing another country lists. */
export const addressableCountries: readonly string[] = Object.keys(countryRules).sort();

/**
 * The rules of addresses in `country` (ISO 3166-1 alpha-2, upper case); undefined for a country
 * Dema does not address, where every address is refused (so a shipping zone or a tax rate there
 * would never match one).
 */
export function countryRuleOf(country: string): CountryRule | undefined {
  // Own keys only: a code is data from a request, and the object's prototype has keys too.
  return Object.hasOwn(countryRules, country) ? countryRules[country] : undefined;
}

/**
 * The list `region` (ISO 3166-2 without the country prefix, upper case) is not in, for an address
 * in `country`; undefined when it is in it, or when the country takes any region: one without a
 * list, or one Dema does not address (that is the country's problem, not the region's).
 */
export function regionOutsideList(country: string, region: string): RegionList | undefined {
  const regions = countryRuleOf(country)?.regions;
  return regions && !regions.codes.includes(region) ? regions : undefined;
}

/** The optional fields, dropped by normalizeAddress when blank so that "" and absent mean the same. */
const optionalFields = ['company', 'line2', 'region', 'postalCode', 'phone'] as const;

/**
 * The stored form of an address: every field trimmed, blank optional fields dropped, country and
 * region upper case, the postal code upper case with single spaces, and for the countries that write
 * one space at a fixed place (GB, CA, IE, NL, SE) that space put there ("k1a0b1" → "K1A 0B1").
 */
export function normalizeAddress(address: Address): Address {
  const normalized: Address = {
    ...address,
    firstName: address.firstName.trim(),
    lastName: address.lastName.trim(),
    line1: address.line1.trim(),
    city: address.city.trim(),
    country: address.country.trim().toUpperCase(),
  };
  for (const field of optionalFields) {
    const value = address[field]?.trim();
    if (value) normalized[field] = value;
    else delete normalized[field];
  }
  if (normalized.region) normalized.region = normalized.region.toUpperCase();
  if (normalized.postalCode) normalized.postalCode = normalizePostalCode(normalized.postalCode, countryRuleOf(normalized.country)?.postalCode);
  return normalized;
}

function normalizePostalCode(code: string, rule: PostalCodeRule | undefined): string {
  const upper = code.toUpperCase().replace(/\s+/g, ' ');
  const at = rule?.spaceBeforeLast;
  if (at === undefined) return upper;
  const compact = upper.replace(/ /g, '');
  return compact.length > at ? `${compact.slice(0, -at)} ${compact.slice(-at)}` : compact;
}

/**
 * The country rules an address breaks, as problem+json `invalidParams` named under `field`
 * (`body.shippingAddress.postalCode`), each reason saying what is expected. Checks the address as
 * normalizeAddress would store it, so "us" and "sw1a1aa" pass; the schema has already bounded the
 * lengths. An empty list means the address is valid.
 */
export function validateAddress(address: Address, field = 'body.shippingAddress'): InvalidParam[] {
  const a = normalizeAddress(address);
  const problems: InvalidParam[] = [];
  const refuse = (name: string, reason: string) => problems.push({ name: `${field}.${name}`, reason });
  for (const name of ['firstName', 'lastName', 'line1', 'city'] as const) {
    if (!a[name]) refuse(name, 'is required');
  }
  const rule = countryRuleOf(a.country);
  if (!rule) {
    refuse('country', `must be the ISO 3166-1 alpha-2 code of a supported country: ${addressableCountries.join(', ')}`);
    return problems;
  }
  const postal = rule.postalCode;
  if (postal && a.postalCode === undefined && !postal.optional)
    refuse('postalCode', `is required for ${a.country} addresses and must look like ${postal.format}`);
  if (postal && a.postalCode !== undefined && !postal.pattern.test(a.postalCode)) refuse('postalCode', `must look like ${postal.format}`);
  const regions = rule.regions;
  if (regions && a.region === undefined) refuse('region', `is required for ${a.country} addresses: ${regions.label} such as ${regions.codes[0]}`);
  const outside = a.region === undefined ? undefined : regionOutsideList(a.country, a.region);
  if (outside) refuse('region', `must be ${outside.label} of ${a.country} (ISO 3166-2 without "${a.country}-"): ${outside.codes.join(', ')}`);
  return problems;
}

/** An address as a form (web or mobile) holds it: every field a string, blank when not filled in. */
export type AddressDraft = { [Field in keyof Required<Address>]: string };

export const blankAddress: AddressDraft = {
  firstName: '',
  lastName: '',
  company: '',
  line1: '',
  line2: '',
  city: '',
  region: '',
  postalCode: '',
  country: '',
  phone: '',
};

/**
 * The address a form holds, as the API takes it: fields trimmed, blank optional fields left out.
 * Required fields are sent even when blank, so that the API names them (the page shows its reasons).
 */
export function addressOf(draft: AddressDraft): Address {
  const address: Address = {
    firstName: draft.firstName.trim(),
    lastName: draft.lastName.trim(),
    line1: draft.line1.trim(),
    city: draft.city.trim(),
    country: draft.country.trim(),
  };
  for (const field of ['company', 'line2', 'region', 'postalCode', 'phone'] as const) {
    const value = draft[field].trim();
    if (value) address[field] = value;
  }
  return address;
}

/** A saved (or any) address in its form, to show it and let the shopper change it. */
export function draftOf(address: Address): AddressDraft {
  const draft = { ...blankAddress };
  for (const field of Object.keys(blankAddress) as Array<keyof AddressDraft>) draft[field] = address[field] ?? '';
  return draft;
}
