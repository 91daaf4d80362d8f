import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { EventEnvelope, Order, OrderReturn, OrderReturnList, Payment, Product } from '@dema/contracts';
import { startTestProcess, testTargets, waitFor, type ServicesOf, type TestProcess } from '@dema/platform/testing';
import { createUserService } from '@dema/user';
import { productAndOrderServices } from '../../src/services.ts';
import { orderOf, problemOf, type TestUser } from './helpers.ts';

/**
 * User, Product, Payment and Order services in one process as `npm start` composes them: the Order
 * service refunds returns through the Payment service's port, for the admin who returns the units.
 */
const returnServices = () => ({ user: createUserService, ...productAndOrderServices() });

let signIns = 0;

for (const target of testTargets()) {
  const tag = target.name.replace('+', '-');

  describe(`returns (${target.name})`, () => {
    let dema: TestProcess<ServicesOf<ReturnType<typeof returnServices>>>;
    let admin: TestUser;
    let customer: TestUser;
    let other: TestUser;
    let categoryId: string;
    const statusEvents: EventEnvelope[] = [];

    const send =
      (token: string) =>
      (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
        fetch(`${dema.url}${url}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });

    async function signIn(email: string, role: 'admin' | 'customer'): Promise<TestUser> {
      const password = 'correct-horse-battery-staple';
      const created = await dema.services.user.identity.createUser(email, password, role, role);
      const token = (await dema.services.user.identity.login(email, password, `10.2.${(signIns >> 8) & 255}.${signIns++ & 255}`)).tokens.accessToken;
      return { id: created.id, token, request: send(token) };
    }

    before(async () => {
      dema = (await startTestProcess(target, returnServices())) as typeof dema;
      admin = await signIn('admin@test.dema.dev', 'admin');
      customer = await signIn('customer@test.dema.dev', 'customer');
      other = await signIn('other@test.dema.dev', 'customer');
      categoryId = ((await (await admin.request('POST', '/api/categories', { name: 'Returns' })).json()) as { id: string }).id;
      await dema.infra.bus.subscribe(`test-returns-${tag}`, ['order.#'], async (event) => {
        if (event.type === 'ORDER_STATUS_CHANGED') statusEvents.push(event);
      });
    });
    after(() => dema.dispose());

    const stockOf = async (productId: string) => ((await (await fetch(`${dema.url}/api/products/${productId}`)).json()) as Product).stock;
    const paymentOf = (orderId: string) => dema.services.payment.payments.readPayment(orderId);
    const returnsOf = async (orderId: string) => ((await (await admin.request('GET', `/api/orders/${orderId}/returns`)).json()) as OrderReturnList).items;
    const returnEvents = async (productId: string) =>
      (
        await (
          await dema.infra.database('product')
        ).query<{ n: number }>(
          "SELECT count(*)::int AS n FROM outbox WHERE type = 'STOCK_UPDATED' AND payload->>'productId' = $1 AND payload->>'reason' = 'RETURN'",
          [productId],
        )
      ).rows[0]!.n;
    const returnUnits = (orderId: string, lines: Array<{ productId: string; quantity: number }>, headers?: Record<string, string>) =>
      admin.request('POST', `/api/orders/${orderId}/returns`, { lines, reason: 'Did not fit' }, headers);

    /** A shipped order of the customer: `quantity` units at `price` of a product with 10 in stock, paid (manual, marked paid) unless `paid` is false. */
    async function shippedOrder(price: number, quantity: number, paid = true): Promise<{ order: Order; product: Product }> {
      const created = await admin.request('POST', '/api/products', { name: `Returnable ${price}`, price, stock: 10, categoryId });
      const product = (await created.json()) as Product;
      const order = await orderOf(await customer.request('POST', '/api/orders', { items: [{ productId: product.id, quantity }] }));
      if (paid) await dema.services.payment.payments.markPaid(order.id);
      for (const status of ['CONFIRMED', 'SHIPPED']) await orderOf(await admin.request('PUT', `/api/orders/${order.id}/status`, { status }));
      return { order, product };
    }

    test('a partial return refunds what those units were paid and puts back only them, recorded with who made it and why', async () => {
      const { order, product } = await shippedOrder(3.33, 3);
      assert.equal(await stockOf(product.id), 7);
      const response = await returnUnits(order.id, [{ productId: product.id, quantity: 1 }]);
      assert.equal(response.status, 201, await response.clone().text());
      const made = (await response.json()) as OrderReturn;
      assert.deepEqual(
        { ...made, id: undefined, refundId: undefined, createdAt: undefined },
        {
          id: undefined,
          orderId: order.id,
          lines: [{ productId: product.id, variantId: null, quantity: 1, amount: 3.33 }],
          amount: 3.33,
          reason: 'Did not fit',
          createdBy: admin.id,
          refundId: undefined,
          status: 'completed',
          createdAt: undefined,
        },
      );
      const payment: Payment = await paymentOf(order.id);
      assert.equal(payment.amountRefunded, 3.33);
      assert.equal(payment.status, 'partially_refunded');
      assert.deepEqual(
        payment.refunds.map((r) => [r.id, r.amount, r.createdBy, r.reason]),
        [[made.refundId, 3.33, admin.id, 'Did not fit']],
      );
      assert.equal(await stockOf(product.id), 8);
      assert.equal((await orderOf(await admin.request('GET', `/api/orders/${order.id}`))).status, 'SHIPPED');
      assert.deepEqual(await returnsOf(order.id), [made]);
    });

    test('returning the rest refunds exactly what was paid in all, moves the order to RETURNED and restocks every unit exactly once', async () => {
      const { order, product } = await shippedOrder(3.33, 3);
      await orderOf(await admin.request('PUT', `/api/orders/${order.id}/status`, { status: 'DELIVERED' }));
      assert.equal((await returnUnits(order.id, [{ productId: product.id, quantity: 1 }])).status, 201);
      const rest = await returnUnits(order.id, [{ productId: product.id, quantity: 2 }]);
      assert.equal(rest.status, 201, await rest.clone().text());
      assert.equal(((await rest.json()) as OrderReturn).amount, 6.66);
      const payment = await paymentOf(order.id);
      assert.equal(payment.amountRefunded, 9.99);
      assert.equal(payment.status, 'refunded');
      assert.equal((await orderOf(await admin.request('GET', `/api/orders/${order.id}`))).status, 'RETURNED');
      await waitFor('ORDER_STATUS_CHANGED to RETURNED', () =>
        statusEvents.some((e) => {
          const payload = e.payload as { orderId: string; newStatus: string };
          return payload.orderId === order.id && payload.newStatus === 'RETURNED';
        }),
      );
      // The ORDER_STATUS_CHANGED consumer releases too: still nothing restocked twice.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await stockOf(product.id), 10);
      assert.equal(await returnEvents(product.id), 2);
      const again = await problemOf(await returnUnits(order.id, [{ productId: product.id, quantity: 1 }]), 409);
      assert.equal(again.code, 'ORDER_INVALID_TRANSITION');
    });

    test('returning more than was bought is a 422 naming the line, and nothing changes', async () => {
      const { order, product } = await shippedOrder(5, 2);
      const problem = await problemOf(await returnUnits(order.id, [{ productId: product.id, quantity: 3 }]), 422);
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.lines.0.quantity'],
      );
      assert.deepEqual(await returnsOf(order.id), []);
      assert.equal((await paymentOf(order.id)).amountRefunded, 0);
      assert.equal(await stockOf(product.id), 8);
    });

    test('two concurrent returns of the last unit: one is made, the other refused; refunded and restocked once', async () => {
      const { order, product } = await shippedOrder(7.5, 1);
      const responses = await Promise.all([1, 2].map(() => returnUnits(order.id, [{ productId: product.id, quantity: 1 }])));
      const statuses = responses.map((r) => r.status).sort();
      // The other finds the unit taken by a pending return (422) or the order RETURNED already (409).
      assert.equal(statuses[0], 201);
      assert.ok(statuses[1] === 409 || statuses[1] === 422, `the other answered ${statuses[1]}`);
      assert.equal((await paymentOf(order.id)).amountRefunded, 7.5);
      assert.equal(await stockOf(product.id), 10);
      assert.equal((await returnsOf(order.id)).length, 1);
    });

    test('a refused refund (nothing was paid) restocks nothing and records no return', async () => {
      const { order, product } = await shippedOrder(4, 2, false);
      const problem = await problemOf(await returnUnits(order.id, [{ productId: product.id, quantity: 1 }]), 409);
      assert.equal(problem.code, 'PAYMENT_INVALID_STATE');
      assert.deepEqual(await returnsOf(order.id), []);
      assert.equal(await stockOf(product.id), 8);
      assert.equal(await returnEvents(product.id), 0);
    });

    test('a return refunding more than is left of the payment (refunded by amount before) is a 422 naming body.lines, and changes nothing', async () => {
      const { order, product } = await shippedOrder(10, 2);
      assert.equal((await admin.request('POST', `/api/orders/${order.id}/refunds`, { amount: 15, reason: 'Goodwill' })).status, 201);
      const problem = await problemOf(await returnUnits(order.id, [{ productId: product.id, quantity: 1 }]), 422);
      assert.equal(problem.code, 'REFUND_EXCEEDS_PAID');
      // The return's body has lines and no amount: the refund they would make is named by them.
      assert.deepEqual(problem.invalidParams, [
        { name: 'body.lines', reason: 'would refund 10.00, and the refund must be at most 5.00, what was paid and not yet refunded' },
      ]);
      assert.match(problem.detail!, /^body\.lines would refund 10\.00/);
      assert.deepEqual(await returnsOf(order.id), []);
      assert.equal((await paymentOf(order.id)).amountRefunded, 15);
      assert.equal(await stockOf(product.id), 8);
      assert.equal(await returnEvents(product.id), 0);
    });

    test("an admin's refund naming lines is checked against the order's lines and what its returns refunded; a unit refunded by lines is not refunded again by a return", async () => {
      const { order, product } = await shippedOrder(4, 3);
      assert.equal((await returnUnits(order.id, [{ productId: product.id, quantity: 1 }])).status, 201);
      const refund = (lines: object[]) => admin.request('POST', `/api/orders/${order.id}/refunds`, { lines, amount: 4, reason: 'Kept, refunded' });
      const stranger = await problemOf(await refund([{ productId: randomUUID(), quantity: 1 }]), 422);
      assert.deepEqual(
        stranger.invalidParams?.map((p) => p.name),
        ['body.lines.0.productId'],
      );
      const tooMany = await problemOf(await refund([{ productId: product.id, quantity: 3 }]), 422);
      assert.deepEqual(tooMany.invalidParams, [{ name: 'body.lines.0.quantity', reason: 'is more than is left to refund of this line: 2 of the 3 ordered' }]);
      assert.equal((await refund([{ productId: product.id, quantity: 1 }])).status, 201);
      // One unit is left unrefunded: a return of both the customer still has would pay one back twice.
      const again = await problemOf(await returnUnits(order.id, [{ productId: product.id, quantity: 2 }]), 422);
      assert.deepEqual(
        again.invalidParams?.map((p) => p.name),
        ['body.lines.0.quantity'],
      );
      assert.equal((await returnsOf(order.id)).length, 1);
      assert.equal((await paymentOf(order.id)).amountRefunded, 8);
      assert.equal(await stockOf(product.id), 8);
    });

    test('the same Idempotency-Key answers with the first return and refunds once', async () => {
      const { order, product } = await shippedOrder(2, 4);
      const headers = { 'idempotency-key': `return-${tag}-${order.id}` };
      const first = (await (await returnUnits(order.id, [{ productId: product.id, quantity: 1 }], headers)).json()) as OrderReturn;
      const replay = await returnUnits(order.id, [{ productId: product.id, quantity: 1 }], headers);
      assert.equal(replay.status, 201);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await replay.json(), first);
      assert.equal((await paymentOf(order.id)).amountRefunded, 2);
      assert.equal(await stockOf(product.id), 7);
      const reused = await problemOf(await returnUnits(order.id, [{ productId: product.id, quantity: 2 }], headers), 422);
      assert.equal(reused.code, 'IDEMPOTENCY_KEY_REUSED');
    });

    test('a return whose request died before its refund is finished by the sweep: refunded and restocked once, the order RETURNED', async () => {
      const { order, product } = await shippedOrder(6, 2);
      // What a request that died right after writing the return pending (step 1) leaves behind.
      const returnId = randomUUID();
      const lines = [{ productId: product.id, variantId: null, quantity: 2, amount: '12.00' }];
      await (await dema.infra.database('order')).query(
        `INSERT INTO order_returns (id, order_id, lines, amount, reason, created_by, status, created_at)
         VALUES ($1, $2, $3, 12, 'Crashed half-way', $4, 'pending', now() - interval '10 minutes')`,
        [returnId, order.id, JSON.stringify(lines), admin.id],
      );
      // The process's own sweep may get there first: either way it is finished once.
      await dema.services.order.returns.finishPendingReturns();
      assert.equal(await dema.services.order.returns.finishPendingReturns(), 0, 'nothing is left pending');
      const [finished] = await returnsOf(order.id);
      assert.deepEqual([finished?.id, finished?.status, finished?.amount], [returnId, 'completed', 12]);
      const payment = await paymentOf(order.id);
      assert.deepEqual([payment.status, payment.amountRefunded, payment.refunds.length], ['refunded', 12, 1]);
      assert.equal(payment.refunds[0]!.id, finished?.refundId);
      assert.equal((await orderOf(await admin.request('GET', `/api/orders/${order.id}`))).status, 'RETURNED');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await stockOf(product.id), 10);
      assert.equal(await returnEvents(product.id), 1);
    });

    test("a pending return younger than the sweep's wait is left to its request", async () => {
      const { order, product } = await shippedOrder(3, 1);
      await (await dema.infra.database('order')).query(
        `INSERT INTO order_returns (id, order_id, lines, amount, reason, created_by, status) VALUES ($1, $2, $3, 3, 'In flight', $4, 'pending')`,
        [randomUUID(), order.id, JSON.stringify([{ productId: product.id, variantId: null, quantity: 1, amount: '3.00' }]), admin.id],
      );
      assert.equal(await dema.services.order.returns.finishPendingReturns(), 0);
      assert.equal((await paymentOf(order.id)).amountRefunded, 0);
      assert.equal(await stockOf(product.id), 9);
    });

    test('only a shipped or delivered order is returned; only admins return; owners and admins list the returns', async () => {
      const created = (await (await admin.request('POST', '/api/products', { name: 'Pending', price: 1, stock: 10, categoryId })).json()) as Product;
      const pending = await orderOf(await customer.request('POST', '/api/orders', { items: [{ productId: created.id, quantity: 1 }] }));
      assert.equal((await problemOf(await returnUnits(pending.id, [{ productId: created.id, quantity: 1 }]), 409)).code, 'ORDER_INVALID_TRANSITION');
      const { order, product } = await shippedOrder(1, 1);
      await problemOf(await customer.request('POST', `/api/orders/${order.id}/returns`, { lines: [{ productId: product.id, quantity: 1 }], reason: 'x' }), 403);
      assert.equal((await customer.request('GET', `/api/orders/${order.id}/returns`)).status, 200);
      await problemOf(await other.request('GET', `/api/orders/${order.id}/returns`), 404);
    });
  });
}
