import { NextResponse, type NextRequest } from 'next/server';
import type { SignupBody } from '@dema/contracts';
import { bffApi, crossOriginRefused, isSameOrigin, relayFailure } from '../../../lib/bff-session.ts';
import { bodyTooLarge, readJsonWithin, signInBodyLimit } from '../../../lib/request-body.ts';

export const dynamic = 'force-dynamic';

/**
 * POST /auth/signup {email, password, name}: asks the API for a customer account and relays its 202,
 * the same for a new and a registered email; the page then signs in through /auth/login.
 */
export async function POST(request: NextRequest): Promise<Response> {
  if (!isSameOrigin(request)) return crossOriginRefused();
  const body = await readJsonWithin(request, signInBodyLimit);
  if (body.tooLarge) return bodyTooLarge(signInBodyLimit);
  try {
    // Relayed as the page sent it: the API validates it and names any bad field.
    const accepted = await bffApi(request).POST('/api/auth/signup', { body: body.value as SignupBody });
    return NextResponse.json(accepted, { status: 202, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return relayFailure(error);
  }
}
