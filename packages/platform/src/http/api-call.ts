/*
 * One REST call made from inside a process on a client's behalf, and how it travels: GraphQL's
 * resolvers make them, in-process on the all-in-one app (`injectTransport` of @dema/graphql) or to
 * the service instances from the cluster's gateway (`upstreamTransport` of @dema/gateway).
 */

/** One REST call: the path carries its query string; `body` is sent as JSON. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Lower-case names: the caller's Authorization, Cookie, Idempotency-Key, x-request-id. */
  headers: Record<string, string>;
  body?: unknown;
  /** The address of the client the call is made for: REST's throttles and rate limits count it, not the gateway. */
  clientIp: string;
}

/** REST's answer: `body` parsed when it is JSON (problem+json included), else undefined. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * How a module reaches the REST API: in-process on the app the module is mounted on (embedded), or
 * over HTTP to the services' instances (the cluster's gateway: `upstreamTransport` of @dema/gateway).
 * Either way every REST rule applies — permissions, validation, prices, idempotency, throttles.
 */
export type ApiTransport = (request: ApiRequest) => Promise<ApiResponse>;

/** A JSON body (`application/json`, `application/problem+json`) parsed; anything else undefined. */
export function parseJson(contentType: string | string[] | undefined, text: string): unknown {
  if (typeof contentType !== 'string' || !/[/+]json\b/.test(contentType) || text.length === 0) return undefined;
  return JSON.parse(text) as unknown;
}
