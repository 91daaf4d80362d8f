import Type, { type Static } from 'typebox';

/**
 * Order and cart contracts (seed: Order, OrderItem, OrderStatus, the orders table, the order routes,
 * the `user-cart` cache config). Prices on the wire are JSON numbers with two decimals; the service
 * computes them from the Product service at order time and never takes them from the client.
 */

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
/** Units of one line; bounded so a single order cannot overflow an INT stock column. */
export const Quantity = Type.Integer({ minimum: 1, maximum: 1000 });

/** The seed's `OrderStatus`. */
export const orderStatuses = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'RETURNED'] as const;
export type OrderStatus = (typeof orderStatuses)[number];
export const OrderStatus = Type.Union(
  orderStatuses.map((s) => Type.Literal(s)),
  { $id: 'OrderStatus' },
);

/**
 * The order lifecycle as a transition table: `orderTransitions[from]` lists where an order may go.
 * Who may make a move is in `customerTransitions` (everything else is for admins).
 */
export const orderTransitions: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED', 'RETURNED'],
  DELIVERED: ['RETURNED'],
  CANCELLED: [],
  RETURNED: [],
};

/** A customer may cancel their own order while it has not shipped; every other move is an admin's. */
export const customerTransitions: ReadonlyArray<readonly [OrderStatus, OrderStatus]> = [
  ['PENDING', 'CANCELLED'],
  ['CONFIRMED', 'CANCELLED'],
];

/** The way an order goes when all is well, as clients show its progress; CANCELLED and RETURNED end it early. */
export const fulfilmentPath: readonly OrderStatus[] = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED'];

/** Statuses that put the order's stock back when entered (STOCK_UPDATED, reason RETURN). */
export const restockingStatuses: readonly OrderStatus[] = ['CANCELLED', 'RETURNED'];

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => orderTransitions[from].includes(to);

export const OrderItem = Type.Object(
  {
    productId: Uuid,
    variantId: Type.Union([Uuid, Type.Null()]),
    /** Snapshot of the product (and variant) name when the order was placed. */
    name: Type.String(),
    quantity: Type.Integer(),
    /** Unit price when the order was placed. */
    price: Type.Number(),
    /** price × quantity, exact. */
    lineTotal: Type.Number(),
  },
  { $id: 'OrderItem' },
);
export type OrderItem = Static<typeof OrderItem>;

export const Order = Type.Object(
  {
    id: Uuid,
    userId: Uuid,
    status: Type.Ref('OrderStatus'),
    items: Type.Array(Type.Ref('OrderItem')),
    total: Type.Number(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Order' },
);
export type Order = {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItem[];
  total: number;
  createdAt: string;
  updatedAt: string;
};

export const OrderPage = Type.Object(
  {
    items: Type.Array(Type.Ref('Order')),
    total: Type.Integer({ description: 'Orders matching the filter' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
  },
  { $id: 'OrderPage' },
);
export type OrderPage = { items: Order[]; total: number; limit: number; offset: number };

export const OrderLineInput = Type.Object({ productId: Uuid, variantId: Type.Optional(Uuid), quantity: Quantity }, { additionalProperties: false });
export type OrderLineInput = Static<typeof OrderLineInput>;

/**
 * `POST /api/orders`: explicit `items`, or `{ "fromCart": true }` to check out the caller's cart
 * (which is emptied once the order is placed). Send an `Idempotency-Key` header to make retries safe.
 */
export const CreateOrder = Type.Object(
  {
    items: Type.Optional(Type.Array(OrderLineInput, { minItems: 1, maxItems: 100 })),
    fromCart: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false, description: 'Exactly one of `items` or `fromCart: true`' },
);
export type CreateOrder = { items?: OrderLineInput[]; fromCart?: true };

export const UpdateOrderStatus = Type.Object({ status: OrderStatus }, { additionalProperties: false });
export type UpdateOrderStatus = { status: OrderStatus };

export const OrderListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
    status: Type.Optional(OrderStatus),
  },
  { additionalProperties: false },
);

export const CartItem = Type.Object(
  {
    productId: Uuid,
    variantId: Type.Union([Uuid, Type.Null()]),
    quantity: Type.Integer(),
    /** Current name, unit price and stock from the catalog, read when the cart is shown. */
    name: Type.String(),
    price: Type.Number(),
    lineTotal: Type.Number(),
    image: Type.Union([Type.String(), Type.Null()]),
    available: Type.Integer({ description: 'Units in stock now' }),
  },
  { $id: 'CartItem' },
);
export type CartItem = Static<typeof CartItem>;

export const Cart = Type.Object(
  {
    items: Type.Array(Type.Ref('CartItem')),
    /** Sum of line totals at current prices. */
    subtotal: Type.Number(),
    /** Lines that cannot be checked out as they are (product gone, or more than in stock). */
    problems: Type.Array(Type.Object({ productId: Uuid, variantId: Type.Union([Uuid, Type.Null()]), reason: Type.String() })),
    /** When the cart expires unless touched (seed: user-cart ttl 86400 s). */
    expiresAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'Cart' },
);
export type Cart = {
  items: CartItem[];
  subtotal: number;
  problems: Array<{ productId: string; variantId: string | null; reason: string }>;
  expiresAt: string | null;
};

export const SetCartItem = Type.Object({ quantity: Quantity, variantId: Type.Optional(Uuid) }, { additionalProperties: false });
export type SetCartItem = Static<typeof SetCartItem>;
