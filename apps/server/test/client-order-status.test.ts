import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createDemaClient, login, memoryTokenStore, placeOrder, tokenAuth, watchOrderStatus, type DemaClient } from '@dema/client';
import type { OrderStatus } from '@dema/contracts';
import { freePort, testTargets, waitFor } from '@dema/platform/testing';
import { password, startClientShop, type ClientShop } from './support/client-shop.ts';

/**
 * `watchOrderStatus` against the running app: the customer's watcher sees an admin's changes live
 * over the GraphQL subscription (no polling between them), and by polling REST when no WebSocket
 * gets through.
 */

for (const target of testTargets()) {
  describe(`@dema/client watchOrderStatus against the app (${target.name})`, () => {
    let shop: ClientShop;
    const stops: Array<() => void> = [];

    /** A signed-in customer with an order just placed, counting the times the order is asked for over REST. */
    const customerWithOrder = async () => {
      let asked = 0;
      const client: DemaClient = createDemaClient({
        baseUrl: shop.url,
        auth: tokenAuth({ store: memoryTokenStore() }),
        fetch: (request) => {
          if (request.method === 'GET' && /^\/api\/orders\/[^/]+$/.test(new URL(request.url).pathname)) asked++;
          return fetch(request);
        },
      });
      await login(client, { email: await shop.newAccount(), password });
      const order = await placeOrder(client, { items: [{ productId: shop.product.id, quantity: 1 }] });
      return { client, orderId: order.id, asked: () => asked };
    };
    const watch = (client: DemaClient, orderId: string, options: Parameters<typeof watchOrderStatus>[3]) => {
      const seen: OrderStatus[] = [];
      stops.push(watchOrderStatus(client, orderId, (status) => seen.push(status), options));
      return seen;
    };
    const ship = async (orderId: string, status: OrderStatus) => {
      const changed = await shop.admin.PUT('/api/orders/{id}/status', { params: { path: { id: orderId } }, body: { status } });
      assert.equal(changed.status, status);
    };
    const seeing = (seen: OrderStatus[], statuses: OrderStatus[]) =>
      waitFor(`the watcher to see ${statuses.join(' → ')} (it saw ${seen.join(' → ')})`, () => seen.join() === statuses.join(), 10_000);

    before(async () => {
      shop = await startClientShop(target);
    });
    after(async () => {
      for (const stop of stops) stop();
      await shop?.dema.dispose();
    });

    test('over the subscription the watcher sees an admin confirm and ship the order, without asking REST again', async () => {
      const { client, orderId, asked } = await customerWithOrder();
      const open = await shop.openSubscriptions();
      // Polling only once a minute: a change seen within seconds came over the subscription.
      const seen = watch(client, orderId, { webSocketImpl: WebSocket, pollMs: 60_000, reconcileMs: 60_000 });
      await waitFor('the subscription to be open', async () => (await shop.openSubscriptions()) > open);
      await seeing(seen, ['PENDING']);
      const askedBefore = asked();

      await ship(orderId, 'CONFIRMED');
      await seeing(seen, ['PENDING', 'CONFIRMED']);
      await ship(orderId, 'SHIPPED');
      await seeing(seen, ['PENDING', 'CONFIRMED', 'SHIPPED']);
      assert.equal(asked(), askedBefore, 'no GET /api/orders/{id} between the changes');

      stops.pop()!();
      await waitFor('the subscription to be closed', async () => (await shop.openSubscriptions()) === open);
    });

    test('when no WebSocket gets through, the watcher polls REST and still sees the change', async () => {
      const { client, orderId, asked } = await customerWithOrder();
      const closedPort = await freePort();
      /** A WebSocket that never reaches the API, as behind a proxy that drops upgrades. */
      class RefusedSocket extends WebSocket {
        constructor(_address: string, protocols?: string | string[]) {
          super(`ws://127.0.0.1:${closedPort}/graphql`, protocols);
        }
      }
      const open = await shop.openSubscriptions();
      const seen = watch(client, orderId, { webSocketImpl: RefusedSocket, pollMs: 200 });
      await seeing(seen, ['PENDING']);
      await ship(orderId, 'CONFIRMED');
      await seeing(seen, ['PENDING', 'CONFIRMED']);
      assert.ok(asked() >= 2, `asked REST ${asked()} times`);
      assert.equal(await shop.openSubscriptions(), open, 'no subscription was ever open');
    });
  });
}
