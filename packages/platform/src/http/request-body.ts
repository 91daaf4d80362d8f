import type { IncomingMessage } from 'node:http';

/**
 * Body limits a route picks from (Fastify's route option `bodyLimit`); the process's
 * DEMA_BODY_LIMIT stays the ceiling of every one. Sized so the largest valid body of the routes
 * that use them fits, even written with `\uXXXX` escapes throughout.
 */
export const bodyLimits = {
  /** Credentials, a cart line, an order status, a stock adjustment. */
  small: 16 * 1024,
  /** An order of 100 lines, a category with its 10,000-character description, a stock reservation. */
  medium: 64 * 1024,
} as const;

/** Deepest nesting of arrays and objects a JSON body may have; the deepest valid body has 4. */
export const maxJsonDepth = 32;

/**
 * The nesting depth `text` reaches, or `limit + 1` as soon as it goes past `limit`: one pass over
 * the characters, no recursion, strings skipped (a bracket inside one does not count). It does not
 * check the JSON is well-formed; `JSON.parse` does that after, on a body now known to be shallow.
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip to the closing quote, stepping over escapes.
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return deepest;
}

/** How much of a refused body is read (and dropped) before the answer, so the client can read it. */
export const drainLimits = { bytes: 16 * 1024 * 1024, ms: 5_000 } as const;

/**
 * Reads what is left of `request`'s body and drops it, up to `drainLimits`; resolves true once the
 * body has ended, false when a limit stopped it (the connection must then close). An answer sent
 * before the client has finished sending makes Node close the socket with the rest of the body
 * unread, and the client, still writing, gets a reset (EPIPE) instead of the answer: draining first
 * lets a client that sends without `Expect: 100-continue` read its 413.
 */
export function drainRequest(request: IncomingMessage, limits: { bytes: number; ms: number } = drainLimits): Promise<boolean> {
  if (request.complete || request.destroyed) return Promise.resolve(request.complete);
  return new Promise((resolve) => {
    let read = 0;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onError);
      if (!ended) request.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > limits.bytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = () => finish(false);
    const timer = setTimeout(() => finish(false), limits.ms);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    request.once('close', onError);
    request.resume();
  });
}
