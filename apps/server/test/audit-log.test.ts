import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEntry, Order, Product } from '@dema/contracts';
import { startTestProcess, testTargets, waitFor, type TestProcess } from '@dema/platform/testing';
import { createUserService, type UserService } from '@dema/user';
import { createAnalyticsService } from '@dema/analytics';
import type { RunningGateway } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';
import { productAndOrderServices } from '../src/services.ts';
import { signInAdminAndCustomer } from './analytics/helpers.ts';
import { startAllInOne, type AllInOne } from './support/all-in-one.ts';

const policies = { rateLimitAllowlist: ['127.0.0.0/8', '::1'] };
const serviceToken = 'audit-log-test-service-token-7a21';
const factories = () => ({ user: createUserService, ...productAndOrderServices(), analytics: createAnalyticsService });

/**
 * The real producers through the edge: an admin's change made through the gateway (or the
 * all-in-one's edge) reaches the audit log from the service's outbox, with the request id the
 * client sent; a refused change leaves nothing there.
 */
for (const target of testTargets()) {
  for (const kind of ['gateway', 'all-in-one'] as const) {
    describe(`admin actions through the edge land in the audit log (${kind}, ${target.name})`, () => {
      let upstream: TestProcess<{ user: UserService }> | undefined;
      let gateway: RunningGateway | undefined;
      let allInOne: AllInOne<{ user: UserService }> | undefined;
      let base: string;
      let admin: string;
      let customer: string;

      before(async () => {
        if (kind === 'gateway') {
          upstream = await startTestProcess(target, factories(), { serviceToken });
          const at = [upstream.url];
          gateway = await startTestGateway({ serviceToken }, { upstreams: { user: at, product: at, order: at, payment: at, analytics: at }, policies });
          base = gateway.url;
          ({ admin, customer } = await signInAdminAndCustomer(upstream.services.user));
        } else {
          allInOne = await startAllInOne(target, factories(), policies, { serviceToken });
          base = allInOne.url;
          ({ admin, customer } = await signInAdminAndCustomer(allInOne.services.user));
        }
      });
      after(async () => {
        await gateway?.close();
        await upstream?.dispose();
        await allInOne?.dispose();
      });

      const send = async (token: string, method: string, path: string, body?: unknown, requestId?: string): Promise<{ status: number; body: any }> => {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(requestId ? { 'x-request-id': requestId } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      };
      const search = async (query: string): Promise<{ items: AuditEntry[]; total: number }> => {
        const reply = await send(admin, 'GET', `/api/admin/audit?${query}`);
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        return reply.body;
      };
      const entryOf = async (requestId: string): Promise<AuditEntry> => {
        await waitFor(`the audit entry of request ${requestId}`, async () => (await search(`requestId=${requestId}`)).total > 0, 20_000);
        const found = await search(`requestId=${requestId}`);
        assert.equal(found.total, 1);
        return found.items[0]!;
      };
      const newProduct = async (): Promise<Product> => {
        const created = await send(admin, 'POST', '/api/products', { name: 'Kettle', price: 39.9, stock: 5 });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        return created.body;
      };

      test("an admin's product change is found by its request id, with who and the product before and after", async () => {
        const product = await newProduct();
        const requestId = `audit-e2e-${randomUUID()}`;
        const updated = await send(admin, 'PUT', `/api/products/${product.id}`, { price: 34.9, name: 'Steel kettle' }, requestId);
        assert.equal(updated.status, 200, JSON.stringify(updated.body));

        const entry = await entryOf(requestId);
        assert.equal(entry.action, 'product.updated');
        assert.deepEqual([entry.resourceType, entry.resourceId, entry.actorRole], ['product', product.id, 'admin']);
        assert.deepEqual([(entry.before as Product).name, (entry.before as Product).price], ['Kettle', 39.9]);
        assert.deepEqual([(entry.after as Product).name, (entry.after as Product).price], ['Steel kettle', 34.9]);
        const byProduct = await search(`resourceType=product&resourceId=${product.id}`);
        assert.deepEqual(
          byProduct.items.map((e) => e.action),
          ['product.updated', 'product.created'],
        );
        assert.equal(byProduct.items[1]!.before, null);
      });

      test('changes refused with a 4xx record nothing', async () => {
        const product = await newProduct();
        const refused = [
          // 400: a string is not a price.
          ['PUT', `/api/products/${product.id}`, { price: 'cheap' }, 400],
          // 404: no such product.
          ['PUT', `/api/products/${randomUUID()}`, { price: 1 }, 404],
          // 409: stock cannot go below zero; the transaction rolls back with its entry.
          ['POST', `/api/products/${product.id}/stock-adjustments`, { delta: -6 }, 409],
          // 403: customers change no product.
          ['PUT', `/api/products/${product.id}`, { price: 1 }, 403],
        ] as const;
        const ids: string[] = [];
        for (const [method, path, body, status] of refused) {
          const requestId = `audit-refused-${randomUUID()}`;
          ids.push(requestId);
          const reply = await send(status === 403 ? customer : admin, method, path, body, requestId);
          assert.equal(reply.status, status, `${method} ${path}: ${JSON.stringify(reply.body)}`);
        }
        // A change made after them, through the same outbox and queue: once it is in, they would be too.
        const marker = `audit-marker-${randomUUID()}`;
        assert.equal((await send(admin, 'POST', `/api/products/${product.id}/stock-adjustments`, { delta: -2 }, marker)).status, 200);
        const adjusted = await entryOf(marker);
        assert.deepEqual([adjusted.action, adjusted.before, (adjusted.after as { stock: number }).stock], ['stock.adjusted', { stock: 5 }, 3]);
        for (const requestId of ids) assert.equal((await search(`requestId=${requestId}`)).total, 0, requestId);
      });

      test("an admin's order status change is recorded; no route edits or deletes the entry", async () => {
        const product = await newProduct();
        const order = await send(customer, 'POST', '/api/orders', { items: [{ productId: product.id, quantity: 1 }] });
        assert.equal(order.status, 201, JSON.stringify(order.body));
        const requestId = `audit-order-${randomUUID()}`;
        const moved = await send(admin, 'PUT', `/api/orders/${(order.body as Order).id}/status`, { status: 'CONFIRMED' }, requestId);
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
        const entry = await entryOf(requestId);
        assert.deepEqual(
          [entry.action, entry.resourceId, entry.before, entry.after],
          ['order.status_changed', order.body.id, { status: 'PENDING' }, { status: 'CONFIRMED' }],
        );
        for (const method of ['PUT', 'PATCH', 'DELETE']) {
          const reply = await send(admin, method, `/api/admin/audit/${entry.id}`, method === 'DELETE' ? undefined : { after: null });
          assert.ok([404, 405].includes(reply.status), `${method}: ${reply.status}`);
        }
        assert.deepEqual(await entryOf(requestId), entry);
      });
    });
  }
}
