import { apiBaseUrl } from '../../lib/config.ts';

export const dynamic = 'force-dynamic';

/**
 * GET /healthz: the web app answers (always 200 while it runs) and says whether the API is ready,
 * for the admin overview and for whoever started the web app.
 */
export async function GET(): Promise<Response> {
  let api: { status: number | null; body: unknown } = { status: null, body: null };
  try {
    const response = await fetch(`${apiBaseUrl()}/health/ready`, { cache: 'no-store', signal: AbortSignal.timeout(3_000) });
    api = { status: response.status, body: await response.json().catch(() => null) };
  } catch {
    api = { status: null, body: null };
  }
  return Response.json(
    { web: 'ok', api: { reachable: api.status !== null, ready: api.status === 200, details: api.body } },
    { headers: { 'cache-control': 'no-store' } },
  );
}
