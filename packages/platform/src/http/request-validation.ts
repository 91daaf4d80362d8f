import { Ajv, type ErrorObject, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isCurrencyCode } from '@dema/contracts';
import { bodyLimits } from './request-body.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * The keyword every string of a request carries (added by `refusingNul`): PostgreSQL refuses the
 * NUL character in text, so a NUL that got past validation would be a 500 from the database.
 */
export const noNulKeyword = 'noNul';

/** Sizes of parsed JSON bodies, by the parsed value: a large invalid body is described by its first error only. */
const bodySizes = new WeakMap<object, number>();

/** Notes the size of the text `body` was parsed from (the JSON body parser calls it). */
export function noteBodySize(body: unknown, size: number): void {
  if (body !== null && typeof body === 'object') bodySizes.set(body, size);
}

// Keys whose values are data, not schemas: never rewritten.
const dataKeywords = new Set(['const', 'enum', 'default', 'examples', 'example', 'required']);

/**
 * A copy of `schema` in which every string (and every key of an object with open-ended keys) also
 * refuses NUL. Done here, once per compiled schema, so no request schema can forget it, whether it
 * comes from the contracts or is written inline in a route.
 */
export function refusingNul(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(refusingNul);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = dataKeywords.has(key) ? value : refusingNul(value);
  const type = copy.type;
  if (type === 'string' || (Array.isArray(type) && type.includes('string'))) copy[noNulKeyword] = true;
  const openKeys = copy.patternProperties !== undefined || (copy.additionalProperties !== undefined && copy.additionalProperties !== false);
  if (openKeys && copy.propertyNames === undefined) copy.propertyNames = { [noNulKeyword]: true };
  return copy;
}

/** An Ajv as the HTTP kit uses it: formats, defaults, the NUL keyword. */
export function createAjv(options: AjvOptions): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    // multipleOf: 0.01 on prices is otherwise at the mercy of binary fractions (0.07 * 100).
    multipleOfPrecision: 9,
    // Errors carry the failing keyword's value and the data: a `not` names what it refuses, a query
    // parameter given twice is told from one of the wrong type.
    verbose: true,
    ...options,
  });
  addFormats(ajv);
  keepDatesStorable(ajv);
  ajv.addFormat('currency', { type: 'string', validate: isCurrencyCode });
  ajv.addKeyword({
    keyword: noNulKeyword,
    type: 'string',
    schemaType: 'boolean',
    errors: false,
    validate: (refuse: boolean, data: string) => !refuse || !data.includes('\u0000'),
  });
  return ajv;
}

