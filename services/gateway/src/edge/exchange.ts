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
    dispatcher.dispatch(
      {
        path: options.path,
        method: options.method as Dispatcher.HttpMethod,
        headers: options.headers,
        body: options.body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      },
      new ExchangeHandler(options.method === 'HEAD', options.bufferLimit, resolve, reject),
    );
  });
}

/**
 * Receives one upstream answer. A class rather than an object of closures: one allocation per
 * request, its methods shared.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  private statusCode = 0;
  private headers: Record<string, string | string[]> = {};
  private chunks: Buffer[] | undefined;
  private stream: Readable | undefined;
  /** HEAD, 204 or 304: an answer that has no body, whatever its headers say. */
  private bodiless = false;
  private settled = false;
  private complete = false;
  private abort: ((reason?: Error) => void) | undefined;

  constructor(
    private readonly noBody: boolean,
    private readonly bufferLimit: number,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.statusCode = statusCode;
    this.headers = headerRecord(rawHeaders);
    this.bodiless = this.noBody || statusCode === 204 || statusCode === 304;
    const length = Number(this.headers['content-length']);
    if (this.bodiless || (Number.isFinite(length) && length <= this.bufferLimit)) {
      this.chunks = [];
      return true;
    }
    // A client that goes away mid-body destroys the stream: the upstream request ends with it.
    this.stream = new Readable({
      read: () => resume(),
      destroy: (error, done) => {
        if (!this.complete) this.abort?.(error ?? new Error('client went away'));
        done(error);
      },
    });
    this.settle({ statusCode, headers: this.headers, body: this.stream });
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.stream) return this.stream.push(chunk);
    this.chunks!.push(chunk);
    return true;
  }

  onComplete(): void {
    this.complete = true;
    if (this.stream) {
      this.stream.push(null);
      return;
    }
    const chunks = this.chunks!;
    this.settle({
      statusCode: this.statusCode,
      headers: this.headers,
      body: this.bodiless ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
    });
  }

  onError(error: Error): void {
    this.complete = true;
    if (!this.settled) this.reject(error);
    else this.stream?.destroy(error);
  }

  private settle(response: UpstreamResponse): void {
    this.settled = true;
    this.resolve(response);
  }
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
