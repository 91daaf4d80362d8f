import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { MailboxPage, Order, Product } from '@dema/contracts';
import { startTestProcess, testTargets, waitFor, type TestProcess } from '@dema/platform/testing';
import { createUserService, type UserService } from '@dema/user';
import { createAnalyticsService } from '@dema/analytics';
import { productAndOrderServices } from '../../src/services.ts';
import { bearerSender, signInAdminAndCustomer } from '../analytics/helpers.ts';

/**
 * The real producers: an order placed and cancelled through the API reaches a webhook receiver
 * through the Order service's outbox, the bus and the Analytics service's webhook queue; an
 * endpoint that keeps failing is disabled, and the admins hear of it from the User service.
 */
for (const target of testTargets()) {
  describe(`webhooks carry the shop's real events to a receiver (${target.name})`, () => {
    let dema: TestProcess<{ user: UserService }>;
    let receiver: Server;
    let receiverUrl: string;
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    /** Requests to the receiver's failing path, which it answers 503; not in `received`. */
    let failures = 0;
    let send: (token: string, method: string, url: string, body?: unknown) => Promise<Response>;
    let admin: string;
    let customer: string;

    before(async () => {
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          if (request.url === '/failing') {
            failures++;
            response.statusCode = 503;
          } else received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
          response.end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      dema = await startTestProcess(
        target,
        { user: createUserService, ...productAndOrderServices(), analytics: createAnalyticsService },
        // The receiver is on loopback: allowed here as a merchant would on a trusted network.
        {
          webhooks: {
            allowPrivate: true,
            timeoutMs: 2_000,
            retryBaseMs: 100,
            retryWindowMs: 60_000,
            // Disabled at the third failure, however soon (a day of failures by default).
            disableAfterFailures: 3,
            disableAfterFailingMs: 0,
            concurrency: 4,
            logRetentionDays: 30,
          },
        },
      );
      ({ admin, customer } = await signInAdminAndCustomer(dema.services.user));
      send = bearerSender(dema.url);
    });
    after(async () => {
      await dema?.dispose();
      receiver?.closeAllConnections();
      await new Promise((resolve) => receiver?.close(resolve));
    });

    async function json<T>(response: Response, status: number): Promise<T> {
      const text = await response.text();
      assert.equal(response.status, status, text);
      return JSON.parse(text) as T;
    }

    test('placing and cancelling an order delivers order.created and order.status_changed, each signed and verifiable', async () => {
      const endpoint = await json<{ id: string; secret: string }>(
        await send(admin, 'POST', '/api/webhooks', { url: receiverUrl, events: ['order.created', 'order.status_changed'] }),
        201,
      );
      const category = await json<{ id: string }>(await send(admin, 'POST', '/api/categories', { name: 'Kitchen' }), 201);
      const product = await json<Product>(await send(admin, 'POST', '/api/products', { name: 'Kettle', price: 12.5, stock: 6, categoryId: category.id }), 201);
      const order = await json<Order>(await send(customer, 'POST', '/api/orders', { items: [{ productId: product.id, quantity: 2 }] }), 201);
      await json<Order>(await send(admin, 'PUT', `/api/orders/${order.id}/status`, { status: 'CANCELLED' }), 200);

      await waitFor('both events at the receiver', async () => received.length >= 2, 20_000);
      const verifier = new Webhook(endpoint.secret);
      const messages = received.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as any);
      const created = messages.find((m) => m.type === 'order.created');
      assert.equal(created.data.orderId, order.id);
      assert.equal(created.data.total, 25);
      assert.deepEqual(created.data.items, [{ productId: product.id, quantity: 2, price: 12.5 }]);
      const changed = messages.find((m) => m.type === 'order.status_changed');
      assert.deepEqual([changed.data.orderId, changed.data.oldStatus, changed.data.newStatus], [order.id, 'PENDING', 'CANCELLED']);
      assert.equal(messages.length, 2, 'stock.updated is not subscribed to');

      const log = async () => (await json<{ items: any[] }>(await send(admin, 'GET', `/api/webhooks/${endpoint.id}/deliveries`), 200)).items;
      await waitFor('both deliveries logged as succeeded', async () => (await log()).every((d) => d.status === 'succeeded'), 5_000);
      assert.deepEqual((await log()).map((d) => d.eventType).sort(), ['order.created', 'order.status_changed']);
    });

    test('an endpoint that keeps failing is disabled, and the admin is emailed once with the reason and a link to the webhooks', async () => {
      const failingUrl = receiverUrl.replace(/\/hooks$/, '/failing');
      const endpoint = await json<{ id: string }>(await send(admin, 'POST', '/api/webhooks', { url: failingUrl, events: ['order.created'] }), 201);
      const product = await json<Product>(await send(admin, 'POST', '/api/products', { name: 'Teapot', price: 30, stock: 3 }), 201);
      await json<Order>(await send(customer, 'POST', '/api/orders', { items: [{ productId: product.id, quantity: 1 }] }), 201);

      const read = async () => json<{ enabled: boolean; disabledReason: string | null }>(await send(admin, 'GET', `/api/webhooks/${endpoint.id}`), 200);
      await waitFor('the endpoint disabled', async () => (await read()).enabled === false, 20_000);
      const { disabledReason } = await read();
      assert.match(disabledReason!, /after 3 consecutive failed attempts since \S+ \(last: HTTP 503\)/);
      assert.equal(failures, 3);

      const subject = `Your webhook endpoint ${failingUrl} was disabled`;
      const notices = async () =>
        (await json<MailboxPage>(await send(admin, 'GET', '/api/admin/mailbox?to=admin@test.dema.dev'), 200)).items.filter((e) => e.subject === subject);
      await waitFor("the admin's email", async () => (await notices()).length > 0, 20_000);
      await dema.services.user.mail.drain();
      const [notice, ...more] = await notices();
      assert.equal(more.length, 0, 'one email per disabling');
      assert.ok(notice!.text.includes(disabledReason!), notice!.text);
      assert.ok(notice!.text.includes(`${dema.infra.config.mail.publicUrl}/admin/webhooks`), notice!.text);
    });
  });
}
