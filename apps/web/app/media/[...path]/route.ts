import { forwardToApi } from '../../../lib/api-proxy.ts';

export const dynamic = 'force-dynamic';

/** Product images are the API's (`/media/*`); served from this origin so pages need no other host. */
export function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  return forwardToApi(request, `${url.pathname}${url.search}`);
}
