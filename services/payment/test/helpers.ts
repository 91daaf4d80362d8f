import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Payment, PaymentOrderLine, Problem } from '@dema/contracts';
import type { DemaConfig } from '@dema/platform';
import { startTestProcess, waitFor, type ServicesOf, type TestProcess, type TestTarget } from '@dema/platform/testing';
import { createUserService } from '@dema/user';
import { createPaymentService } from '../src/app.ts';
import { FakeStripe } from '../test-support/fake-stripe.ts';

/** The Payment service, with the User service to sign an admin and customers in with real tokens. */
const paymentServices = { user: createUserService, payment: createPaymentService };

export const serviceToken = 'payment-test-service-token';

export interface Caller {
  id: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export interface PaymentTestProcess extends TestProcess<ServicesOf<typeof paymentServices>> {
  stripe: FakeStripe;
  admin: Caller;
  customer: Caller;
  newCustomer(): Promise<Caller>;
  anonymous: Caller['request'];
  /** The Order service's calls: `/internal/...` with the service token. */
  internal(method: string, path: string, body?: unknown): Promise<Response>;
  /**
   * Opens a payment for a new order of `userId` and returns it (with its client secret for Stripe);
   * with `lines`, the order's, as the Order service sends them.
   */
  openPayment(userId: string, amount: number, provider: 'manual' | 'stripe', lines?: PaymentOrderLine[]): Promise<Payment>;
  /** Every payment event that reached the bus since the call, in arrival order. */
  recordEvents(): Promise<EventEnvelope[]>;
  /** Publishes what the outbox holds now (rather than waiting for the relay's poll). */
  flushEvents(): Promise<void>;
  count(sql: string, params?: unknown[]): Promise<number>;
}

let callers = 0;
let recorders = 0;

/**
 * The Payment service on `target` with Stripe configured against a local fake (its webhooks
 * delivered to this process's webhook route), an admin and a customer signed in.
 */
export async function startPayments(target: TestTarget, overrides: Partial<DemaConfig> = {}): Promise<PaymentTestProcess> {
  const stripe = await FakeStripe.start();
  const api = new URL(stripe.url);
  const running = await startTestProcess(target, paymentServices, {
    serviceToken,
    stripe: { secretKey: 'sk_test_dema', webhookSecret: stripe.webhookSecret, api: { host: api.hostname, port: Number(api.port), protocol: 'http' } },
    ...overrides,
  }).catch(async (error: unknown) => {
    await stripe.close();
    throw error;
  });
  stripe.webhookUrl = `${running.url}/api/payments/stripe/webhook`;
  const send =
    (headers: Record<string, string>) =>
    async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> =>
      fetch(`${running.url}${path}`, {
        method,
        headers: { ...headers, ...extra, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
  const users = running.services.user;
  const signIn = async (role: 'admin' | 'customer'): Promise<Caller> => {
    const email = `${role}${++callers}-${Date.now()}@payments.dema.dev`;
    const password = 'correct-horse-battery-staple';
    const created = await users.identity.createUser(email, password, role, role);
    const token = (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
    return { id: created.id, request: send({ authorization: `Bearer ${token}` }) };
  };
  const internal = send({ 'x-dema-service-token': serviceToken });
  const relay = running.services.payment.relay;
  return {
    ...running,
    stripe,
    admin: await signIn('admin'),
    customer: await signIn('customer'),
    newCustomer: () => signIn('customer'),
    anonymous: send({}),
    internal,
    async openPayment(userId, amount, provider, lines) {
      const response = await internal('PUT', `/internal/payments/${randomUUID()}`, { userId, amount, currency: 'USD', provider, ...(lines ? { lines } : {}) });
      if (response.status !== 200) throw new Error(`opening a payment: ${response.status} ${await response.text()}`);
      return (await response.json()) as Payment;
    },
    async recordEvents() {
      const seen: EventEnvelope[] = [];
      await running.infra.bus.subscribe(`payment-test-${++recorders}`, ['payment.#'], async (event) => {
        seen.push(event);
      });
      return seen;
    },
    async flushEvents() {
      await relay.drain();
    },
    async count(sql, params = []) {
      const db = await running.infra.database('payment');
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) AS counted`, params);
      return rows[0]!.n;
    },
    async dispose() {
      await running.dispose();
      await stripe.close();
    },
  };
}

/** Reads a JSON answer after checking its status. */
export async function json<T = Payment>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The problem+json body of a refusal, after checking its status and media type. */
export async function problemOf(response: Response, status: number): Promise<Problem> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status} ${text}`);
  if (!response.headers.get('content-type')?.startsWith('application/problem+json')) throw new Error(`not problem+json: ${text}`);
  return JSON.parse(text) as Problem;
}

/** Waits until `seen` holds `n` events (they cross RabbitMQ asynchronously on the real target). */
export async function eventsArrived(seen: EventEnvelope[], n: number): Promise<void> {
  await waitFor(`${n} payment events`, () => seen.length >= n);
}

export { waitFor };
