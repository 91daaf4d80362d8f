import { forwardToApi } from '../../../lib/api-proxy.ts';

export const dynamic = 'force-dynamic';

/** Every `/api/*` request from the browser goes to the API unchanged (see lib/api-proxy.ts). */
function forward(request: Request): Promise<Response> {
  const url = new URL(request.url);
  return forwardToApi(request, `${url.pathname}${url.search}`);
}

export { forward as GET, forward as POST, forward as PUT, forward as PATCH, forward as DELETE };
