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

/** A body passed on as it arrives, within a limit (`streamBodyWithin`). */
export interface CountedBody {
  /** The body's bytes, as they come; null for a request without a body. */
  stream: ReadableStream<Uint8Array> | null;
  /** Whether more than the limit came: the stream has then failed, and the rest is left unread. */
  exceeded(): boolean;
  /** Resolves once the body has been read whole (never, when it proved too long or was cut off). */
  ended: Promise<void>;
}

/**
 * The body of `request` as a stream that passes each chunk on as it arrives, for a body too large
 * to hold (a catalog file): null when a declared Content-Length is over `limit`; otherwise the
 * stream fails as soon as more than `limit` bytes came. As with `readBodyWithin`, the rest is left
 * unread for the web server to close the connection on.
 */
export function streamBodyWithin(request: Request, limit: number): CountedBody | null {
  const declared = request.headers.get('content-length');
  if (declared !== null && !(Number(declared) <= limit)) return null;
  let markEnded = (): void => undefined;
  const ended = new Promise<void>((resolve) => {
    markEnded = resolve;
  });
  if (request.body === null) {
    markEnded();
    return { stream: null, exceeded: () => false, ended };
  }
  const reader = request.body.getReader();
  let size = 0;
  let exceeded = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          reader.releaseLock();
          controller.close();
          markEnded();
          return;
        }
        size += value.byteLength;
        if (size > limit) {
          exceeded = true;
          // Not cancelled, for the same reason as in readBodyWithin.
          reader.releaseLock();
          controller.error(new RangeError(`The body exceeds the limit of ${limit} bytes`));
          return;
        }
        controller.enqueue(value);
      },
      // The API answered before taking it all (a refusal): the rest stays unread, as above.
      cancel() {
        try {
          reader.releaseLock();
        } catch {
          // A read still pending keeps the lock on older runtimes; the request is left as it is either way.
        }
      },
    },
    // Nothing read ahead of what the API takes: its pace is the client's.
    { highWaterMark: 0 },
  );
  return { stream, exceeded: () => exceeded, ended };
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

/** 413 problem+json, as the API answers a body over its limit; `detail` says why in the route's words. */
export function bodyTooLarge(limit: number, detail = `The body exceeds the limit of ${limit} bytes`): Response {
  return Response.json(
    {
      type: problemType(ErrorCode.BODY_TOO_LARGE),
      title: 'Payload Too Large',
      status: 413,
      code: ErrorCode.BODY_TOO_LARGE,
      detail,
    },
    { status: 413, headers: { 'content-type': problemContentType, 'cache-control': 'no-store' } },
  );
}
