import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Payment, Refund } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { json, problemOf, serviceToken, startPayments, type PaymentTestProcess } from './helpers.ts';

for (const target of testTargets()) {
  describe(`POST /internal/payments/:orderId/refunds: the Order service refunds for someone (${target.name})`, () => {
    let shop: PaymentTestProcess;
    before(async () => {
      shop = await startPayments(target);
    });
    after(() => shop.dispose());

    /** A manual payment of `amount`, marked paid. */
    const paid = async (amount: number) => {
      const opened = await shop.openPayment(shop.customer.id, amount, 'manual');
      await json(await shop.admin.request('POST', `/api/orders/${opened.orderId}/payment/mark-paid`));
      return opened;
    };
    const refunds = (orderId: string) => `/internal/payments/${orderId}/refunds`;
    const paymentOf = async (orderId: string) => json<Payment>(await shop.admin.request('GET', `/api/orders/${orderId}/payment`));

    test('a refund recorded as made by the admin the caller names, with its lines and reason', async () => {
      const opened = await paid(30);
      const line = { productId: randomUUID(), variantId: null, quantity: 1 };
      const refund = await json<Refund>(
        await shop.internal('POST', refunds(opened.orderId), { amount: 12.5, lines: [line], reason: 'Returned one', createdBy: shop.admin.id }),
        201,
      );
      assert.deepEqual(
        [refund.amount, refund.createdBy, refund.reason, refund.lines, refund.status],
        [12.5, shop.admin.id, 'Returned one', [line], 'succeeded'],
      );
      const payment = await paymentOf(opened.orderId);
      assert.deepEqual([payment.status, payment.amountRefunded], ['partially_refunded', 12.5]);
    });

    test('one the system makes (createdBy null) refunds all that is left when no amount is given', async () => {
      const opened = await paid(20);
      const refund = await json<Refund>(await shop.internal('POST', refunds(opened.orderId), { reason: 'Order cancelled', createdBy: null }), 201);
      assert.deepEqual([refund.amount, refund.createdBy], [20, null]);
      assert.equal((await paymentOf(opened.orderId)).status, 'refunded');
    });

    test('the same Idempotency-Key answers with the first refund (idempotent-replayed) and refunds once; another body with it is a 422', async () => {
      const opened = await paid(10);
      const key = { 'idempotency-key': `return-${randomUUID()}` };
      const body = { amount: 4, reason: 'Return', createdBy: shop.admin.id };
      const send = (payload: object) =>
        fetch(`${shop.url}${refunds(opened.orderId)}`, {
          method: 'POST',
          headers: { 'x-dema-service-token': serviceToken, 'content-type': 'application/json', ...key },
          body: JSON.stringify(payload),
        });
      const first = await json<Refund>(await send(body), 201);
      const again = await send(body);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await json<Refund>(again, 201), first);
      assert.equal((await paymentOf(opened.orderId)).amountRefunded, 4);
      const reused = await problemOf(await send({ ...body, amount: 5 }), 422);
      assert.equal(reused.code, 'IDEMPOTENCY_KEY_REUSED');
    });

    test("lines the order cannot account for are refused as on the admin's route, named by the line; within it they are made", async () => {
      const kettle = randomUUID();
      const opened = await shop.openPayment(shop.customer.id, 30, 'manual', [{ productId: kettle, variantId: null, quantity: 2 }]);
      await json(await shop.admin.request('POST', `/api/orders/${opened.orderId}/payment/mark-paid`));
      const body = (lines: object[]) => ({ amount: 10, lines, reason: 'Return', createdBy: shop.admin.id });
      const refused = await problemOf(
        await shop.internal(
          'POST',
          refunds(opened.orderId),
          body([
            { productId: randomUUID(), quantity: 1 },
            { productId: kettle, quantity: 3 },
          ]),
        ),
        422,
      );
      assert.deepEqual(
        refused.invalidParams?.map((p) => p.name),
        ['body.lines.0.productId', 'body.lines.1.quantity'],
      );
      assert.deepEqual((await paymentOf(opened.orderId)).refunds, []);
      const made = await json<Refund>(await shop.internal('POST', refunds(opened.orderId), body([{ productId: kettle, quantity: 2 }])), 201);
      assert.deepEqual(made.lines, [{ productId: kettle, quantity: 2 }]);
    });

    test('refused, changing nothing: more than is left (422 naming body.amount), an unpaid payment (409), no payment (404), an admin without the service token (403), a bad body (400)', async () => {
      const opened = await paid(8);
      const over = await problemOf(await shop.internal('POST', refunds(opened.orderId), { amount: 8.01, reason: 'Too much', createdBy: null }), 422);
      assert.deepEqual(
        over.invalidParams?.map((p) => p.name),
        ['body.amount'],
      );
      const unpaid = await shop.openPayment(shop.customer.id, 8, 'manual');
      assert.equal(
        (await problemOf(await shop.internal('POST', refunds(unpaid.orderId), { reason: 'x', createdBy: null }), 409)).code,
        'PAYMENT_INVALID_STATE',
      );
      assert.equal((await problemOf(await shop.internal('POST', refunds(randomUUID()), { reason: 'x', createdBy: null }), 404)).code, 'PAYMENT_NOT_FOUND');
      assert.equal((await problemOf(await shop.admin.request('POST', refunds(opened.orderId), { reason: 'x', createdBy: null }), 403)).code, 'FORBIDDEN');
      const bad = await problemOf(await shop.internal('POST', refunds(opened.orderId), { reason: 'x' }), 400);
      assert.ok(
        bad.invalidParams?.some((p) => p.name === 'body.createdBy'),
        JSON.stringify(bad.invalidParams),
      );
      const payment = await paymentOf(opened.orderId);
      assert.deepEqual([payment.status, payment.amountRefunded, payment.refunds], ['paid', 0, []]);
      assert.equal((await paymentOf(unpaid.orderId)).status, 'unpaid');
    });
  });
}
