import { ErrorCode, type Problem } from '@dema/contracts';
import { AppError, forwardedRequest, unavailable } from '@dema/platform';
import type { Logger } from 'pino';

/** What a call to another service may carry besides its body. */
export interface InternalCallOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Calls to another Dema service's instances over HTTP (a cluster), with the service token. Spreads
 * calls over the instances and, when one cannot be reached or fails (5xx), tries the next: safe
 * only because every call made through it is idempotent (by order id, or by its Idempotency-Key).
 * A refusal (4xx) is passed on as the same problem; when no instance answers, a 503 naming the
 * service, so the caller's request fails cleanly rather than half-done.
 */
export class InternalClient {
  private next = 0;

  constructor(
    /** The service called, as its variable and the messages name it (`product`, `payment`). */
    readonly service: string,
    private readonly instances: string[],
    private readonly serviceToken: string | undefined,
    private readonly log: Logger,
    private readonly timeoutMs = 5_000,
  ) {
    if (instances.length === 0) throw new Error(`no ${service} service instance configured (DEMA_UPSTREAM_${service.toUpperCase()})`);
  }

  async call<T>(method: string, path: string, options: InternalCallOptions = {}): Promise<T> {
    const { body } = options;
    let lastError: unknown;
    for (let attempt = 0; attempt < this.instances.length; attempt++) {
      const base = this.instances[this.next++ % this.instances.length]!;
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: {
            ...forwardedRequest(),
            ...options.headers,
            ...(this.serviceToken ? { 'x-dema-service-token': this.serviceToken } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        lastError = error;
        this.log.warn({ err: error, instance: base, path }, `${this.service} service unreachable, trying another instance`);
        continue;
      }
      if (response.ok) return (await response.json()) as T;
      if (response.status < 500) {
        const problem = (await response.json().catch(() => undefined)) as Problem | undefined;
        throw new AppError(
          response.status,
          problem?.code ?? ErrorCode.INTERNAL,
          problem?.detail ?? problem?.title ?? `${this.service} service answered ${response.status}`,
          problem?.invalidParams,
        );
      }
      await response.arrayBuffer().catch(() => undefined);
      lastError = new Error(`${this.service} service answered ${response.status}`);
      this.log.warn({ instance: base, path, status: response.status }, `${this.service} service failed, trying another instance`);
    }
    this.log.error({ err: lastError, path }, `no ${this.service} service instance answered`);
    throw unavailable(`The ${this.service} service cannot be reached right now; nothing was changed. Try again shortly.`, 5);
  }
}
