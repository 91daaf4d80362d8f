import {
  ErrorCode,
  type Product,
  type Problem,
  type StockLine,
  type StockRelease,
  type StockReservation,
  type StockReservations,
  type StockReturn,
} from '@dema/contracts';
import { AppError, unavailable } from '@dema/platform';
import type { Logger } from 'pino';

/**
 * The Product service's stock reservations over HTTP, for an Order service running in its own
 * process. Spreads calls over the product instances and, when one cannot be reached, tries the next:
 * safe because reserving and releasing are idempotent by order id. A refusal (409/422) is passed on
 * as the same problem; anything else is a 503 so the order is not placed.
 */
export class HttpStockReservations implements StockReservations {
  private next = 0;

  constructor(
    private readonly instances: string[],
    private readonly serviceToken: string | undefined,
    private readonly log: Logger,
    private readonly timeoutMs = 5_000,
  ) {
    if (instances.length === 0) throw new Error('no Product service instance configured (DEMA_UPSTREAM_PRODUCT)');
  }

  reserveStock(orderId: string, lines: StockLine[]): Promise<StockReservation> {
    return this.call<StockReservation>('PUT', `/internal/stock-reservations/${orderId}`, { lines });
  }

  releaseStock(orderId: string): Promise<StockRelease> {
    return this.call<StockRelease>('DELETE', `/internal/stock-reservations/${orderId}`);
  }

  returnStock(orderId: string, returnId: string, lines: StockLine[]): Promise<StockReturn> {
    return this.call<StockReturn>('PUT', `/internal/stock-reservations/${orderId}/returns/${returnId}`, { lines });
  }

  async getProduct(productId: string): Promise<Product | undefined> {
    try {
      return await this.call<Product>('GET', `/api/products/${productId}`);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.instances.length; attempt++) {
      const base = this.instances[this.next++ % this.instances.length]!;
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: {
            ...(this.serviceToken ? { 'x-dema-service-token': this.serviceToken } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        lastError = error;
        this.log.warn({ err: error, instance: base, path }, 'product service unreachable, trying another instance');
        continue;
      }
      if (response.ok) return (await response.json()) as T;
      if (response.status < 500) {
        const problem = (await response.json().catch(() => undefined)) as Problem | undefined;
        throw new AppError(
          response.status,
          problem?.code ?? ErrorCode.INTERNAL,
          problem?.detail ?? problem?.title ?? `product service answered ${response.status}`,
          problem?.invalidParams,
        );
      }
      lastError = new Error(`product service answered ${response.status}`);
      this.log.warn({ instance: base, path, status: response.status }, 'product service failed, trying another instance');
    }
    this.log.error({ err: lastError, path }, 'no product service instance answered');
    throw unavailable('The catalog cannot be reached right now; nothing was ordered. Try again shortly.', 5);
  }
}
