import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { systemActor, type AuditEntry, type Order, type Product } from '@dema/contracts';
import { startTestProcess, testTargets, waitFor, type ServicesOf, type TestProcess } from '@dema/platform/testing';
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

/** Each area's admin actions, one process per target: what docs/audit-log.md lists is what is recorded. */
for (const target of testTargets()) {
  describe(`every area records its admin actions, each with the record before and after (${target.name})`, () => {
    let dema: TestProcess<ServicesOf<ReturnType<typeof factories>>>;
    let admin: string;
    let customer: string;

    before(async () => {
      dema = await startTestProcess(target, factories(), { serviceToken });
      ({ admin, customer } = await signInAdminAndCustomer(dema.services.user));
    });
    after(() => dema?.dispose());

    const send = async (token: string | undefined, method: string, path: string, body?: unknown): Promise<any> => {
      const response = await fetch(`${dema.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : { 'x-dema-service-token': serviceToken }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const entries = async (query: string, count: number): Promise<AuditEntry[]> => {
      const read = async () => (await send(admin, 'GET', `/api/admin/audit?limit=100&${query}`)).items as AuditEntry[];
      await waitFor(`${count} audit entries for ${query}`, async () => (await read()).length >= count, 20_000);
      const found = await read();
      assert.equal(found.length, count, JSON.stringify(found.map((e) => e.action)));
      return found;
    };

    test('payments: marking paid and a refund, with the payment before and after', async () => {
      const product = await send(admin, 'POST', '/api/products', { name: 'Mug', price: 19.99, stock: 20 });
      const order = await send(customer, 'POST', '/api/orders', { items: [{ productId: product.id, quantity: 2 }] });
      await send(undefined, 'PUT', `/internal/payments/${order.id}`, { userId: order.userId, amount: order.total, currency: 'USD', provider: 'manual' });
      const payment = await send(admin, 'POST', `/api/orders/${order.id}/payment/mark-paid`);
      const refund = await send(admin, 'POST', `/api/orders/${order.id}/refunds`, { amount: 5, reason: 'a chipped mug' });
      const [paid] = await entries(`action=payment.marked_paid&resourceId=${payment.id}`, 1);
      assert.deepEqual(
        [paid!.before, paid!.after],
        [
          { orderId: order.id, status: 'unpaid', amountCaptured: '0.00' },
          { orderId: order.id, status: 'paid', amountCaptured: '39.98' },
        ],
      );
      const [refunded] = await entries(`action=refund.created&resourceId=${refund.id}`, 1);
      assert.deepEqual(refunded!.after, { orderId: order.id, amount: '5.00', reason: 'a chipped mug', lines: null });
    });

    test('orders: status moves and a return, recorded once the return completed', async () => {
      const product = await send(admin, 'POST', '/api/products', { name: 'Teapot', price: 30, stock: 5 });
      const order = await send(customer, 'POST', '/api/orders', { items: [{ productId: product.id, quantity: 2 }] });
      await send(undefined, 'PUT', `/internal/payments/${order.id}`, { userId: order.userId, amount: order.total, currency: 'USD', provider: 'manual' });
      await send(admin, 'POST', `/api/orders/${order.id}/payment/mark-paid`);
      for (const status of ['CONFIRMED', 'SHIPPED']) await send(admin, 'PUT', `/api/orders/${order.id}/status`, { status });
      const orderReturn = await send(admin, 'POST', `/api/orders/${order.id}/returns`, {
        lines: [{ productId: product.id, quantity: 1 }],
        reason: 'cracked lid',
      });
      assert.deepEqual(
        (await entries(`action=order.status_changed&resourceId=${order.id}`, 2)).map((e) => [e.before, e.after]),
        [
          [{ status: 'CONFIRMED' }, { status: 'SHIPPED' }],
          [{ status: 'PENDING' }, { status: 'CONFIRMED' }],
        ],
      );
      const [returned] = await entries(`action=return.created&resourceId=${orderReturn.id}`, 1);
      assert.deepEqual(
        [(returned!.after as { orderId: string }).orderId, (returned!.after as { amount: string }).amount, (returned!.after as { reason: string }).reason],
        [order.id, '30.00', 'cracked lid'],
      );
    });

    test('catalog: categories created, renamed and deleted', async () => {
      const category = await send(admin, 'POST', '/api/categories', { name: 'Audited teaware' });
      await send(admin, 'PUT', `/api/categories/${category.id}`, { name: 'Audited tea things' });
      await send(admin, 'DELETE', `/api/categories/${category.id}`);
      assert.deepEqual(
        (await entries(`resourceType=category&resourceId=${category.id}`, 3)).map((e) => [
          e.action,
          (e.before as { name?: string } | null)?.name ?? null,
          (e.after as { name?: string } | null)?.name ?? null,
        ]),
        [
          ['category.deleted', 'Audited tea things', null],
          ['category.updated', 'Audited teaware', 'Audited tea things'],
          ['category.created', null, 'Audited teaware'],
        ],
      );
    });

    test('catalog import: one entry per applied import with its report; a dry run or a refused file records none', async () => {
      const importCsv = async (csv: string, query = '') => {
        const response = await fetch(`${dema.url}/api/products/import${query}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
          body: csv,
        });
        return { status: response.status, body: await response.json() };
      };
      const handle = `audited-${randomUUID().slice(0, 8)}`;
      const csv = `handle,name,price,stock\n${handle},Audited Pot,12.50,3\n`;
      assert.equal((await importCsv(csv, '?dryRun=true')).status, 200);
      assert.equal((await importCsv('handle,name,price,stock\nx,No price,,3\n')).status, 422);
      const applied = await importCsv(csv);
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      const [imported] = await entries('action=catalog.imported', 1);
      assert.deepEqual(imported!.after, { dryRun: false, rows: 1, products: 1, variants: 0, categoriesCreated: [], jobId: null });
    });

    test('users: a role change and a deletion, never the password hash', async () => {
      const { id } = await dema.services.user.identity.createUser(
        `audited-${randomUUID()}@test.dema.dev`,
        'correct-horse-battery-staple',
        'Audited',
        'customer',
      );
      await send(admin, 'PUT', `/api/users/${id}`, { role: 'admin' });
      await send(admin, 'DELETE', `/api/users/${id}`);
      const [deleted, promoted] = await entries(`resourceType=user&resourceId=${id}`, 2);
      assert.deepEqual(
        [promoted!.action, (promoted!.before as { role: string }).role, (promoted!.after as { role: string }).role],
        ['user.updated', 'customer', 'admin'],
      );
      assert.deepEqual(
        [deleted!.action, (deleted!.before as { disabled: boolean }).disabled, (deleted!.after as { disabled: boolean }).disabled],
        ['user.deleted', false, true],
      );
      assert.equal(JSON.stringify([promoted, deleted]).includes('argon2'), false);
    });

    test('an admin made from the machine (create-admin, DEMA_ADMIN_EMAIL) is an entry by the system, found by its origin', async () => {
      const created = await dema.services.user.identity.createAdmin(`ops-${randomUUID()}@test.dema.dev`, 'correct-horse-battery-staple');
      const [entry] = await entries(`resourceType=user&resourceId=${created.id}`, 1);
      assert.deepEqual([entry!.actorId, entry!.actorRole, entry!.action, entry!.before], [systemActor.id, 'system', 'user.created', null]);
      assert.equal((entry!.after as { role: string }).role, 'admin');
      assert.match(entry!.requestId, /^create-admin:/);
      const bySystem = (await send(admin, 'GET', `/api/admin/audit?actorId=${systemActor.id}&q=create-admin&resourceId=${created.id}`)).items as AuditEntry[];
      assert.deepEqual(
        bySystem.map((found) => found.id),
        [entry!.id],
      );
    });

    test('settings: checkout settings, zones, methods, tax rates and promotions', async () => {
      const settings = await send(admin, 'GET', '/api/checkout-settings');
      await send(admin, 'PUT', '/api/checkout-settings', { ...settings, paymentTimeoutMinutes: settings.paymentTimeoutMinutes + 1 });
      const zone = await send(admin, 'POST', '/api/shipping-zones', { name: 'Audited zone', countries: ['DE'] });
      const method = await send(admin, 'POST', `/api/shipping-zones/${zone.id}/methods`, { name: 'Post', rate: { kind: 'flat', amount: 4.99 } });
      const rate = await send(admin, 'POST', '/api/tax-rates', { name: 'German VAT', country: 'DE', rate: '19' });
      await send(admin, 'PATCH', `/api/tax-rates/${rate.id}`, { rate: '7' });
      await send(admin, 'DELETE', `/api/tax-rates/${rate.id}`);
      const promotion = await send(admin, 'POST', '/api/promotions', { code: `audit${randomUUID().slice(0, 6)}`, kind: 'percentage', value: '10' });
      await send(admin, 'DELETE', `/api/shipping-zones/${zone.id}`);

      const [replaced] = await entries('action=checkout_settings.replaced', 1);
      assert.equal((replaced!.before as { paymentTimeoutMinutes: number }).paymentTimeoutMinutes, settings.paymentTimeoutMinutes);
      assert.equal((replaced!.after as { paymentTimeoutMinutes: number }).paymentTimeoutMinutes, settings.paymentTimeoutMinutes + 1);
      assert.deepEqual(
        (await entries(`resourceId=${rate.id}`, 3)).map((e) => [
          e.action,
          (e.before as { rate?: string } | null)?.rate ?? null,
          (e.after as { rate?: string } | null)?.rate ?? null,
        ]),
        [
          ['tax_rate.deleted', '7', null],
          ['tax_rate.updated', '19', '7'],
          ['tax_rate.created', null, '19'],
        ],
      );
      assert.deepEqual(
        (await entries(`resourceId=${zone.id}`, 2)).map((e) => e.action),
        ['shipping_zone.deleted', 'shipping_zone.created'],
      );
      assert.deepEqual(
        (await entries(`resourceId=${method.id}`, 1)).map((e) => e.action),
        ['shipping_method.created'],
      );
      assert.deepEqual(
        (await entries(`resourceId=${promotion.id}`, 1)).map((e) => e.action),
        ['promotion.created'],
      );
    });

    test("concurrent changes of one product: each entry's before is the after of the one before it", async () => {
      const product = await send(admin, 'POST', '/api/products', { name: 'Raced', price: 1, stock: 1 });
      const prices = [2, 3, 4, 5, 6];
      await Promise.all(prices.map((price) => send(admin, 'PUT', `/api/products/${product.id}`, { price })));
      const updates = (await entries(`action=product.updated&resourceId=${product.id}`, prices.length)).map((e) => ({
        before: (e.before as Product).price,
        after: (e.after as Product).price,
      }));
      // The row lock orders the updates: following before → after from the created price visits each once.
      let price = 1;
      for (let step = 0; step < prices.length; step++) {
        const next = updates.find((u) => u.before === price);
        assert.ok(next, `no update starts from ${price}: ${JSON.stringify(updates)}`);
        price = next.after;
      }
      assert.equal(price, (await send(admin, 'GET', `/api/products/${product.id}`)).price);
    });

    test('a change made by no signed-in caller (the seed, a job) records nothing', async () => {
      const product = await dema.services.product.catalog.createProduct({ name: 'Seeded', price: 3, stock: 2 });
      await dema.services.product.catalog.updateProduct(product.id, { price: 4 });
      const outbox = await (await dema.infra.database('product')).query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE type = 'AUDIT_RECORDED' AND payload->>'resourceId' = $1",
        [product.id],
      );
      assert.equal(outbox.rows[0]!.n, 0);
    });
  });
}
