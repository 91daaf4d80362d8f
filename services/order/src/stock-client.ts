import type { Product, StockLine, StockRelease, StockReservation, StockReservations, StockReturn } from '@dema/contracts';
import { AppError } from '@dema/platform';
import type { InternalClient } from './internal-client.ts';

/**
 * The Product service's stock reservations over HTTP, for an Order service running in its own
 * process (`InternalClient`: spread over the product instances, the next one tried when one cannot
 * be reached; safe because reserving and releasing are idempotent by order id). A refusal (409/422)
 * is passed on as the same problem; anything else is a 503 so the order is not placed.
 */
export class HttpStockReservations implements StockReservations {
  constructor(private readonly product: InternalClient) {}

  reserveStock(orderId: string, lines: StockLine[]): Promise<StockReservation> {
    return this.product.call<StockReservation>('PUT', `/internal/stock-reservations/${orderId}`, { body: { lines } });
  }

  releaseStock(orderId: string): Promise<StockRelease> {
    return this.product.call<StockRelease>('DELETE', `/internal/stock-reservations/${orderId}`);
  }

  returnStock(orderId: string, returnId: string, lines: StockLine[]): Promise<StockReturn> {
    return this.product.call<StockReturn>('PUT', `/internal/stock-reservations/${orderId}/returns/${returnId}`, { body: { lines } });
  }

  async getProduct(productId: string): Promise<Product | undefined> {
    try {
      return await this.product.call<Product>('GET', `/api/products/${productId}`);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return undefined;
      throw error;
    }
  }
}
