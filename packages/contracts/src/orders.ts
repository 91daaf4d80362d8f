import Type, { type Static } from 'typebox';
import { AddressRef, type Address } from './addresses.ts';
import type { PaymentProvider, PaymentStatus } from './payments.ts';

/**
 * Order and cart contracts (seed: Order, OrderItem, OrderStatus, the orders table, the order routes,
 * the `user-cart` cache config). Prices on the wire are JSON numbers with two decimals; the service
 * computes them from the Product service at order time and never takes them from the client.
 */

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
// As in payments.ts; a schema of its own there, without a $id to refer to.
const PaymentProviderName = Type.Union([Type.Literal('manual'), Type.Literal('stripe')]);
// Its own module, so that payments.ts (refund lines) and this one (which names payment types) do not import each other.
export { Quantity } from './quantity.ts';
import { Quantity } from './quantity.ts';

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
    /** The promotion's share of this line, rounded to the cent (0 without a promotion). */
    discount: Type.Number(),
    /** Tax charged on this line after its discount, rounded to the cent; inside the price when the store's prices include tax. */
    tax: Type.Number(),
  },
  { $id: 'OrderItem' },
);
export type OrderItem = Static<typeof OrderItem>;

export const OrderTaxLine = Type.Object(
  {
    name: Type.String(),
    /** Percent, as a decimal string with up to three decimals ("8.875"). */
    rate: Type.String(),
    amount: Type.Number(),
    appliesTo: Type.Union([Type.Literal('items'), Type.Literal('shipping')]),
  },
  { $id: 'OrderTaxLine' },
);
export type OrderTaxLine = Static<typeof OrderTaxLine>;

export const Order = Type.Object(
  {
    id: Uuid,
    userId: Uuid,
    status: Type.Ref('OrderStatus'),
    items: Type.Array(Type.Ref('OrderItem')),
    /** What the customer pays: subtotal − discount + shipping, plus tax unless prices include it. */
    total: Type.Number(),
    /** Σ lineTotal, before the discount. */
    subtotal: Type.Number(),
    discountTotal: Type.Number(),
    shippingTotal: Type.Number(),
    /** Tax on the items and on shipping; part of `total` only when `pricesIncludeTax` is false. */
    taxTotal: Type.Number(),
    pricesIncludeTax: Type.Boolean(),
    /** ISO 4217 code of every amount of the order. */
    currency: Type.String(),
    taxLines: Type.Array(Type.Ref('OrderTaxLine')),
    shippingAddress: Type.Union([Type.Ref('Address'), Type.Null()]),
    billingAddress: Type.Union([Type.Ref('Address'), Type.Null()]),
    /** The method charged, as it was named at checkout. */
    shippingMethod: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
    promotionCode: Type.Union([Type.String(), Type.Null()]),
    /** Where the order's payment stands, as the Payment service last reported it; null for orders placed before payments. */
    paymentStatus: Type.Union([Type.Ref('PaymentStatus'), Type.Null()]),
    /** How the order is paid; null for orders placed before payments (and for an order with nothing to pay). */
    paymentProvider: Type.Union([PaymentProviderName, Type.Null()]),
    /** Only in the answer to `POST /api/orders`: what the storefront needs to take the payment. */
    payment: Type.Optional(
      Type.Object({
        provider: PaymentProviderName,
        status: Type.Ref('PaymentStatus'),
        /** Stripe.js confirms the card with it; only to the order's owner, only while the card is still to be authorized. */
        clientSecret: Type.Optional(Type.String()),
      }),
    ),
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
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  taxTotal: number;
  pricesIncludeTax: boolean;
  currency: string;
  taxLines: OrderTaxLine[];
  shippingAddress: Address | null;
  billingAddress: Address | null;
  shippingMethod: { id: string; name: string } | null;
  promotionCode: string | null;
  paymentStatus: PaymentStatus | null;
  paymentProvider: PaymentProvider | null;
  payment?: OrderPaymentSummary;
  createdAt: string;
  updatedAt: string;
};

/** What the answer to `POST /api/orders` says of the order's payment. */
export interface OrderPaymentSummary {
  provider: PaymentProvider;
  status: PaymentStatus;
  clientSecret?: string;
}

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
 * (which is emptied once the order is placed), with where it ships, how, and a promotion code.
 * Send an `Idempotency-Key` header to make retries safe.
 */
export const CreateOrder = Type.Object(
  {
    items: Type.Optional(Type.Array(OrderLineInput, { minItems: 1, maxItems: 100 })),
    fromCart: Type.Optional(Type.Literal(true)),
    shippingAddress: Type.Optional(AddressRef()),
    billingAddress: Type.Optional(AddressRef({ description: 'Omitted: the shipping address' })),
    shippingMethodId: Type.Optional(
      Type.String({ format: 'uuid', description: 'One of the methods `POST /api/checkout/shipping-options` offers for the address' }),
    ),
    promotionCode: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    paymentProvider: Type.Optional(
      Type.Union([Type.Literal('manual'), Type.Literal('stripe')], {
        description: 'How the order is paid: `manual` (default: bank transfer, cash on delivery) or `stripe` (a card, when the store has Stripe)',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Exactly one of `items` or `fromCart: true`. Once the store has shipping zones, `shippingAddress` and `shippingMethodId` are required.',
  },
);
export type CreateOrder = {
  items?: OrderLineInput[];
  fromCart?: true;
  shippingAddress?: Address;
  billingAddress?: Address;
  shippingMethodId?: string;
  promotionCode?: string;
  paymentProvider?: PaymentProvider;
};

/** `POST /api/checkout/shipping-options`: where a cart (or explicit items) would ship. */
export const ShippingOptionsRequest = Type.Object(
  {
    address: AddressRef(),
    items: Type.Optional(Type.Array(OrderLineInput, { minItems: 1, maxItems: 100 })),
    fromCart: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false, description: 'The address, and exactly one of `items` or `fromCart: true`' },
);
export type ShippingOptionsRequest = { address: Address; items?: OrderLineInput[]; fromCart?: true };

export const ShippingOption = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    /** The shipping zone the method belongs to. */
    zone: Type.String(),
    /** What it costs for this cart, before any promotion. */
    amount: Type.Number(),
  },
  { $id: 'ShippingOption' },
);
export type ShippingOption = Static<typeof ShippingOption>;

export const ShippingOptionList = Type.Object({ items: Type.Array(Type.Ref('ShippingOption')) }, { $id: 'ShippingOptionList' });
export type ShippingOptionList = { items: ShippingOption[] };

/** `POST /api/checkout/preview`: what `POST /api/orders` with the same body would charge now. */
export const CheckoutPreview = Type.Object(
  {
    items: Type.Array(Type.Ref('OrderItem')),
    subtotal: Type.Number(),
    discountTotal: Type.Number(),
    shippingTotal: Type.Number(),
    taxTotal: Type.Number(),
    total: Type.Number(),
    pricesIncludeTax: Type.Boolean(),
    currency: Type.String(),
    taxLines: Type.Array(Type.Ref('OrderTaxLine')),
    shippingMethod: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
    promotionCode: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'CheckoutPreview' },
);
export type CheckoutPreview = Pick<
  Order,
  | 'items'
  | 'subtotal'
  | 'discountTotal'
  | 'shippingTotal'
  | 'taxTotal'
  | 'total'
  | 'pricesIncludeTax'
  | 'currency'
  | 'taxLines'
  | 'shippingMethod'
  | 'promotionCode'
>;

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
