import type { NextRequest } from 'next/server';
import type { LoginBody } from '@dema/contracts';
import { bffApi, browserIdFor, crossOriginRefused, isSameOrigin, relayFailure, sessionResponse } from '../../../lib/bff-session.ts';
import { bodyTooLarge, readJsonWithin, signInBodyLimit } from '../../../lib/request-body.ts';

export const dynamic = 'force-dynamic';

/** POST /auth/login {email, password}: signs in through the API and sets the refresh cookie. */
export async function POST(request: NextRequest): Promise<Response> {
  if (!isSameOrigin(request)) return crossOriginRefused();
  const body = await readJsonWithin(request, signInBodyLimit);
  if (body.tooLarge) return bodyTooLarge(signInBodyLimit);
  try {
    // Relayed as the page sent it: the API validates it and names any bad field.
    const session = await bffApi(request).POST('/api/auth/login', { body: body.value as LoginBody });
    return sessionResponse(200, session.user, session.tokens, browserIdFor(request));
  } catch (error) {
    return relayFailure(error);
  }
}
