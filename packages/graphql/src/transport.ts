import { parseJson, type ApiResponse, type ApiTransport, type DemaApp } from '@dema/platform';

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
