import { GraphQLError } from 'graphql';
import { ErrorCode, type InvalidParam } from '@dema/contracts';

/** Error codes of GraphQL's own: a query that does not parse, or breaks the schema or the limits. */
export const graphqlErrorCodes = {
  PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** The operation ran past DEMA_GRAPHQL_TIMEOUT_MS. */
  TIMEOUT: 'TIMEOUT',
} as const;

/**
 * How REST's field names (`body.price`, `query.q`, `path.id`) read as the GraphQL arguments that
 * carried them: `body: 'input'` makes `body.price` → `input.price`; a name in `rename` wins whole.
 */
export interface FieldMapping {
  body?: string;
  rename?: Record<string, string>;
}

interface ProblemBody {
  code?: unknown;
  title?: unknown;
  detail?: unknown;
  invalidParams?: InvalidParam[];
}

/** The GraphQL argument a REST field name came from (`body.variants.0.stock` → `input.variants.0.stock`). */
export function graphqlField(restName: string, mapping: FieldMapping = {}): string {
  const renamed = mapping.rename?.[restName];
  if (renamed !== undefined) return renamed;
  const [part, ...rest] = restName.split('.');
  if (part === 'body' && mapping.body) return [mapping.body, ...rest].join('.');
  if ((part === 'body' || part === 'query' || part === 'path' || part === 'header') && rest.length > 0) return rest.join('.');
  return restName;
}

/**
 * A REST problem as a GraphQL error: REST's `code` in `extensions.code`, its status, and the bad
 * fields named as the GraphQL arguments that carried them (`field`, the first of `invalidParams`).
 */
export function problemError(status: number, body: unknown, mapping?: FieldMapping): GraphQLError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as ProblemBody;
  const code = typeof problem.code === 'string' ? problem.code : status >= 500 ? ErrorCode.INTERNAL : ErrorCode.VALIDATION_FAILED;
  const params = Array.isArray(problem.invalidParams)
    ? problem.invalidParams.map((param) => ({ name: graphqlField(param.name, mapping), reason: param.reason }))
    : undefined;
  // REST's detail names its own fields (`body.price must be >= 0`): said again with the arguments' names.
  const message =
    params && params.length > 0
      ? params.map((param) => `${param.name} ${param.reason}`).join('; ')
      : typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : `REST answered ${status}`;
  return new GraphQLError(message, { extensions: problemExtensions(code, status, params) });
}

/**
 * What a REST problem carries, as GraphQL `extensions`: `code`, `status`, and when fields are at
 * fault `invalidParams` with the first of them again in `field`. Every Dema error has this shape.
 */
export function problemExtensions(code: string, status: number, params?: InvalidParam[]): Record<string, unknown> {
  const first = params?.[0];
  return { code, status, ...(first ? { field: first.name } : {}), ...(params ? { invalidParams: params } : {}) };
}

/** An error of GraphQL's own making, with a code and a status like REST's. */
export function graphqlError(code: string, message: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: problemExtensions(code, status) });
}

/**
 * An argument refused before REST is asked (as REST refuses a field: 400, `VALIDATION_FAILED`
 * unless told another code), named in `field` and `invalidParams`.
 */
export function argumentError(argument: string, reason: string, code: string = ErrorCode.VALIDATION_FAILED): GraphQLError {
  return new GraphQLError(`${argument} ${reason}`, { extensions: problemExtensions(code, 400, [{ name: argument, reason }]) });
}
