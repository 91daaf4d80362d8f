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
 * Most values (arrays, objects, their members) a JSON body may have; the largest valid body, a
 * product with 100 variants of 20 options each, has about 2,800. What a body of many tiny values
 * costs is JSON.parse building them: a megabyte of `{},{},…` is 350,000 objects and 150–300 ms of
 * CPU, where a megabyte of text in a few strings costs a few milliseconds.
 */
export const maxJsonValues = 10_000;

/**
 * What is wrong with the shape of JSON `text`, if anything: nested deeper than `limits.depth`, or
 * more than `limits.values` values. One pass over the characters, no recursion, strings skipped (a
 * bracket or comma inside one does not count), stopping at the first limit passed. It does not
 * check the JSON is well-formed; JSON.parse does that after, on a body now known to be cheap to build.
 */
export function jsonShapeProblem(
  text: string,
  limits: { depth: number; values: number } = { depth: maxJsonDepth, values: maxJsonValues },
): 'too-deep' | 'too-many-values' | undefined {
  let depth = 0;
  // Each container opened and each comma starts one more value.
  let values = 0;
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
      if (++depth > limits.depth) return 'too-deep';
      if (++values > limits.values) return 'too-many-values';
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
    else if (c === 0x2c /* , */ && ++values > limits.values) return 'too-many-values';
  }
  return undefined;
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
  // `readableEnded` too: a request made by `inject` ends without ever being `complete`.
  if (request.complete || request.readableEnded) return Promise.resolve(true);
  if (request.destroyed) return Promise.resolve(false);
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

/**
 * The keys, from the root, of the first place in parsed JSON `value` that could reach an object's
 * prototype once the value is merged or spread somewhere: a `__proto__` key, or a `constructor` key
 * holding an object with a `prototype`. Undefined when there is none. Breadth first, no recursion;
 * a body is at most `maxJsonValues` values, so the walk stays cheap.
 */
export function prototypeKeyPath(value: unknown): string[] | undefined {
  let level: Array<[unknown, string[]]> = [[value, []]];
  while (level.length > 0) {
    const next: Array<[unknown, string[]]> = [];
    for (const [node, path] of level) {
      if (node === null || typeof node !== 'object') continue;
      if (Object.hasOwn(node, '__proto__')) return [...path, '__proto__'];
      const ctor = (node as { constructor?: unknown }).constructor;
      if (Object.hasOwn(node, 'constructor') && ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype'))
        return [...path, 'constructor', 'prototype'];
      for (const [key, child] of Object.entries(node)) next.push([child, [...path, key]]);
    }
    level = next;
  }
  return undefined;
}
