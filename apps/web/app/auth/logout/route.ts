import { NextResponse, type NextRequest } from 'next/server';
import { bffApi, browserIdFor, clearSessionCookies, crossOriginRefused, isSameOrigin, refreshCookie, refreshSession } from '../../../lib/bff-session.ts';

export const dynamic = 'force-dynamic';

/**
 * POST /auth/logout: ends the session at the API (so the refresh token and every access token of
 * it stop working at once) and clears the cookies. The page sends its access token when it has
 * one; after a reload it has none, and the refresh cookie is traded for one first.
 */
export async function POST(request: NextRequest): Promise<Response> {
  if (!isSameOrigin(request)) return crossOriginRefused();
  let accessToken = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') || undefined;
  const refreshToken = request.cookies.get(refreshCookie)?.value;
  if (!accessToken && refreshToken) {
    const outcome = await refreshSession(request, refreshToken, browserIdFor(request));
    if (outcome.ok) accessToken = outcome.tokens.accessToken;
  }
  // The cookies go whatever the API answers: this browser is signed out either way.
  if (accessToken)
    await bffApi(request)
      .POST('/api/auth/logout', { headers: { authorization: `Bearer ${accessToken}` } })
      .catch(() => undefined);
  return clearSessionCookies(new NextResponse(null, { status: 204 }));
}
