import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';
import { behindProxies, realTarget, startTestProcess, testTargets, waitFor, type Outages, type TestProcess } from '@dema/platform/testing';
import { createUserService, type UserService } from '@dema/user';
import { allInOneServices, gatewayModules, productAndOrderServices } from '../../src/services.ts';
import { startAllInOne, type AllInOne, type AllInOneServices } from '../support/all-in-one.ts';
import { openSubscriptions as openSubscriptionsAt } from '../support/metrics.ts';
import { failure, graphql } from './client.ts';
import { nextPayload, refusal, wsClient } from './ws-client.ts';

/**
 * `orderStatusChanged` over WebSocket (graphql-transport-ws, the graphql-ws client): fed by the
 * Order service's ORDER_STATUS_CHANGED events through the process's own feed on the bus, checked
 * against REST's `GET /api/orders/:id` when subscribing — on the all-in-one process of each target,
 * and in cluster mode across two gateway instances.
 */

const password = 'correct-horse-battery-staple';
const serviceToken = 'subscription-test-service-token-3f1a';
const generous = { limit: 100_000, windowSeconds: 60 };
const policies = { rateLimits: { auth: generous, read: generous, write: generous } };

const subscription = `subscription($orderId: ID!) {
  orderStatusChanged(orderId: $orderId) { orderId status previousStatus changedAt order { id status total user { id } } }
}`;

interface Change {
  orderStatusChanged: {
    orderId: string;
    status: string;
    previousStatus: string | null;
    changedAt: string;
    order: { id: string; status: string; total: number; user: { id: string } } | null;
  };
}

type Role = 'admin' | 'customer' | 'other';

