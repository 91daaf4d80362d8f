import Type, { type Static } from 'typebox';
import { Quantity } from './orders.ts';

/**
 * Returns (issue 20: "Returns refund and restock in one step"). An admin returns some or all units
 * of a shipped or delivered order's lines: what those units were paid is refunded through the
 * order's payment, they go back to stock, and once every unit is back the order is RETURNED.
 */

const Uuid = Type.String({ format: 'uuid' });

export const ReturnLineInput = Type.Object(
  { productId: Uuid, variantId: Type.Optional(Type.Union([Uuid, Type.Null()])), quantity: Quantity },
  { additionalProperties: false },
);
export type ReturnLineInput = Static<typeof ReturnLineInput>;

/** `POST /api/orders/{id}/returns`. */
export const CreateOrderReturn = Type.Object(
  {
    lines: Type.Array(ReturnLineInput, { minItems: 1, maxItems: 100 }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type CreateOrderReturn = Static<typeof CreateOrderReturn>;

export const OrderReturnLine = Type.Object({
  productId: Uuid,
  variantId: Type.Union([Uuid, Type.Null()]),
  quantity: Type.Integer(),
  /** What returning these units refunds: their share of what the line was paid. */
  amount: Type.Number(),
});
export type OrderReturnLine = Static<typeof OrderReturnLine>;

export const OrderReturn = Type.Object(
  {
    id: Uuid,
    orderId: Uuid,
    lines: Type.Array(OrderReturnLine),
    /** Σ of the lines' amounts: what was refunded (0 for units that were paid nothing). */
    amount: Type.Number(),
    reason: Type.String(),
    /** The admin who made it. */
    createdBy: Uuid,
    /** The refund of the order's payment; null when nothing was to be refunded. */
    refundId: Type.Union([Uuid, Type.Null()]),
    /** `pending` while the refund and the restock are being made; `completed` once both are. */
    status: Type.Union([Type.Literal('pending'), Type.Literal('completed')]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'OrderReturn' },
);
export type OrderReturn = Static<typeof OrderReturn>;

export const OrderReturnList = Type.Object({ items: Type.Array(Type.Ref('OrderReturn')) }, { $id: 'OrderReturnList' });
export type OrderReturnList = { items: OrderReturn[] };
