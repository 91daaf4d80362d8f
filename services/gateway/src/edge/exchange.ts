import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

/** An upstream's answer: its body whole when small enough, else as a stream. */
export interface UpstreamResponse {
  statusCode: number;
  /** Field names in lower case; a repeated field (set-cookie) as an array. */
  headers: Record<string, string | string[]>;
  body: Buffer | Readable | undefined;
}

export interface ExchangeOptions {
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
  /** Longest wait for the response headers, and between two body chunks. */
  timeoutMs: number;
  /** A body with a Content-Length up to this is read whole; a larger or unsized one is streamed. */
  bufferLimit: number;
}

/**
 * One request to an upstream instance through undici's dispatcher handler interface. This is the
 * gateway's hot path: the promise-and-stream `request()` API builds a Readable, a parsed header
 * object and several promises per response, which at thousands of proxied reads a second cost more
 * than the proxying. Here a small body (the usual case: a Content-Length under `bufferLimit`) is
 * collected as its chunks arrive and handed over whole — so an instance that dies half-way through
 * it fails the exchange, and the request can still be retried elsewhere — and anything else is
 * passed on as a stream with backpressure. Rejects with undici's errors (`code` UND_ERR_*, or the
 * socket's ECONNREFUSED, ECONNRESET…).
 */
export function exchange(dispatcher: Dispatcher, options: ExchangeOptions): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const noBody = options.method === 'HEAD';
    let statusCode = 0;
    let headers: Record<string, string | string[]> = {};
    let chunks: Buffer[] | undefined;
    let stream: Readable | undefined;
    let settled = false;
    let complete = false;
    let abort: (reason?: Error) => void = () => undefined;
    const settle = (response: UpstreamResponse) => {
      settled = true;
      resolve(response);
    };
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortRequest) {
        abort = abortRequest;
      },
      onHeaders(status, rawHeaders, resume) {
        statusCode = status;
        headers = headerRecord(rawHeaders as unknown as Buffer[]);
        if (noBody || status === 204 || status === 304) {
          chunks = [];
          return true;
        }
        const length = Number(headers['content-length']);
        if (Number.isFinite(length) && length <= options.bufferLimit) {
          chunks = [];
          return true;
        }
        // A client that goes away mid-body destroys the stream: the upstream request ends with it.
        stream = new Readable({
          read: () => resume(),
          destroy: (error, done) => {
            if (!complete) abort(error ?? new Error('client went away'));
            done(error);
          },
        });
        settle({ statusCode, headers, body: stream });
        return true;
      },
      onData(chunk) {
        if (stream) return stream.push(chunk);
        chunks!.push(chunk);
        return true;
      },
      onComplete() {
        complete = true;
        if (stream) {
          stream.push(null);
          return;
        }
        const body = noBody || statusCode === 204 || statusCode === 304 ? undefined : chunks!.length === 1 ? chunks![0]! : Buffer.concat(chunks!);
        settle({ statusCode, headers, body });
      },
      onError(error) {
        complete = true;
        if (!settled) reject(error);
        else stream?.destroy(error);
      },
    };
    dispatcher.dispatch(
      {
        path: options.path,
        method: options.method as Dispatcher.HttpMethod,
        headers: options.headers,
        body: options.body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      },
      handler,
    );
  });
}

/** undici's raw headers (name, value, name, value… as bytes) as a record; set-cookie stays a list. */
function headerRecord(raw: Buffer[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const existing = headers[name];
    if (existing === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else headers[name] = `${existing}, ${value}`;
  }
  return headers;
}