/** REST as a client of `url` sees it. */
function restOf(url: string) {
  return async (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
}

/** The process's open subscriptions, from its Prometheus scrape. */
const openSubscriptions = (url: string): Promise<number> => openSubscriptionsAt(url, serviceToken);

/** Signs up admin, customer and other on `users`, and puts a product on sale through REST at `url`. */
async function shop(users: UserService, url: string, label: string) {
  const tokens = {} as Record<Role, string>;
  const ids = {} as Record<Role, string>;
  for (const [name, role] of [
    ['admin', 'admin'],
    ['customer', 'customer'],
    ['other', 'customer'],
  ] as const) {
    const email = `${name}-${label}@subscriptions.dema.dev`;
    ids[name] = (await users.identity.createUser(email, password, `The ${name}`, role)).id;
    tokens[name] = (await users.identity.login(email, password, '127.0.0.1')).tokens.accessToken;
  }
  const rest = restOf(url);
  const category = await rest('POST', '/api/categories', tokens.admin, { name: `Live ${label}` });
  assert.equal(category.status, 201, JSON.stringify(category.body));
  const product = await rest('POST', '/api/products', tokens.admin, { name: `Kettle ${label}`, price: 30, stock: 100, categoryId: category.body.id });
  assert.equal(product.status, 201, JSON.stringify(product.body));
  const placeOrder = async (token: string) => {
    const placed = await rest('POST', '/api/orders', token, { items: [{ productId: product.body.id, quantity: 1 }] }, { 'idempotency-key': randomUUID() });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    return placed.body.id as string;
  };
  const changeStatus = async (orderId: string, status: string, token = tokens.admin) => {
    const changed = await rest('PUT', `/api/orders/${orderId}/status`, token, { status });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
  };
  return { tokens, ids, rest, placeOrder, changeStatus };
}

for (const target of testTargets()) {
  describe(`GraphQL subscription orderStatusChanged (${target.name})`, () => {
    let dema: AllInOne<AllInOneServices>;
    let world: Awaited<ReturnType<typeof shop>>;
    const clients: Client[] = [];
    const client = (options: Parameters<typeof wsClient>[1]) => {
      const made = wsClient(dema.url, options);
      clients.push(made);
      return made;
    };
    /** Subscribes and waits until the process holds the subscription, so that no change is made before it. */
    const subscribed = async (made: Client, orderId: string) => {
      const before = await openSubscriptions(dema.url);
      const iterator = made.iterate<Change>({ query: subscription, variables: { orderId } });
      await waitFor('the subscription to be open', async () => (await openSubscriptions(dema.url)) > before);
      return iterator;
    };

    before(async () => {
      dema = await startAllInOne(target, allInOneServices(), policies, { serviceToken });
      world = await shop(dema.services.user, dema.url, target.name);
    });
    after(async () => {
      for (const made of clients) await made.dispose();
      await dema?.dispose();
    });

    test('a customer (token in connection_init) sees each status change of their order, with the previous status, when, and the order', async () => {
      const orderId = await world.placeOrder(world.tokens.customer);
      const changes = await subscribed(client({ token: world.tokens.customer }), orderId);
      await world.changeStatus(orderId, 'CONFIRMED');
      const first = (await nextPayload(changes)).orderStatusChanged;
      assert.deepEqual(
        { ...first, changedAt: undefined },
        {
          orderId,
          status: 'CONFIRMED',
          previousStatus: 'PENDING',
          changedAt: undefined,
          order: { id: orderId, status: 'CONFIRMED', total: 30, user: { id: world.ids.customer } },
        },
      );
      assert.ok(Math.abs(Date.parse(first.changedAt) - Date.now()) < 60_000, first.changedAt);
      await world.changeStatus(orderId, 'SHIPPED');
      const second = (await nextPayload(changes)).orderStatusChanged;
      assert.deepEqual([second.previousStatus, second.status, second.order?.status], ['CONFIRMED', 'SHIPPED', 'SHIPPED']);
      await changes.return?.();
      await waitFor('the subscription to be closed', async () => (await openSubscriptions(dema.url)) === 0);
    });

    test("the token may come as the upgrade request's Authorization header; the customer's own cancellation shows too", async () => {
      const orderId = await world.placeOrder(world.tokens.customer);
      const changes = await subscribed(client({ headerToken: world.tokens.customer }), orderId);
      await world.changeStatus(orderId, 'CANCELLED', world.tokens.customer);
      const change = (await nextPayload(changes)).orderStatusChanged;
      assert.deepEqual([change.previousStatus, change.status, change.order?.user.id], ['PENDING', 'CANCELLED', world.ids.customer]);
      await changes.return?.();
    });

    test("another order's changes are not shown; an admin may watch any order", async () => {
      const watched = await world.placeOrder(world.tokens.customer);
      const unwatched = await world.placeOrder(world.tokens.customer);
      const changes = await subscribed(client({ token: world.tokens.admin }), watched);
      await world.changeStatus(unwatched, 'CONFIRMED');
      await world.changeStatus(watched, 'CONFIRMED');
      const change = (await nextPayload(changes)).orderStatusChanged;
      assert.deepEqual([change.orderId, change.status], [watched, 'CONFIRMED']);
      await changes.return?.();
    });

    test("a customer may not watch another's order, nor an anonymous visitor any: REST's codes", async () => {
      const orderId = await world.placeOrder(world.tokens.customer);
      const otherCode = (await world.rest('GET', `/api/orders/${orderId}`, world.tokens.other)).body.code;
      const [forbidden] = await refusal(client({ token: world.tokens.other }).iterate({ query: subscription, variables: { orderId } }));
      assert.equal(forbidden?.extensions.code, otherCode);
      assert.equal(otherCode, 'ORDER_NOT_FOUND', "another's order is not found, as REST has it");
      const [anonymous] = await refusal(client({}).iterate({ query: subscription, variables: { orderId } }));
      assert.equal(anonymous?.extensions.code, 'UNAUTHENTICATED');
      assert.equal(await openSubscriptions(dema.url), 0, 'a refused subscription leaves no watcher behind');
    });

    test('bad input: a malformed order id names orderId; an unknown field is refused before anything runs', async () => {
      const ws = client({ token: world.tokens.customer });
      const [malformed] = await refusal(ws.iterate({ query: subscription, variables: { orderId: 'not-an-id' } }));
      const restAnswer = await world.rest('GET', '/api/orders/not-an-id', world.tokens.customer);
      assert.equal(malformed?.extensions.code, restAnswer.body.code);
      assert.equal(malformed?.extensions.field, 'orderId', JSON.stringify(malformed));
      const [unknown] = await refusal(ws.iterate({ query: 'subscription { orderStatusChanged(orderId: "x") { colour } }' }));
      assert.equal(unknown?.extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    });

    test('over HTTP a subscription is refused as invalid (400); a refused token gets no WebSocket but a 401, and the connection ends', async () => {
      const answer = await graphql(dema.url, subscription, { variables: { orderId: randomUUID() }, token: world.tokens.customer });
      assert.equal(answer.status, 400);
      assert.match(failure(answer, 'GRAPHQL_VALIDATION_FAILED').message, /WebSocket/);
      const status = await new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${dema.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
          headers: { authorization: 'Bearer not-a-token' },
        });
        socket.on('unexpected-response', (request, response) => {
          // Not ended here: the server must end the refused upgrade's connection itself, or it stays
          // open unread and holds the server's close.
          response.resume();
          request.socket?.once('close', () => resolve(response.statusCode ?? 0));
        });
        socket.on('open', () => {
          socket.close();
          reject(new Error('the WebSocket opened'));
        });
        socket.on('error', reject);
        setTimeout(() => reject(new Error("the server kept the refused upgrade's connection open")), 5_000).unref();
      });
      assert.equal(status, 401);
    });
  });
}

