import { ErrorCode, problemContentType, problemType } from '@dema/contracts';

/** What the sign-in routes accept: an email, a password and a name fit many times over. */
export const signInBodyLimit = 16 * 1024;

/**
 * The body of `request`, read while counting: null as soon as it proves longer than `limit` bytes
 * (a declared Content-Length above it is refused before reading anything). The rest is left
 * unread; the web server closes such a connection once the answer is out (web-server.ts) rather
 * than take in what the client still sends.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = request.headers.get('content-length');
  if (declared !== null && !(Number(declared) <= limit)) return null;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      // Not cancelled: cancelling destroys the connection before the 413 can be sent on it.
      if (size > limit) return null;
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** The JSON body of `request` within `limit` bytes: `tooLarge` past it, null when it is not JSON. */
export async function readJsonWithin(request: Request, limit: number): Promise<{ tooLarge: true } | { tooLarge: false; value: unknown }> {
  const bytes = await readBodyWithin(request, limit);
  if (bytes === null) return { tooLarge: true };
  try {
    return { tooLarge: false, value: JSON.parse(new TextDecoder().decode(bytes)) as unknown };
  } catch {
    return { tooLarge: false, value: null };
  }
}

/** 413 problem+json, as the API answers a body over its limit. */
export function bodyTooLarge(limit: number): Response {
  return Response.json(
    {
      type: problemType(ErrorCode.BODY_TOO_LARGE),
      title: 'Payload Too Large',
      status: 413,
      code: ErrorCode.BODY_TOO_LARGE,
      detail: `The body exceeds the limit of ${limit} bytes`,
    },
    { status: 413, headers: { 'content-type': problemContentType, 'cache-control': 'no-store' } },
  );
}
