import { randomUUID } from 'node:crypto';
import {
  routingKeys,
  type DemaEventType,
  type EventEnvelope,
  type OrderCreatedEvent,
  type OrderStatus,
  type PaymentRefundedEvent,
  type ProductDeletedEvent,
  type StockUpdatedEvent,
  type StockUpdateReason,
  type OrderStatusChangedEvent,
} from '@dema/contracts';
import { createEvent, MemoryBus, PgliteHost, platformMigrations, PostgresDb, runMigrations, type Db, type DemaConfig } from '@dema/platform';
import { createDatabase, startTestProcess, waitFor, type ServicesOf, type TestProcess, type TestTarget } from '@dema/platform/testing';
import { createUserService } from '@dema/user';
import { analyticsMigrations, createAnalyticsService, type AnalyticsService } from '../src/app.ts';
import type { Analytics } from '../src/analytics.ts';

export interface Reply {
  status: number;
  contentType: string;
  body: any;
}

/** The Analytics service, with the User service to sign the admin and customer in. */
const analyticsServices = { user: createUserService, analytics: createAnalyticsService };

export interface AnalyticsTestProcess extends TestProcess<ServicesOf<typeof analyticsServices>> {
  analyticsService: AnalyticsService;
  /** Which bus carries the events: the in-process one, or RabbitMQ on a real target that has it. */
  busKind: 'memory' | 'rabbitmq';
  admin(path: string): Promise<Reply>;
  customer(path: string): Promise<Reply>;
  anonymous(path: string): Promise<Reply>;
  /** Any request, JSON body and reply, as the admin, the customer or nobody; `headers` added to it. */
  send(as: 'admin' | 'customer' | 'anonymous', method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** The signed-in users' ids. */
  userIds: { admin: string; customer: string };
  /** Publishes on the process's bus under the event type's routing key (or `routingKey`). */
  publish(event: EventEnvelope, routingKey?: string): Promise<void>;
  /**
   * Waits until the consumer has finished `deliveries` more deliveries than it had when `mark` was
   * taken (counted, history-only or duplicate) — on RabbitMQ, handling is asynchronous to publish.
   */
  mark(): Promise<number>;
  settled(mark: number, deliveries: number): Promise<void>;
  db(): Promise<Db>;
  /** Rows of an analytics table. */
  count(table: string): Promise<number>;
}

export async function startAnalytics(target: TestTarget, overrides: Partial<DemaConfig> = {}): Promise<AnalyticsTestProcess> {
  const running = await startTestProcess(target, analyticsServices, overrides);
  const users = running.services.user;
  const analyticsService = running.services.analytics;
  const userIds = { admin: '', customer: '' };
  const login = async (email: string, role: 'admin' | 'customer') => {
    const password = 'correct-horse-battery-staple';
    userIds[role] = (await users.identity.createUser(email, password, role, role)).id;
    return (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
  };
  const adminToken = await login('admin@test.dema.dev', 'admin');
  const customerToken = await login('customer@test.dema.dev', 'customer');
  const tokens = { admin: adminToken, customer: customerToken, anonymous: undefined };
  const send = async (as: keyof typeof tokens, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const token = tokens[as];
    const response = await fetch(`${running.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
  };
  const get = (as: keyof typeof tokens) => (path: string) => send(as, 'GET', path);
  const consumed = async (): Promise<number> => {
    const metric = running.infra.metrics.registry.getSingleMetric('dema_analytics_events_total');
    const { values } = await metric!.get();
    return values.filter((v) => v.labels.outcome !== 'failed').reduce((n, v) => n + v.value, 0);
  };
  const db = () => running.infra.database('analytics');
  return {
    ...running,
    analyticsService,
    busKind: running.infra.bus instanceof MemoryBus ? 'memory' : 'rabbitmq',
    admin: get('admin'),
    customer: get('customer'),
    anonymous: get('anonymous'),
    send,
    userIds,
    publish: (event, routingKey) => running.infra.bus.publish(event, routingKey ?? routingKeys[event.type as DemaEventType] ?? 'system.test'),
    mark: consumed,
    async settled(mark, deliveries) {
      await waitFor(`${deliveries} deliveries handled by analytics`, async () => (await consumed()) >= mark + deliveries, 20_000);
    },
    db,
    async count(table) {
      const { rows } = await (await db()).query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0]!.n;
    },
  };
}

/** An empty analytics database of the same kind as the target's, as on a new installation. */
export async function freshDatabase(target: TestTarget): Promise<{ db: Db; dispose(): Promise<void> }> {
  if (target.name === 'embedded') {
    const host = await PgliteHost.open();
    return { db: host.database('analytics'), dispose: () => host.close() };
  }
  const { url, drop } = await createDatabase();
  const db = new PostgresDb(url, 'analytics', 4);
  return {
    db,
    async dispose() {
      await db.close();
      await drop();
    },
  };
}

let orders = 0;
/** A fresh order id, distinct across the file. */
export function nextOrderId(): string {
  orders += 1;
  return `00000000-0000-4000-a000-${String(orders).padStart(12, '0')}`;
}

export const users = {
  ada: 'b3c1f0de-1111-4000-8000-000000000001',
  bob: 'b3c1f0de-1111-4000-8000-000000000002',
};

export const products = {
  kettle: 'a1a1a1a1-2222-4000-8000-000000000001',
  mug: 'a1a1a1a1-2222-4000-8000-000000000002',
  tea: 'a1a1a1a1-2222-4000-8000-000000000003',
};

export function orderCreated(input: {
  orderId?: string;
  userId?: string;
  items: Array<{ productId: string; quantity: number; price: number }>;
  total?: number;
  timestamp: string;
  /** The checkout breakdown (issue 20); without it the event has the shape of an order placed before. */
  breakdown?: Pick<OrderCreatedEvent['payload'], 'subtotal' | 'discountTotal' | 'shippingTotal' | 'taxTotal' | 'pricesIncludeTax' | 'currency'>;
}): OrderCreatedEvent {
  // The total the order service would send; given explicitly where a test needs an odd one.
  const cents = input.items.reduce((n, i) => n + Math.round(i.price * 100) * i.quantity, 0);
  return createEvent<OrderCreatedEvent>('ORDER_CREATED', {
    orderId: input.orderId ?? nextOrderId(),
    userId: input.userId ?? users.ada,
    items: input.items,
    total: input.total ?? cents / 100,
    timestamp: input.timestamp,
    ...input.breakdown,
  });
}

/** A refund of `amount` on `order`; `refundId` given to announce the same refund again. */
export function paymentRefunded(order: OrderCreatedEvent, amount: number, timestamp: string, refundId: string = randomUUID()): PaymentRefundedEvent {
  return createEvent<PaymentRefundedEvent>('PAYMENT_REFUNDED', {
    paymentId: order.payload.orderId.replace(/^0/, '9'),
    orderId: order.payload.orderId,
    userId: order.payload.userId,
    provider: 'manual',
    currency: 'USD',
    refundId,
    amount,
    amountRefunded: amount,
    fullyRefunded: false,
    reason: 'test',
    lines: null,
    timestamp,
  });
}

export function statusChanged(order: OrderCreatedEvent, oldStatus: OrderStatus, newStatus: OrderStatus, timestamp: string): OrderStatusChangedEvent {
  return createEvent<OrderStatusChangedEvent>('ORDER_STATUS_CHANGED', {
    orderId: order.payload.orderId,
    userId: order.payload.userId,
    oldStatus,
    newStatus,
    timestamp,
  });
}

export function stockUpdated(productId: string, oldStock: number, newStock: number, reason: StockUpdateReason, timestamp: string): StockUpdatedEvent {
  return createEvent<StockUpdatedEvent>('STOCK_UPDATED', { productId, oldStock, newStock, reason, timestamp });
}

export function productDeleted(productId: string, name: string, timestamp: string): ProductDeletedEvent {
  return createEvent<ProductDeletedEvent>('PRODUCT_DELETED', { productId, name, timestamp });
}

/** Every report over `range`, as the Analytics service computes them: what a replay must reproduce. */
export async function allReports(analytics: Analytics, range: { from: string; to: string }) {
  return {
    day: await analytics.revenue({ ...range, interval: 'day' }),
    week: await analytics.revenue({ ...range, interval: 'week' }),
    month: await analytics.revenue({ ...range, interval: 'month' }),
    summary: await analytics.summary(range),
    sales: await analytics.sales(range),
    topByUnits: await analytics.topProducts({ ...range, by: 'units', limit: 100 }),
    topByRevenue: await analytics.topProducts({ ...range, by: 'revenue', limit: 100 }),
    byStatus: await analytics.ordersByStatus(range),
    movements: await analytics.stockMovements(range),
    lowStock: await analytics.lowStock({ threshold: 1_000_000, limit: 500 }),
  };
}

/** A fresh database with the analytics schema (platform and analytics migrations run). */
export async function migratedDatabase(target: TestTarget): Promise<{ db: Db; dispose(): Promise<void> }> {
  const fresh = await freshDatabase(target);
  await runMigrations(fresh.db, [platformMigrations, analyticsMigrations]);
  return fresh;
}

/** Webhook retries as the delivery tests want them: the next attempt a minute on, never disabled. */
export const webhookRetry = { retryDelayMs: () => 60_000, disableAfterFailures: 100, disableAfterFailingMs: 0 };

/** A receiver's answer with `responseStatus`, as a delivery attempt records it. */
export const answeredAttempt = (responseStatus: number) => ({ attemptedAt: new Date(), responseStatus, error: null, durationMs: 1 });
