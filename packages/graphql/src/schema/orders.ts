import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
} from 'graphql';
import {
  orderStatuses,
  paymentProviders,
  paymentStatuses,
  type Cart as CartDocument,
  type CartItem as CartItemDocument,
  type Order as OrderDocument,
  type OrderItem as OrderItemDocument,
  type OrderPage,
  type OrderStatus as OrderStatusName,
} from '@dema/contracts';
import type { GraphqlContext } from '../context.ts';
import { argumentError } from '../errors.ts';
import { Product } from './catalog.ts';
import { User } from './identity.ts';
import { connectionOf, PageInfo, pageWindow, queryString } from './pagination.ts';
import { DateTime } from './scalars.ts';
import { listOf, nonNull, segment } from './wrappers.ts';

/** The seed's `OrderStatus`, from the contracts' list. */
export const OrderStatus = new GraphQLEnumType({
  name: 'OrderStatus',
  values: Object.fromEntries(orderStatuses.map((status) => [status, { value: status }])),
});

/** The product of a line, as the catalog has it now; null once it is no longer sold. */
const lineProduct = {
  type: Product,
  resolve: (line: { productId: string }, _args: unknown, context: GraphqlContext) => context.loaders.product.load(line.productId),
};

export const OrderItem = new GraphQLObjectType<OrderItemDocument, GraphqlContext>({
  name: 'OrderItem',
  fields: {
    productId: { type: nonNull(GraphQLID) },
    variantId: { type: GraphQLID },
    product: lineProduct,
    name: { type: nonNull(GraphQLString), description: 'The product (and variant) name when the order was placed' },
    quantity: { type: nonNull(GraphQLInt) },
    price: { type: nonNull(GraphQLFloat), description: 'Unit price when the order was placed' },
    lineTotal: { type: nonNull(GraphQLFloat) },
    discount: { type: nonNull(GraphQLFloat), description: "The promotion's share of this line" },
    tax: { type: nonNull(GraphQLFloat), description: 'Tax on this line after its discount (inside it when prices include tax)' },
  },
});

const addressFields = {
  firstName: { type: nonNull(GraphQLString) },
  lastName: { type: nonNull(GraphQLString) },
  company: { type: GraphQLString },
  line1: { type: nonNull(GraphQLString) },
  line2: { type: GraphQLString },
  city: { type: nonNull(GraphQLString) },
  region: { type: GraphQLString, description: 'ISO 3166-2 subdivision without the country prefix ("CA")' },
  postalCode: { type: GraphQLString },
  country: { type: nonNull(GraphQLString), description: 'ISO 3166-1 alpha-2' },
  phone: { type: GraphQLString },
};

export const Address = new GraphQLObjectType({ name: 'Address', fields: addressFields });
const AddressInput = new GraphQLInputObjectType({ name: 'AddressInput', fields: addressFields });

const OrderTaxLine = new GraphQLObjectType({
  name: 'OrderTaxLine',
  fields: {
    name: { type: nonNull(GraphQLString) },
    rate: { type: nonNull(GraphQLString), description: 'Percent, up to three decimals' },
    amount: { type: nonNull(GraphQLFloat) },
    appliesTo: { type: nonNull(GraphQLString), description: '`items` or `shipping`' },
  },
});

const ShippingMethodRef = new GraphQLObjectType({
  name: 'OrderShippingMethod',
  fields: { id: { type: nonNull(GraphQLID) }, name: { type: nonNull(GraphQLString) } },
});

/** Where an order's payment stands (the contracts' `PaymentStatus`). */
export const PaymentStatus = new GraphQLEnumType({
  name: 'PaymentStatus',
  values: Object.fromEntries(paymentStatuses.map((s) => [s.toUpperCase(), { value: s }])),
});

/** How an order is paid (the contracts' `PaymentProvider`). */
export const PaymentProvider = new GraphQLEnumType({
  name: 'PaymentProvider',
  values: Object.fromEntries(paymentProviders.map((p) => [p.toUpperCase(), { value: p }])),
});

