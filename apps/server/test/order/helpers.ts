import type { CreateProduct, EventEnvelope, Order, Problem, Product } from '@dema/contracts';
import { startTestProcess, type ServicesOf, type TestProcess, type TestTarget } from '@dema/platform/testing';
import type { DemaConfig } from '@dema/platform';
import type { Catalog } from '@dema/product';
import { createUserService } from '@dema/user';
import type { Orders } from '@dema/order';
import { FakeStripe } from '@dema/payment/testing';
import { productAndOrderServices } from '../../src/services.ts';

/** A signed-in user of a test process, with requests made as them. */
export interface TestUser {
  id: string;
  token: string;
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** The User, Product and Order services, composed as in the all-in-one process. */
const orderServices = () => ({ user: createUserService, ...productAndOrderServices() });

export interface OrderTestProcess extends TestProcess<ServicesOf<ReturnType<typeof orderServices>>> {
  admin: TestUser;
  customer: TestUser;
  /** Signs up another customer. */
  newCustomer(): Promise<TestUser>;
  anonymous(method: string, url: string, body?: unknown): Promise<Response>;
  createProduct(input?: Partial<CreateProduct>): Promise<Product>;
  product(id: string): Promise<Product>;
  placeOrder(user: TestUser, items: Array<{ productId: string; variantId?: string; quantity: number }>, headers?: Record<string, string>): Promise<Response>;
  orders: Orders;
  catalog: Catalog;
  /** Every event of `types` that reached the bus from the moment of the call, in arrival order. */
  recordEvents(consumer: string, bindings: string[]): Promise<EventEnvelope[]>;
  /** Rows of a table in the order, product or payment database. */
  count(service: 'order' | 'product' | 'payment', sql: string, params?: unknown[]): Promise<number>;
  /** The rows of a query on the order or product database, to see what was (not) written. */
  query<Row = Record<string, unknown>>(service: 'order' | 'product' | 'payment', sql: string, params?: unknown[]): Promise<Row[]>;
}

let customers = 0;
let signIns = 0;

/**
 * User, Product and Order services in one process on `target` (the all-in-one composition: orders
 * reserve stock through the catalog in-process), with an admin and a customer signed in.
 */
export async function startOrderService(target: TestTarget, overrides: Partial<DemaConfig> = {}): Promise<OrderTestProcess> {
  const running = await startTestProcess(target, orderServices(), overrides);
  const users = running.services.user;
  const orders = running.services.order.orders;
  const send =
    (token: string | undefined) =>
    async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${running.url}${url}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
  const signIn = async (email: string, role: 'admin' | 'customer'): Promise<TestUser> => {
    const password = 'correct-horse-battery-staple';
    const created = await users.identity.createUser(email, password, role, role);
    // An address of its own per sign-in: a test signing in a hundred shoppers at once is not a password guesser.
    const address = `10.1.${(signIns >> 8) & 255}.${signIns++ & 255}`;
    const token = (await users.identity.login(email, password, address)).tokens.accessToken;
    return { id: created.id, token, request: send(token) };
  };
  const admin = await signIn('admin@test.dema.dev', 'admin');
  const customer = await signIn('customer@test.dema.dev', 'customer');
  const category = (await (await admin.request('POST', '/api/categories', { name: 'Everything' })).json()) as { id: string };
  const subscriptions: string[] = [];
  return {
    ...running,
    admin,
    customer,
    orders,
    catalog: running.services.product.catalog,
    newCustomer: () => signIn(`customer${++customers}-${Date.now()}@test.dema.dev`, 'customer'),
    anonymous: send(undefined),
    async createProduct(input = {}) {
      const body = { name: 'Test product', price: 10, categoryId: category.id, ...(input.variants ? {} : { stock: 5 }), ...input };
      const response = await admin.request('POST', '/api/products', body);
      if (response.status !== 201) throw new Error(`creating a product: ${response.status} ${await response.text()}`);
      return (await response.json()) as Product;
    },
    async product(id) {
      const response = await send(undefined)('GET', `/api/products/${id}`);
      return (await response.json()) as Product;
    },
    placeOrder: (user, items, headers) => user.request('POST', '/api/orders', { items }, headers),
    async recordEvents(consumer, bindings) {
      const seen: EventEnvelope[] = [];
      subscriptions.push(consumer);
      await running.infra.bus.subscribe(consumer, bindings, async (event) => {
        seen.push(event);
      });
      return seen;
    },
    async count(service, sql, params = []) {
      const db = await running.infra.database(service);
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) AS counted`, params);
      return rows[0]!.n;
    },
    async query<Row>(service: 'order' | 'product' | 'payment', sql: string, params: unknown[] = []) {
      const db = await running.infra.database(service);
      return (await db.query<Row>(sql, params)).rows;
    },
  };
}

/**
 * The services with Stripe configured against a local fake, signing in as `secretKey`; the fake's
 * webhooks go to this process.
 */
export async function startWithStripe(target: TestTarget, secretKey: string): Promise<{ dema: OrderTestProcess; stripe: FakeStripe }> {
  const stripe = await FakeStripe.start();
  const api = new URL(stripe.url);
  const dema = await startOrderService(target, {
    stripe: {
      secretKey,
      webhookSecret: stripe.webhookSecret,
      publishableKey: 'pk_test_dema',
      api: { host: api.hostname, port: Number(api.port), protocol: 'http' },
    },
  }).catch(async (error: unknown) => {
    await stripe.close();
    throw error;
  });
  stripe.webhookUrl = `${dema.url}/api/payments/stripe/webhook`;
  return { dema, stripe };
}

/** A request that must be refused, and how. */
export interface Refusal {
  what: string;
  send(): Promise<Response>;
  status: number;
  code: string;
  /** The fields the problem must name (exactly these). */
  fields: string[];
}

/** The problem+json body of a refusal, after checking its status and media type. */
export const problemOf = async (response: Response, status: number): Promise<Problem> => {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status} ${text}`);
  if (!response.headers.get('content-type')?.startsWith('application/problem+json'))
    throw new Error(`not problem+json: ${response.headers.get('content-type')}`);
  return JSON.parse(text) as Problem;
};

export const orderOf = async (response: Response): Promise<Order> => {
  if (response.status !== 201 && response.status !== 200) throw new Error(`expected an order, got ${response.status} ${await response.text()}`);
  return (await response.json()) as Order;
};
