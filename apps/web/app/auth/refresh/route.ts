import type { NextRequest } from 'next/server';
import { ErrorCode } from '@dema/contracts';
import {
  browserIdFor,
  clearSessionCookies,
  crossOriginRefused,
  isSameOrigin,
  problemResponse,
  refreshCookie,
  refreshSession,
  relayFailure,
  sessionResponse,
} from '../../../lib/bff-session.ts';

export const dynamic = 'force-dynamic';

/**
 * POST /auth/refresh: trades the refresh cookie for a new access token (and a new cookie). A 401
 * means there is no session any more, and both cookies are cleared.
 */
export async function POST(request: NextRequest): Promise<Response> {
  if (!isSameOrigin(request)) return crossOriginRefused();
  const token = request.cookies.get(refreshCookie)?.value;
  if (!token) {
    return clearSessionCookies(problemResponse(401, ErrorCode.UNAUTHENTICATED, 'Unauthorized', 'No session: sign in.'));
  }
  const browserId = browserIdFor(request);
  const outcome = await refreshSession(request, token, browserId);
  if (outcome.ok) return sessionResponse(200, outcome.user, outcome.tokens, browserId);
  const response = relayFailure(outcome.error);
  return outcome.error.status === 401 || outcome.error.status === 403 ? clearSessionCookies(response) : response;
}