/** The seed's `Order`, exactly its fields and nullability, and the user's id; then what checkout charged. */
export const Order = new GraphQLObjectType<OrderDocument, GraphqlContext>({
  name: 'Order',
  fields: {
    id: { type: nonNull(GraphQLID) },
    user: { type: nonNull(User), resolve: (order, _args, context) => context.loaders.user.load(order.userId) },
    items: { type: nonNull(listOf(OrderItem)) },
    status: { type: nonNull(OrderStatus) },
    total: { type: nonNull(GraphQLFloat) },
    createdAt: { type: nonNull(DateTime) },
    updatedAt: { type: nonNull(DateTime) },
    userId: { type: nonNull(GraphQLID) },
    subtotal: { type: nonNull(GraphQLFloat) },
    discountTotal: { type: nonNull(GraphQLFloat) },
    shippingTotal: { type: nonNull(GraphQLFloat) },
    taxTotal: { type: nonNull(GraphQLFloat), description: 'Part of total only when pricesIncludeTax is false' },
    pricesIncludeTax: { type: nonNull(GraphQLBoolean) },
    currency: { type: nonNull(GraphQLString) },
    taxLines: { type: nonNull(listOf(OrderTaxLine)) },
    shippingAddress: { type: Address },
    billingAddress: { type: Address },
    shippingMethod: { type: ShippingMethodRef },
    promotionCode: { type: GraphQLString },
    paymentStatus: { type: PaymentStatus, description: 'As the Payment service last reported it; null for orders placed before payments' },
    paymentProvider: { type: PaymentProvider, description: 'Null for orders placed before payments' },
  },
});

const OrderEdge = new GraphQLObjectType({ name: 'OrderEdge', fields: { cursor: { type: nonNull(GraphQLString) }, node: { type: nonNull(Order) } } });

export const OrderConnection = new GraphQLObjectType({
  name: 'OrderConnection',
  fields: {
    edges: { type: nonNull(listOf(OrderEdge)) },
    pageInfo: { type: nonNull(PageInfo) },
    totalCount: { type: nonNull(GraphQLInt) },
  },
});

export const CartItem = new GraphQLObjectType<CartItemDocument, GraphqlContext>({
  name: 'CartItem',
  fields: {
    productId: { type: nonNull(GraphQLID) },
    variantId: { type: GraphQLID },
    product: lineProduct,
    quantity: { type: nonNull(GraphQLInt) },
    name: { type: nonNull(GraphQLString) },
    price: { type: nonNull(GraphQLFloat), description: 'The unit price now' },
    lineTotal: { type: nonNull(GraphQLFloat) },
    image: { type: GraphQLString },
    available: { type: nonNull(GraphQLInt), description: 'Units in stock now' },
  },
});

const CartProblem = new GraphQLObjectType({
  name: 'CartProblem',
  fields: { productId: { type: nonNull(GraphQLID) }, variantId: { type: GraphQLID }, reason: { type: nonNull(GraphQLString) } },
});

export const Cart = new GraphQLObjectType<CartDocument, GraphqlContext>({
  name: 'Cart',
  fields: {
    items: { type: nonNull(listOf(CartItem)) },
    subtotal: { type: nonNull(GraphQLFloat) },
    problems: { type: nonNull(listOf(CartProblem)), description: 'Lines that cannot be checked out as they are' },
    expiresAt: { type: DateTime },
  },
});

const OrderLineInput = new GraphQLInputObjectType({
  name: 'OrderLineInput',
  fields: { productId: { type: nonNull(GraphQLID) }, variantId: { type: GraphQLID }, quantity: { type: nonNull(GraphQLInt) } },
});

const PlaceOrderInput = new GraphQLInputObjectType({
  name: 'PlaceOrderInput',
  description:
    'Exactly one of items or fromCart: true (which empties the cart once the order is placed); once the store has shipping zones, a shippingAddress and a shippingMethodId',
  fields: {
    items: { type: listOf(OrderLineInput) },
    fromCart: { type: GraphQLBoolean },
    shippingAddress: { type: AddressInput },
    billingAddress: { type: AddressInput, description: 'Omitted: the shipping address' },
    shippingMethodId: { type: GraphQLID },
    promotionCode: { type: GraphQLString },
  },
});

interface OrdersArgs {
  userId?: string | null;
  status?: OrderStatusName | null;
  first: number;
  after?: string | null;
}

const ordersQueryFields = { rename: { 'query.limit': 'first', 'query.offset': 'after', 'path.userId': 'userId' } };
const cartLineFields = { rename: { 'path.productId': 'productId' } };

