import Type, { type Static } from 'typebox';
import type { Product } from './catalog.ts';

/**
 * What the Order service asks of the Product service: reserve the stock of a whole order at once,
 * release it again. Implemented in-process by the Product service's catalog (embedded mode) and over
 * HTTP on its `/internal/stock-reservations` routes (cluster mode); the gateway never forwards
 * `/internal/*`.
 */

const Uuid = Type.String({ format: 'uuid' });

export const StockLine = Type.Object(
  { productId: Uuid, variantId: Type.Union([Uuid, Type.Null()]), quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
  { additionalProperties: false },
);
export type StockLine = Static<typeof StockLine>;

export const ReserveStock = Type.Object({ lines: Type.Array(StockLine, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false });
export type ReserveStock = Static<typeof ReserveStock>;

/** A reserved line with the catalog's name, unit price and weight at the moment of reservation. */
export const ReservedLine = Type.Object({
  productId: Uuid,
  variantId: Type.Union([Uuid, Type.Null()]),
  quantity: Type.Integer(),
  name: Type.String(),
  /** Unit price, DECIMAL as a string ("19.90") so no float ever touches money. */
  unitPrice: Type.String(),
  /**
   * Weight of one unit in grams: the variant's own, else its product's. Optional because
   * reservations recorded before products had a weight (Product migration 0008) lack it, and a
   * replay returns them as they were recorded: a reader treats a missing weight as 0.
   */
  weightGrams: Type.Optional(Type.Integer({ minimum: 0, description: 'Grams per unit; absent on reservations made before weights existed: read as 0' })),
});
export type ReservedLine = Static<typeof ReservedLine>;

export const StockReservation = Type.Object({ orderId: Uuid, lines: Type.Array(ReservedLine) }, { $id: 'StockReservation' });
export type StockReservation = { orderId: string; lines: ReservedLine[] };

export const StockRelease = Type.Object({ orderId: Uuid, released: Type.Boolean() }, { $id: 'StockRelease' });
export type StockRelease = Static<typeof StockRelease>;

/** `PUT /internal/stock-reservations/:orderId/returns/:returnId`: units of the order given back. */
export const ReturnStock = Type.Object({ lines: Type.Array(StockLine, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false });
export type ReturnStock = Static<typeof ReturnStock>;

/**
 * A return's restock: `restocked` is false when the order's reservation had been released before
 * (cancelled, RETURNED): that release already put the units back.
 */
export const StockReturn = Type.Object({ orderId: Uuid, returnId: Uuid, restocked: Type.Boolean() }, { $id: 'StockReturn' });
export type StockReturn = Static<typeof StockReturn>;

export interface StockReservations {
  /**
   * Reserves every line of order `orderId` or none (409 INSUFFICIENT_STOCK naming the short
   * products). Idempotent by order id: a repeat returns the first reservation and reserves nothing
   * more; after a release it is refused (409), so a late retry cannot resurrect a cancelled order.
   */
  reserveStock(orderId: string, lines: StockLine[]): Promise<StockReservation>;
  /**
   * Puts the reserved stock of `orderId` back (STOCK_UPDATED reason RETURN). Idempotent: a second
   * release, or one for an order never reserved, changes nothing (`released: false`) and blocks any
   * later reservation under that id.
   */
  releaseStock(orderId: string): Promise<StockRelease>;
  /**
   * Puts back `lines` of order `orderId` that a customer returned (STOCK_UPDATED reason RETURN), as
   * return `returnId`: idempotent by return id (a repeat restocks nothing more). A later release of
   * the order puts back only what was not returned; a return after the release restocks nothing
   * (`restocked: false`). Lines beyond what the order reserved and has not returned are refused
   * (422 naming `lines.N.quantity` or `lines.N.productId`), restocking nothing.
   */
  returnStock(orderId: string, returnId: string, lines: StockLine[]): Promise<StockReturn>;
  /** The catalog's current view of a product (price, stock, variants), or undefined. */
  getProduct(productId: string): Promise<Product | undefined>;
}
