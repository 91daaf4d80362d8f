import assert from 'node:assert/strict';

/** A GraphQL error as Dema answers it. */
export interface GraphqlError {
  message: string;
  path?: Array<string | number>;
  extensions: { code: string; status?: number; field?: string; invalidParams?: Array<{ name: string; reason: string }> };
}

export interface GraphqlAnswer<T> {
  status: number;
  headers: Headers;
  data: T | null;
  errors: GraphqlError[];
}

/** POSTs one operation to `${url}/graphql`; `token` signs it in. */
export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string>; extensions?: unknown } = {},
): Promise<GraphqlAnswer<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    body: JSON.stringify({ query, variables: options.variables, extensions: options.extensions }),
  });
  const text = await response.text();
  let body: { data?: T | null; errors?: GraphqlError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`not JSON (${response.status}): ${text}`);
  }
  return { status: response.status, headers: response.headers, data: body.data ?? null, errors: body.errors ?? [] };
}

/** The data of an answer that must have no errors. */
export function ok<T>(answer: GraphqlAnswer<T>): T {
  assert.deepEqual(answer.errors, [], 'no errors expected');
  assert.equal(answer.status, 200);
  return answer.data!;
}

/** The one error of an answer that must have exactly one, with `code` (and `field`). */
export function failure(answer: GraphqlAnswer<unknown>, code: string, field?: string): GraphqlError {
  assert.equal(answer.errors.length, 1, `one error expected, got ${JSON.stringify(answer.errors)}`);
  const error = answer.errors[0]!;
  assert.equal(error.extensions.code, code, JSON.stringify(error));
  if (field !== undefined) assert.equal(error.extensions.field, field, JSON.stringify(error));
  return error;
}
