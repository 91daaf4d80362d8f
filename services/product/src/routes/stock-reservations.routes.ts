import Type from 'typebox';
import { ReserveStock, ReturnStock } from '@dema/contracts';
import { bodyLimits, problemResponses, type DemaApp } from '@dema/platform';
import type { Catalog } from '../catalog.ts';

const OrderIdParam = Type.Object({ orderId: Type.String({ format: 'uuid' }) });
const ReturnParams = Type.Object({ orderId: Type.String({ format: 'uuid' }), returnId: Type.String({ format: 'uuid' }) });

/**
 * The Order service's saga steps over HTTP, when it runs in another process: reserve (PUT, so a
 * retry of the same order id is the same reservation), release (DELETE) and a return's restock
 * (PUT, idempotent by return id). Service token only;
 * the gateway never forwards `/internal/*`.
 */
export async function stockReservationRoutes(app: DemaApp, catalog: Catalog): Promise<void> {
  app.put(
    '/internal/stock-reservations/:orderId',
    {
      bodyLimit: bodyLimits.medium,
      config: { internal: true },
      schema: { hide: true, params: OrderIdParam, body: ReserveStock, response: { 200: Type.Ref('StockReservation'), ...problemResponses(409, 422) } },
    },
    async (request) => catalog.reserveStock(request.params.orderId, request.body.lines),
  );

  app.delete(
    '/internal/stock-reservations/:orderId',
    { config: { internal: true }, schema: { hide: true, params: OrderIdParam, response: { 200: Type.Ref('StockRelease') } } },
    async (request) => catalog.releaseStock(request.params.orderId),
  );

  app.put(
    '/internal/stock-reservations/:orderId/returns/:returnId',
    {
      bodyLimit: bodyLimits.medium,
      config: { internal: true },
      schema: { hide: true, params: ReturnParams, body: ReturnStock, response: { 200: Type.Ref('StockReturn'), ...problemResponses(404, 409, 422) } },
    },
    async (request) => catalog.returnStock(request.params.orderId, request.params.returnId, request.body.lines),
  );
}
