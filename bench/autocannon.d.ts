// Minimal typing for the parts of autocannon 9 that the bench uses. autocannon ships no types and
// @types/autocannon describes v7; delete this file if that package is ever added.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      method?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds a request may take before it counts as a timeout (default 10). */
      timeout?: number;
      headers?: Record<string, string>;
      body?: string;
      pipelining?: number;
      workers?: number;
      /** Requests each connection cycles through; `setupRequest` may rewrite one just before it is sent. */
      requests?: Array<{
        method?: string;
        path?: string;
        headers?: Record<string, string>;
        body?: string;
        setupRequest?: (request: RequestParams, context: Record<string, unknown>) => RequestParams;
      }>;
      /** Each connection's `context` starts as a copy of this. */
      initialContext?: Record<string, unknown>;
      /** A run with the same options, discarded, before the measured one. */
      warmup?: { connections?: number; duration?: number };
    }

    interface RequestParams {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    }

    /** hdr-histogram-percentiles-obj: only these fixed percentiles, no p95. */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total?: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
    }

    interface Result {
      url: string;
      connections: number;
      /** Seconds, measured by autocannon (includes connection set-up). */
      duration: number;
      /** Connection errors and timeouts (a timeout is counted in both). */
      errors: number;
      timeouts: number;
      /** Responses whose status is not 2xx. */
      non2xx: number;
      '2xx': number;
      latency: Histogram;
      /** `total`: completed responses of any status; `sent`: requests written. */
      requests: Histogram & { sent: number };
      statusCodeStats: Record<string, { count: number }>;
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
      /** Emitted for every response of the measured run (not the warm-up). */
      on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }
  }

  function autocannon(opts: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
