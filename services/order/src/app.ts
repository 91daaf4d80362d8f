import { fileURLToPath } from 'node:url';
import {
  Address,
  Cart,
  CartItem,
  CheckoutPreview,
  CheckoutSettings,
  Order,
  OrderItem,
  OrderPage,
  OrderReturn,
  OrderReturnList,
  OrderStatus,
  OrderTaxLine,
  PaymentStatus,
  Promotion,
  PromotionPage,
  ShippingMethod,
  ShippingMethodList,
  ShippingOption,
  ShippingOptionList,
  ShippingRate,
  ShippingZone,
  ShippingZoneList,
  TaxRate,
  TaxRateList,
  type OrderPayments,
  type PaymentProvider,
  type StockReservations,
} from '@dema/contracts';
import { type OutboxRelay, platformMigrations, runMigrations, type Infrastructure, type ServiceModule } from '@dema/platform';
import { CartStore } from './db/cart.store.ts';
import { Carts } from './carts.ts';
import { CheckoutConfiguration } from './checkout-configuration.ts';
import { seedDemoCheckoutConfiguration } from './db/seed-demo.ts';
import { Orders } from './orders.ts';
import { Checkout } from './checkout.ts';
import { checkoutRoutes } from './routes/checkout.routes.ts';
import { InternalClient } from './internal-client.ts';
import { HttpOrderPayments } from './payment-client.ts';
import { HttpStockReservations } from './stock-client.ts';
import { orderRoutes } from './routes/orders.routes.ts';
import { cartRoutes } from './routes/cart.routes.ts';
import { shippingRoutes } from './routes/shipping.routes.ts';
import { taxRateRoutes } from './routes/tax-rates.routes.ts';
import { promotionRoutes } from './routes/promotions.routes.ts';
import { checkoutSettingsRoutes } from './routes/checkout-settings.routes.ts';
import { Returns } from './returns.ts';
import { returnRoutes } from './routes/returns.routes.ts';
import { consumePaymentEvents } from './events/payment-events.ts';

// What the all-in-one process's tests reach in: the orders, the returns and the carts' store.
export { Orders } from './orders.ts';
export { CartStore } from './db/cart.store.ts';
export { Checkout } from './checkout.ts';

const migrations = { scope: 'order', dir: fileURLToPath(new URL('./db/migrations/', import.meta.url)) };
/** The migration that creates the checkout configuration: the demo's is loaded when it has just run. */
const checkoutConfigurationMigration = 'order/0005_checkout_configuration.sql';
/** How often unfinished placements, pending returns and orders unpaid past their time are looked for (placements count as stale after 30 s). */
const sweepIntervalMs = 5_000;

export interface OrderServiceOptions {
  /**
   * The Product service's stock reservations. In the all-in-one process, its catalog itself (no
   * network hop); absent → over HTTP to the instances in DEMA_UPSTREAM_PRODUCT.
   */
  stock?: StockReservations;
  /**
   * The Payment service's port. In the all-in-one process, its use cases themselves; absent → over
   * HTTP to the instances in DEMA_UPSTREAM_PAYMENT.
   */
  payments?: OrderPayments;
}

/**
 * The Order service (seed: Order Service, Order DB): carts (in the cache, seed `user-cart`),
 * orders and their items in its own database, stock reserved in the Product service and the
 * payment opened in the Payment service by a saga,
 * ORDER_CREATED and ORDER_STATUS_CHANGED through its outbox; and the store's checkout configuration
 * (shipping zones and methods, tax rates, promotions, checkout settings), which it applies to orders.
 */
export async function createOrderService(
  infra: Infrastructure,
  options: OrderServiceOptions = {},
): Promise<ServiceModule & { orders: Orders; returns: Returns; relay: OutboxRelay }> {
  const db = await infra.database('order');
  const applied = await runMigrations(db, [platformMigrations, migrations]);
  const log = infra.log.child({ service: 'order' });
  if (infra.config.demoData && applied.includes(checkoutConfigurationMigration) && (await seedDemoCheckoutConfiguration(db))) {
    log.info('loaded the demo checkout configuration');
  }
  const upstream = (service: 'product' | 'payment') => new InternalClient(service, infra.config.upstreams[service] ?? [], infra.config.serviceToken, log);
  const stock = options.stock ?? new HttpStockReservations(upstream('product'));
  const payments = options.payments ?? new HttpOrderPayments(upstream('payment'));
  // The Payment service reads the same settings: Stripe is offered exactly when it can take cards.
  const paymentProviders: PaymentProvider[] = infra.config.stripe ? ['manual', 'stripe'] : ['manual'];
  const relay = infra.outboxRelay(db, log);
  const cartStore = new CartStore(infra.redis, infra.config.cartTtlSeconds);
  const checkout = new Checkout(db, stock);
  const orders = new Orders(db, stock, payments, relay, cartStore, checkout, log, { paymentProviders });
  const carts = new Carts(cartStore, stock);
  const returns = new Returns(db, stock, payments, relay, log);
  const configuration = new CheckoutConfiguration(db);
  let sweeper: NodeJS.Timeout | undefined;
  return {
    name: 'order',
    orders,
    returns,
    relay,
    schemas: [
      OrderStatus,
      PaymentStatus,
      OrderItem,
      OrderTaxLine,
      Address,
      Order,
      OrderPage,
      CartItem,
      Cart,
      ShippingOption,
      ShippingOptionList,
      CheckoutPreview,
      ShippingZone,
      ShippingZoneList,
      ShippingRate,
      ShippingMethod,
      ShippingMethodList,
      TaxRate,
      TaxRateList,
      Promotion,
      PromotionPage,
      CheckoutSettings,
      OrderReturn,
      OrderReturnList,
    ],
    async routes(app) {
      await orderRoutes(app, orders);
      await cartRoutes(app, carts);
      await checkoutRoutes(app, checkout, orders);
      await shippingRoutes(app, configuration);
      await taxRateRoutes(app, configuration);
      await promotionRoutes(app, configuration);
      await checkoutSettingsRoutes(app, configuration, { paymentProviders, stripePublishableKey: infra.config.stripe?.publishableKey ?? null });
      await returnRoutes(app, returns);
    },
    start() {
      relay.start();
      sweeper = setInterval(() => {
        orders.sweepStalePlacements().catch((err: unknown) => log.error({ err }, 'sweeping unfinished placements failed'));
        returns.finishPendingReturns().catch((err: unknown) => log.error({ err }, 'finishing pending returns failed'));
        orders.cancelUnpaidOrders().catch((err: unknown) => log.error({ err }, 'cancelling unpaid orders failed'));
      }, sweepIntervalMs);
      sweeper.unref();
      consumePaymentEvents(infra.bus, orders).catch((err: unknown) => log.error({ err }, 'order: cannot consume payment events'));
    },
    async close() {
      clearInterval(sweeper);
      await relay.stop();
    },
  };
}
