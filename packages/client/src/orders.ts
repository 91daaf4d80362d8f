import type { CreateOrder, Order, OrderStatus } from '@dema/contracts';
import { createClient, type Client as GraphqlWsClient } from 'graphql-ws/client';
import type { DemaClient } from './client.ts';
import { DemaApiError } from './errors.ts';

/**
 * A fresh Idempotency-Key (a random UUID from `globalThis.crypto`). Browsers, Node and Hermes with
 * a crypto polyfill all have one; without `crypto.getRandomValues` there is no safe key to make.
 */
export function newIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  if (typeof crypto?.getRandomValues !== 'function') throw new Error('newIdempotencyKey needs globalThis.crypto (install a crypto polyfill)');
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Places an order (POST /api/orders) under one Idempotency-Key, the given one or a new one: the
 * client's retries (429, 503) resend it with the same key, so the order is placed at most once. Pass
 * the same key again to retry a call whose outcome is unknown (the API answers the first outcome).
 */
export async function placeOrder(client: DemaClient, body: CreateOrder, options: { idempotencyKey?: string } = {}): Promise<Order> {
  const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
  return (await client.POST('/api/orders', { body, params: { header: { 'idempotency-key': idempotencyKey } } })) as Order;
}

/** The subscription `watchOrderStatus` runs over WebSocket at /graphql (graphql-transport-ws). */
export const orderStatusSubscription = `subscription OrderStatusChanged($orderId: ID!) {
  orderStatusChanged(orderId: $orderId) { orderId status previousStatus changedAt }
}`;

/** A WebSocket constructor as the platform has it (browsers, React Native) or a package provides it (Node). */
export type WebSocketImpl = unknown;

export interface WatchOrderStatusOptions {
  /** The WebSocket to use when the platform has none (Node 20): the `ws` package's default export, for instance. */
  webSocketImpl?: WebSocketImpl;
  /** How often to ask for the order when polling (default 5 000 ms). */
  pollMs?: number;
  /**
   * How often to ask for the order while the subscription is live (default 30 000 ms): the subscription
   * is best effort (a change made while the server was cut off from its broker is not sent).
   */
  reconcileMs?: number;
  /** A failure that ends the watch (the order is not the caller's, the session is over). Transient ones are retried. */
  onError?: (error: DemaApiError) => void;
}

/**
 * Calls `onStatus` with the order's status now, then with each change, until the returned function is
 * called. Live over the GraphQL subscription `orderStatusChanged` when a WebSocket is available;
 * otherwise — or once the socket fails — by asking GET /api/orders/{id} every `pollMs`. A status is
 * reported once when it is reached; an answer of GET that a live change overtook is dropped as stale.
 */
export function watchOrderStatus(
  client: DemaClient,
  orderId: string,
  onStatus: (status: OrderStatus) => void,
  options: WatchOrderStatusOptions = {},
): () => void {
  const pollMs = options.pollMs ?? 5_000;
  const reconcileMs = options.reconcileMs ?? 30_000;
  let stopped = false;
  let last: OrderStatus | undefined;
  let changesSeen = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let intervalMs: number | undefined;
  let socket: GraphqlWsClient | undefined;

  const report = (status: OrderStatus) => {
    if (stopped || status === last) return;
    last = status;
    onStatus(status);
  };
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    void socket?.dispose();
  };

  /** Asks REST for the order; a failure that asking again will not mend ends the watch. */
  const askRest = async () => {
    const seen = changesSeen;
    try {
      const order = (await client.GET('/api/orders/{id}', { params: { path: { id: orderId } } })) as Order;
      if (seen === changesSeen) report(order.status);
    } catch (error) {
      if (!(error instanceof DemaApiError)) throw error;
      const lasting = error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
      if (lasting && !stopped) {
        stop();
        options.onError?.(error);
      }
    }
  };
  /** Asks now, then every `every` ms (a later call changes the pace). */
  const askEvery = (every: number) => {
    if (stopped || intervalMs === every) return;
    intervalMs = every;
    if (timer) clearTimeout(timer);
    const tick = async () => {
      await askRest();
      if (!stopped && intervalMs === every) timer = setTimeout(tick, every);
    };
    void tick();
  };

  const WebSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  if (WebSocketImpl === undefined) {
    askEvery(pollMs);
    return stop;
  }
  socket = createClient({
    url: webSocketUrl(client.baseUrl),
    webSocketImpl: WebSocketImpl,
    connectionParams: async () => {
      const token = await client.auth?.accessToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    lazy: true,
    retryAttempts: 0,
  });
  // Connected: the status now (and now and then, should the feed miss a change).
  socket.on('connected', () => askEvery(reconcileMs));
  socket.subscribe<{ orderStatusChanged: { status: OrderStatus } }>(
    { query: orderStatusSubscription, variables: { orderId } },
    {
      next: ({ data }) => {
        if (!data) return;
        changesSeen++;
        report(data.orderStatusChanged.status);
      },
      // The socket failed or the subscription was refused: polling goes on, and REST's answer says
      // whether the refusal is for good (another's order, no session).
      error: () => askEvery(pollMs),
      complete: () => askEvery(pollMs),
    },
  );
  return stop;
}

/** ws(s)://…/graphql of the API at `baseUrl` (a relative base is the page's own origin). */
function webSocketUrl(baseUrl: string): string {
  const location = (globalThis as { location?: { href: string } }).location;
  const url = new URL(`${baseUrl}/graphql`, location?.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