/** The instants a date or date-time of a request may name: years 1 to 9999 in UTC. */
const earliestInstant = Date.parse('0001-01-01T00:00:00Z');
const latestInstant = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Narrows ajv-formats' `date-time` and `date` to what the services can store and read back. RFC 3339
 * alone lets through year 0 (which PostgreSQL refuses), an offset that puts the instant in year 0
 * or 10000 in UTC (stored, then unreadable: JavaScript's Date reads neither back), a leap second
 * (`23:59:60`, which JavaScript cannot parse, so checks such as "ends after it starts" saw NaN)
 * and offsets without minutes; each was a 500, or a 400 naming no field. Now each is a 400 naming it.
 */
function keepDatesStorable(ajv: Ajv): void {
  for (const name of ['date-time', 'date'] as const) {
    const rfc3339 = ajv.formats[name] as { validate: (value: string) => boolean; compare?: (a: string, b: string) => number | undefined };
    ajv.addFormat(name, {
      type: 'string',
      validate: (value: string) => {
        if (!rfc3339.validate(value)) return false;
        const instant = Date.parse(name === 'date' ? `${value}T00:00:00Z` : value);
        return instant >= earliestInstant && instant <= latestInstant;
      },
      ...(rfc3339.compare ? { compare: rfc3339.compare } : {}),
    });
  }
}

/** What a request's value of a format must be, as a problem names it, where Ajv's "must match format" says too little. */
export const formatReasons: Readonly<Record<string, string>> = {
  currency: 'must be an ISO 4217 currency code (USD, EUR, JPY)',
  'date-time': 'must be an RFC 3339 date-time with its offset (2026-12-31T23:59:59Z, 2026-12-31T18:59:59-05:00) from year 0001 to 9999 in UTC',
  date: 'must be a date as YYYY-MM-DD from 0001-01-01 to 9999-12-31',
};

/**
 * Compiles a request schema into a validator whose cost stays proportional to the input's size, not
 * to the number of things wrong with it: a first-error pass decides, and only an input small enough
 * (a body under `bodyLimits.small`, any query, path or header set) is validated again to name
 * every problem. A hostile 1 MB body of 300,000 empty variants is otherwise 600,000 errors, seconds
 * of CPU, and a problem document of tens of megabytes.
 */
export function compileRequestValidator(ajvs: { firstError: Ajv; allErrors: Ajv }, schema: object): ValidateFunction {
  const guarded = refusingNul(schema) as object;
  const first = ajvs.firstError.compile(guarded);
  const all = ajvs.allErrors.compile(guarded);
  const validate = ((data: unknown) => {
    if (first(data)) {
      validate.errors = null;
      return true;
    }
    const size = data !== null && typeof data === 'object' ? (bodySizes.get(data) ?? 0) : 0;
    if (size > bodyLimits.small) {
      validate.errors = first.errors;
      return false;
    }
    all(data);
    validate.errors = all.errors ?? first.errors;
    return false;
  }) as ValidateFunction;
  validate.errors = null;
  return validate;
}

const decimal = { integer: /^-?\d+$/, number: /^-?\d+(\.\d+)?$/ } as const;
const decimalReasons = {
  integer: 'must be an integer in plain decimal digits (20, not 0x14, +20 or 2e1)',
  number: 'must be a number in plain decimal digits (9.99, not 0x9, +9.99 or 1e1)',
} as const;

/** The numeric type (`integer` or `number`) a property schema takes, itself or as the items of an array. */
function numericTypeOf(schema: unknown): { type: keyof typeof decimal; array: boolean } | undefined {
  const { type, items } = (schema ?? {}) as { type?: unknown; items?: unknown };
  if (type === 'integer' || type === 'number') return { type, array: false };
  const itemType = type === 'array' ? (items as { type?: unknown } | undefined)?.type : undefined;
  return itemType === 'integer' || itemType === 'number' ? { type: itemType, array: true } : undefined;
}

/**
 * A query validator as `compileRequestValidator` makes one, that also refuses a number not written in
 * plain decimal digits (a leading minus allowed; the schema's minimum says whether one may be
 * negative). A query is coerced, and Ajv's coercion is JavaScript's `Number`: `limit=0x10` was 16,
 * `limit=+5` was 5, and a blank `limit=%20` was 0 ("must be >= 1", as if a zero had been sent).
 */
export function compileQueryValidator(ajvs: { firstError: Ajv; allErrors: Ajv }, schema: object): ValidateFunction {
  const validate = compileRequestValidator(ajvs, schema);
  const properties = (schema as { properties?: Record<string, unknown> }).properties ?? {};
  const numeric = Object.entries(properties).flatMap(([name, property]) => {
    const found = numericTypeOf(property);
    return found ? [{ name, ...found }] : [];
  });
  if (numeric.length === 0) return validate;
  const checked = ((data: unknown) => {
    // Read before validating: Ajv coerces the values in place.
    const notDecimal: ErrorObject[] = [];
    const query = (data ?? {}) as Record<string, unknown>;
    for (const { name, type, array } of numeric) {
      const given = query[name];
      const values = array && Array.isArray(given) ? given.map((value, i) => [value, `/${i}`] as const) : [[given, ''] as const];
      for (const [value, at] of values) {
        if (typeof value !== 'string' || decimal[type].test(value)) continue;
        const instancePath = `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}${at}`;
        notDecimal.push({ instancePath, schemaPath: `#/properties/${name}`, keyword: 'type', params: { type }, message: decimalReasons[type], data: value });
      }
    }
    const valid = validate(data);
    if (notDecimal.length === 0) {
      checked.errors = validate.errors;
      return valid;
    }
    const flagged = new Set(notDecimal.map((error) => error.instancePath));
    checked.errors = [...notDecimal, ...(validate.errors ?? []).filter((error) => !flagged.has(error.instancePath))];
    return false;
  }) as ValidateFunction;
  checked.errors = null;
  return checked;
}

/**
 * Whether `schema` is wrapped in TypeBox's `Type.Optional`, a mark TypeBox keeps out of the JSON
 * Schema: a route body declared so may be left out (the server and its OpenAPI document say so).
 */
export function isOptionalSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as { '~optional'?: unknown })['~optional'] === true;
}

export type { ErrorObject };