const real = realTarget();

describe('GraphQL subscription orderStatusChanged across two gateway instances (cluster mode)', { skip: real ? false : 'needs the real servers' }, () => {
  let services: TestProcess<{ user: UserService }>;
  let gateways: RunningGateway[];
  let world: Awaited<ReturnType<typeof shop>>;
  const clients: Client[] = [];

  before(async () => {
    services = await startTestProcess(real!, { user: createUserService, ...productAndOrderServices() }, { serviceToken });
    const config = services.infra.config;
    const upstreams = { user: [services.url], product: [services.url], order: [services.url] };
    const start = () =>
      startTestGateway(
        { redis: config.redis, amqpUrl: config.amqpUrl, amqpNamespace: config.amqpNamespace, amqpQueueExpiresMs: 60_000, serviceToken },
        { upstreams, policies: { ...policies, rateLimitAllowlist: ['127.0.0.0/8', '::1'] }, modules: gatewayModules() },
      );
    gateways = [await start(), await start()];
    world = await shop(services.services.user, gateways[1]!.url, 'cluster');
  });
  after(async () => {
    for (const made of clients) await made.dispose();
    for (const gateway of gateways ?? []) await gateway.close();
    await services?.dispose();
  });

  test('subscribed on one gateway, the change made through the other arrives', async () => {
    const orderId = await world.placeOrder(world.tokens.customer);
    const [first, second] = gateways as [RunningGateway, RunningGateway];
    const ws = wsClient(first.url, { token: world.tokens.customer });
    clients.push(ws);
    const changes = ws.iterate<Change>({ query: subscription, variables: { orderId } });
    await waitFor('the subscription to be open on the first gateway', async () => (await openSubscriptions(first.url)) === 1);
    assert.equal(await openSubscriptions(second.url), 0);

    await restOf(second.url)('PUT', `/api/orders/${orderId}/status`, world.tokens.admin, { status: 'CONFIRMED' });
    const change = (await nextPayload(changes)).orderStatusChanged;
    assert.deepEqual(
      { ...change, changedAt: undefined },
      {
        orderId,
        status: 'CONFIRMED',
        previousStatus: 'PENDING',
        changedAt: undefined,
        order: { id: orderId, status: 'CONFIRMED', total: 30, user: { id: world.ids.customer } },
      },
    );
  });

  test("a customer may not watch another's order through a gateway either", async () => {
    const orderId = await world.placeOrder(world.tokens.customer);
    const ws = wsClient(gateways[0]!.url, { headerToken: world.tokens.other });
    clients.push(ws);
    const [error] = await refusal(ws.iterate({ query: subscription, variables: { orderId } }));
    assert.equal(error?.extensions.code, 'ORDER_NOT_FOUND');
  });
});

describe('GraphQL subscription orderStatusChanged when RabbitMQ goes away and comes back', { skip: real ? false : 'needs the real servers' }, () => {
  let outages: Outages;
  let dema: AllInOne<AllInOneServices>;
  let world: Awaited<ReturnType<typeof shop>>;
  const clients: Client[] = [];

  before(async () => {
    outages = await behindProxies(real!);
    dema = await startAllInOne(outages.target, allInOneServices(), policies, { serviceToken });
    world = await shop(dema.services.user, dema.url, 'outage');
  });
  after(async () => {
    for (const made of clients) await made.dispose();
    await dema?.dispose();
    await outages?.close();
  });

  test('the subscription survives the outage: the change made during it arrives once the bus is back, and later ones too', async () => {
    const orderId = await world.placeOrder(world.tokens.customer);
    const ws = wsClient(dema.url, { token: world.tokens.customer });
    clients.push(ws);
    const changes = ws.iterate<Change>({ query: subscription, variables: { orderId } });
    await waitFor('the subscription to be open', async () => (await openSubscriptions(dema.url)) === 1);

    outages.rabbitmq!.cut();
    await waitFor('the bus to notice', () => !dema.infra.bus.isReady);
    // The Order service keeps working: the event waits in its outbox, and is published on the
    // reconnected bus only once that bus has declared its feed again (the same set-up, before ready).
    await world.changeStatus(orderId, 'CONFIRMED');
    outages.rabbitmq!.restore();
    await waitFor('the bus to reconnect', () => dema.infra.bus.isReady === true, 20_000);

    const during = (await nextPayload(changes, 20_000)).orderStatusChanged;
    assert.deepEqual([during.previousStatus, during.status], ['PENDING', 'CONFIRMED']);
    await world.changeStatus(orderId, 'SHIPPED');
    const afterwards = (await nextPayload(changes)).orderStatusChanged;
    assert.deepEqual([afterwards.previousStatus, afterwards.status], ['CONFIRMED', 'SHIPPED']);
  });
});
