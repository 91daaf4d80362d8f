import Type, { type TRef } from 'typebox';

/** The status codes a route may answer with a problem+json body. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504;

/**
 * The response-schema entries of the problems a route documents, each a reference to the shared
 * `Problem` schema: `response: { 200: Type.Ref('Product'), ...problemResponses(400, 404) }`.
 */
export function problemResponses<S extends ProblemStatus>(...statuses: S[]): Record<S, TRef<'Problem'>> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')])) as Record<S, TRef<'Problem'>>;
}

/**
 * The OpenAPI security declaration of a route that needs an access token (`Authorization: Bearer`);
 * the check itself is the route's `config` (`authenticated` or `permission`).
 */
export const requiresToken: Array<Record<string, string[]>> = [{ bearer: [] }];
