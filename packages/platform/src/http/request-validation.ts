import { Ajv, type ErrorObject, type Options as AjvOptions, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
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
    ...options,
  });
  addFormats(ajv);
  ajv.addKeyword({
    keyword: noNulKeyword,
    type: 'string',
    schemaType: 'boolean',
    errors: false,
    validate: (refuse: boolean, data: string) => !refuse || !data.includes('\u0000'),
  });
  return ajv;
}

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

/**
 * Whether `schema` is wrapped in TypeBox's `Type.Optional`, a mark TypeBox keeps out of the JSON
 * Schema: a route body declared so may be left out (the server and its OpenAPI document say so).
 */
export function isOptionalSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as { '~optional'?: unknown })['~optional'] === true;
}

export type { ErrorObject };
