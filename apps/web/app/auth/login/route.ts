import type { NextRequest } from 'next/server';
import type { Session } from '@dema/contracts';
import { apiUnreachable, browserIdFor, callApi, crossOriginRefused, isSameOrigin, relayFailure, sessionResponse } from '../../../lib/bff-session.ts';
import { bodyTooLarge, readJsonWithin, signInBodyLimit } from '../../../lib/request-body.ts';

export const dynamic = 'force-dynamic';

/** POST /auth/login {email, password}: signs in through the API and sets the refresh cookie. */
export async function POST(request: NextRequest): Promise<Response> {
  if (!isSameOrigin(request)) return crossOriginRefused();
  const body = await readJsonWithin(request, signInBodyLimit);
  if (body.tooLarge) return bodyTooLarge(signInBodyLimit);
  const answer = await callApi(request, '/api/auth/login', { method: 'POST', body: body.value });
  if (answer === null) return apiUnreachable();
  if (answer.status !== 200) return relayFailure(answer);
  const session = answer.body as Session;
  return sessionResponse(200, session.user, session.tokens, browserIdFor(request));
}