export const orderQueries: GraphQLFieldConfigMap<unknown, GraphqlContext> = {
  order: {
    type: Order,
    description: "A customer sees only their own orders (another's is ORDER_NOT_FOUND)",
    args: { id: { type: nonNull(GraphQLID) } },
    resolve: (_root, args: { id: string }, context) => context.rest.call('GET', `/api/orders/${segment(args.id, 'id')}`),
  },
  orders: {
    type: OrderConnection,
    description: "A customer's own orders; every order, or one user's, for an admin. Newest first",
    args: {
      userId: { type: GraphQLID },
      status: { type: OrderStatus },
      first: { type: GraphQLInt, defaultValue: 20 },
      after: { type: GraphQLString },
    },
    resolve: async (_root, args: OrdersArgs, context) => {
      const { limit, offset } = pageWindow(args.first, args.after);
      const query = queryString({ limit, offset, status: args.status });
      const path = args.userId != null ? `/api/orders/user/${segment(args.userId, 'userId')}` : '/api/orders';
      return connectionOf(await context.rest.call<OrderPage>('GET', `${path}${query}`, { fields: ordersQueryFields }));
    },
  },
  cart: { type: Cart, description: "The caller's cart", resolve: (_root, _args, context) => context.rest.call('GET', '/api/cart') },
};

interface CartLineArgs {
  productId: string;
  quantity: number;
  variantId?: string | null;
}

const setCartLine = (context: GraphqlContext, args: CartLineArgs, quantity: number) =>
  context.rest.call<CartDocument>('PUT', `/api/cart/items/${segment(args.productId, 'productId')}`, {
    body: { quantity, ...(args.variantId != null ? { variantId: args.variantId } : {}) },
    fields: cartLineFields,
  });

export const orderMutations: GraphQLFieldConfigMap<unknown, GraphqlContext> = {
  addToCart: {
    type: Cart,
    description: 'Adds quantity units of the product (or variant) to those already in the cart',
    args: { productId: { type: nonNull(GraphQLID) }, quantity: { type: nonNull(GraphQLInt) }, variantId: { type: GraphQLID } },
    resolve: async (_root, args: CartLineArgs, context) => {
      // Adding nothing or a negative amount is not adding (it would take units out of the line).
      if (args.quantity < 1) throw argumentError('quantity', 'must be >= 1');
      const cart = await context.rest.call<CartDocument>('GET', '/api/cart');
      // REST keys lines by the lower-case uuids: the same ids in capitals are the same line.
      const productId = args.productId.toLowerCase();
      const variantId = args.variantId?.toLowerCase() ?? null;
      const line = cart.items.find((item) => item.productId === productId && (item.variantId ?? null) === variantId);
      return setCartLine(context, args, (line?.quantity ?? 0) + args.quantity);
    },
  },
  updateCartItem: {
    type: Cart,
    description: 'Sets the quantity of a product (or variant) in the cart',
    args: { productId: { type: nonNull(GraphQLID) }, quantity: { type: nonNull(GraphQLInt) }, variantId: { type: GraphQLID } },
    resolve: (_root, args: CartLineArgs, context) => setCartLine(context, args, args.quantity),
  },
  removeFromCart: {
    type: Cart,
    description: 'Removes the line of the product in variantId, or every line of the product when variantId is absent',
    args: { productId: { type: nonNull(GraphQLID) }, variantId: { type: GraphQLID } },
    resolve: (_root, args: { productId: string; variantId?: string | null }, context) =>
      context.rest.call(
        'DELETE',
        `/api/cart/items/${segment(args.productId, 'productId')}${args.variantId != null ? `?variantId=${encodeURIComponent(args.variantId)}` : ''}`,
        {
          fields: cartLineFields,
        },
      ),
  },
  clearCart: {
    type: Cart,
    resolve: async (_root, _args, context) => {
      await context.rest.call('DELETE', '/api/cart');
      return context.rest.call('GET', '/api/cart');
    },
  },
  placeOrder: {
    type: Order,
    description: 'Prices come from the catalog; all items are reserved or none. The same idempotencyKey and input return the first order',
    args: { input: { type: nonNull(PlaceOrderInput) }, idempotencyKey: { type: nonNull(GraphQLString) } },
    resolve: (_root, args: { input: Record<string, unknown>; idempotencyKey: string }, context) =>
      context.rest.call('POST', '/api/orders', {
        body: args.input,
        headers: { 'idempotency-key': args.idempotencyKey },
        fields: { body: 'input', rename: { 'header.idempotency-key': 'idempotencyKey' } },
      }),
  },
  changeOrderStatus: {
    type: Order,
    description: 'Admins make every move; a customer may cancel their own order until it ships',
    args: { id: { type: nonNull(GraphQLID) }, status: { type: nonNull(OrderStatus) } },
    resolve: (_root, args: { id: string; status: OrderStatusName }, context) =>
      context.rest.call('PUT', `/api/orders/${segment(args.id, 'id')}/status`, { body: { status: args.status } }),
  },
};
