import type { DemaApp } from '@dema/platform';

/** One REST call a resolver makes: the path carries its query string; `body` is sent as JSON. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Lower-case names: the caller's Authorization, Cookie, Idempotency-Key, x-request-id. */
  headers: Record<string, string>;
  body?: unknown;
  /** The GraphQL client's address: REST's throttles and rate limits count it, not the gateway. */
  clientIp: string;
}

/** REST's answer: `body` parsed when it is JSON (problem+json included), else undefined. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * How resolvers reach the REST API: in-process on the app the module is mounted on (embedded), or
 * over HTTP to the services' instances (the cluster's gateway: `upstreamTransport` of @dema/gateway).
 * Either way every REST rule applies — permissions, validation, prices, idempotency, throttles.
 */
export type ApiTransport = (request: ApiRequest) => Promise<ApiResponse>;

/**
 * The embedded transport: `app.inject` on the app `/graphql` is mounted on, so each call meets the
 * same hooks as a client's request (authentication, the edge's rate limits by its path's class) with
 * the client's address as its remote address.
 */
export function injectTransport(app: DemaApp): ApiTransport {
  return async (request) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await app.inject({
      method: request.method,
      url: request.path,
      headers,
      remoteAddress: request.clientIp,
      ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
    });
    const responseHeaders: ApiResponse['headers'] = {};
    for (const [name, value] of Object.entries(response.headers)) responseHeaders[name] = typeof value === 'number' ? String(value) : value;
    return { status: response.statusCode, headers: responseHeaders, body: parseJson(responseHeaders['content-type'], response.body) };
  };
}

/** A JSON body (`application/json`, `application/problem+json`) parsed; anything else undefined. */
export function parseJson(contentType: string | string[] | undefined, text: string): unknown {
  if (typeof contentType !== 'string' || !/[/+]json\b/.test(contentType) || text.length === 0) return undefined;
  return JSON.parse(text) as unknown;
}
