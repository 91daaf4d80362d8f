import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Payment, Refund } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { eventsArrived, json, problemOf, startPayments, type PaymentTestProcess } from './helpers.ts';

for (const target of testTargets()) {
  describe(`manual payments (${target.name})`, () => {
    let shop: PaymentTestProcess;
    before(async () => {
      shop = await startPayments(target);
    });
    after(() => shop.dispose());

    test('a manual payment waits unpaid until an admin marks it paid; PAYMENT_CAPTURED fires once', async () => {
      const seen = await shop.recordEvents();
      const opened = await shop.openPayment(shop.customer.id, 42.5, 'manual');
      assert.equal(opened.status, 'unpaid');
      assert.equal(opened.providerRef, null);
      assert.equal(opened.clientSecret, undefined);
      const path = `/api/orders/${opened.orderId}/payment`;
      assert.equal((await json(await shop.customer.request('GET', path))).status, 'unpaid');

      const paid = await json(await shop.admin.request('POST', `${path}/mark-paid`));
      assert.equal(paid.status, 'paid');
      assert.equal(paid.amountCaptured, 42.5);
      const again = await problemOf(await shop.admin.request('POST', `${path}/mark-paid`), 409);
      assert.equal(again.code, 'PAYMENT_INVALID_STATE');

      await shop.flushEvents();
      await eventsArrived(seen, 1);
      const captured = seen.filter((e) => e.type === 'PAYMENT_CAPTURED');
      assert.equal(captured.length, 1);
      assert.deepEqual(
        { ...(captured[0]!.payload as object), timestamp: undefined },
        {
          paymentId: opened.id,
          orderId: opened.orderId,
          userId: shop.customer.id,
          provider: 'manual',
          currency: 'USD',
          amount: 42.5,
          timestamp: undefined,
        },
      );
    });

    test('only admins mark paid; a customer is refused (403) and the payment stays unpaid', async () => {
      const opened = await shop.openPayment(shop.customer.id, 10, 'manual');
      await problemOf(await shop.customer.request('POST', `/api/orders/${opened.orderId}/payment/mark-paid`), 403);
      assert.equal((await json(await shop.admin.request('GET', `/api/orders/${opened.orderId}/payment`))).status, 'unpaid');
    });

    test('marking paid takes no body or an empty object; a field is a 400 naming it, and the payment stays unpaid', async () => {
      const opened = await shop.openPayment(shop.customer.id, 10, 'manual');
      const markPaid = `/api/orders/${opened.orderId}/payment/mark-paid`;
      for (const [body, field] of [
        [{ x: 1 }, 'body.x'],
        [{ amount: 10 }, 'body.amount'],
        [[], 'body'],
        [null, 'body'],
      ] as const) {
        const problem = await problemOf(await shop.admin.request('POST', markPaid, body), 400);
        assert.equal(problem.code, 'VALIDATION_FAILED', JSON.stringify(body));
        assert.deepEqual(
          problem.invalidParams?.map((p) => p.name),
          [field],
          JSON.stringify(body),
        );
      }
      assert.equal((await json(await shop.admin.request('GET', `/api/orders/${opened.orderId}/payment`))).status, 'unpaid');
      assert.equal((await json(await shop.admin.request('POST', markPaid, {}))).status, 'paid');
      const another = await shop.openPayment(shop.customer.id, 10, 'manual');
      assert.equal((await json(await shop.admin.request('POST', `/api/orders/${another.orderId}/payment/mark-paid`))).status, 'paid');
    });

    test("a customer sees only their own order's payment: another's is a 404, as is an order without one", async () => {
      const opened = await shop.openPayment(shop.customer.id, 10, 'manual');
      const stranger = await shop.newCustomer();
      assert.equal((await problemOf(await stranger.request('GET', `/api/orders/${opened.orderId}/payment`), 404)).code, 'PAYMENT_NOT_FOUND');
      await problemOf(await shop.customer.request('GET', `/api/orders/${randomUUID()}/payment`), 404);
      await problemOf(await shop.anonymous('GET', `/api/orders/${opened.orderId}/payment`), 401);
    });

    test('opening is idempotent by order id: the same body gives the same payment, another amount a 409 naming it', async () => {
      const orderId = randomUUID();
      const body = { userId: shop.customer.id, amount: 19.99, currency: 'USD', provider: 'manual' };
      const first = await json(await shop.internal('PUT', `/internal/payments/${orderId}`, body));
      const second = await json(await shop.internal('PUT', `/internal/payments/${orderId}`, body));
      assert.equal(second.id, first.id);
      const refused = await problemOf(await shop.internal('PUT', `/internal/payments/${orderId}`, { ...body, amount: 20 }), 409);
      assert.deepEqual(
        refused.invalidParams?.map((p) => p.name),
        ['body.amount'],
      );
      assert.equal(await shop.count('SELECT 1 FROM payments WHERE order_id = $1', [orderId]), 1);
    });

    test('concurrent opens of one order make one payment', async () => {
      const orderId = randomUUID();
      const body = { userId: shop.customer.id, amount: 5, currency: 'USD', provider: 'manual' };
      const answers = await Promise.all(Array.from({ length: 5 }, () => shop.internal('PUT', `/internal/payments/${orderId}`, body).then((r) => json(r))));
      assert.equal(new Set(answers.map((p) => p.id)).size, 1);
    });

    test('the internal routes need the service token', async () => {
      const body = { userId: shop.customer.id, amount: 5, currency: 'USD', provider: 'manual' };
      await problemOf(await shop.admin.request('PUT', `/internal/payments/${randomUUID()}`, body), 403);
      await problemOf(await shop.anonymous('POST', `/internal/payments/${randomUUID()}/cancel`), 403);
    });

    test('a refund of a manual payment is recorded with who made it and why; above what is left is a 422 naming body.amount', async () => {
      const opened = await shop.openPayment(shop.customer.id, 30, 'manual');
      const base = `/api/orders/${opened.orderId}`;
      const early = await problemOf(await shop.admin.request('POST', `${base}/refunds`, { amount: 5, reason: 'too early' }), 409);
      assert.equal(early.code, 'PAYMENT_INVALID_STATE');
      await json(await shop.admin.request('POST', `${base}/payment/mark-paid`));
      const refund = await json<Refund>(await shop.admin.request('POST', `${base}/refunds`, { amount: 12.5, reason: 'scratched' }), 201);
      assert.equal(refund.amount, 12.5);
      assert.equal(refund.createdBy, shop.admin.id);
      assert.equal(refund.reason, 'scratched');
      const tooMuch = await problemOf(await shop.admin.request('POST', `${base}/refunds`, { amount: 17.51, reason: 'too much' }), 422);
      assert.equal(tooMuch.code, 'REFUND_EXCEEDS_PAID');
      assert.equal(tooMuch.invalidParams?.[0]?.name, 'body.amount');
      assert.match(tooMuch.invalidParams?.[0]?.reason ?? '', /17\.50/);
      const payment = await json<Payment>(await shop.customer.request('GET', `${base}/payment`));
      assert.equal(payment.status, 'partially_refunded');
      assert.equal(payment.amountRefunded, 12.5);
      assert.equal(payment.refunds.length, 1);
      const rest = await json<Refund>(await shop.admin.request('POST', `${base}/refunds`, { reason: 'all the rest' }), 201);
      assert.equal(rest.amount, 17.5);
      assert.equal((await json(await shop.customer.request('GET', `${base}/payment`))).status, 'refunded');
    });

    test("a refund for returned lines needs its amount, and records the lines (unchecked on a payment opened without the order's)", async () => {
      const opened = await shop.openPayment(shop.customer.id, 30, 'manual');
      const base = `/api/orders/${opened.orderId}`;
      await json(await shop.admin.request('POST', `${base}/payment/mark-paid`));
      const lines = [{ productId: randomUUID(), quantity: 2 }];
      const missing = await problemOf(await shop.admin.request('POST', `${base}/refunds`, { lines, reason: 'returned' }), 422);
      assert.equal(missing.invalidParams?.[0]?.name, 'body.amount');
      const refund = await json<Refund>(await shop.admin.request('POST', `${base}/refunds`, { lines, amount: 20, reason: 'returned' }), 201);
      assert.deepEqual(refund.lines, lines);
    });

    test("refund lines are the order's: a product it does not have is a 422 naming body.lines.N.productId, more units than were ordered one naming body.lines.N.quantity; nothing is refunded", async () => {
      const kettle = randomUUID();
      const mug = { productId: randomUUID(), variantId: randomUUID() };
      const opened = await shop.openPayment(shop.customer.id, 60, 'manual', [
        { productId: kettle, variantId: null, quantity: 2 },
        { ...mug, quantity: 1 },
      ]);
      const base = `/api/orders/${opened.orderId}`;
      await json(await shop.admin.request('POST', `${base}/payment/mark-paid`));
      const refuse = async (lines: object[]) => problemOf(await shop.admin.request('POST', `${base}/refunds`, { lines, amount: 10, reason: 'returned' }), 422);

      const stranger = await refuse([
        { productId: kettle, quantity: 1 },
        { productId: randomUUID(), quantity: 1 },
      ]);
      assert.equal(stranger.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        stranger.invalidParams?.map((p) => p.name),
        ['body.lines.1.productId'],
      );
      const otherVariant = await refuse([{ productId: mug.productId, variantId: randomUUID(), quantity: 1 }]);
      assert.deepEqual(
        otherVariant.invalidParams?.map((p) => p.name),
        ['body.lines.0.productId'],
      );
      const tooMany = await refuse([{ productId: kettle, quantity: 3 }]);
      assert.deepEqual(tooMany.invalidParams, [{ name: 'body.lines.0.quantity', reason: 'is more than is left to refund of this line: 2 of the 2 ordered' }]);
      const payment = await json<Payment>(await shop.admin.request('GET', `${base}/payment`));
      assert.deepEqual([payment.status, payment.amountRefunded, payment.refunds], ['paid', 0, []]);
    });

    test('refund lines within the order are made, and count against later ones: the units earlier refunds named are not refunded again', async () => {
      const kettle = randomUUID();
      const mug = { productId: randomUUID(), variantId: randomUUID() };
      const opened = await shop.openPayment(shop.customer.id, 60, 'manual', [
        { productId: kettle, variantId: null, quantity: 2 },
        { ...mug, quantity: 1 },
      ]);
      const base = `/api/orders/${opened.orderId}`;
      await json(await shop.admin.request('POST', `${base}/payment/mark-paid`));
      const first = [
        { productId: kettle, quantity: 1 },
        { ...mug, quantity: 1 },
      ];
      const refund = await json<Refund>(await shop.admin.request('POST', `${base}/refunds`, { lines: first, amount: 30, reason: 'returned' }), 201);
      assert.deepEqual(refund.lines, first);
      const again = await problemOf(
        await shop.admin.request('POST', `${base}/refunds`, { lines: [{ productId: kettle, quantity: 2 }], amount: 10, reason: 'returned again' }),
        422,
      );
      assert.deepEqual(again.invalidParams, [{ name: 'body.lines.0.quantity', reason: 'is more than is left to refund of this line: 1 of the 2 ordered' }]);
      await json<Refund>(
        await shop.admin.request('POST', `${base}/refunds`, { lines: [{ productId: kettle, quantity: 1 }], amount: 10, reason: 'the other one' }),
        201,
      );
      // An amount alone names no lines: it is not checked against them.
      await json<Refund>(await shop.admin.request('POST', `${base}/refunds`, { amount: 5, reason: 'goodwill' }), 201);
      assert.equal((await json<Payment>(await shop.admin.request('GET', `${base}/payment`))).amountRefunded, 45);
    });

    test('two concurrent refunds of the last unit by its line: one is made, the other is a 422 naming its quantity', async () => {
      const kettle = randomUUID();
      const opened = await shop.openPayment(shop.customer.id, 20, 'manual', [{ productId: kettle, variantId: null, quantity: 1 }]);
      const base = `/api/orders/${opened.orderId}`;
      await json(await shop.admin.request('POST', `${base}/payment/mark-paid`));
      const body = { lines: [{ productId: kettle, quantity: 1 }], amount: 5, reason: 'returned' };
      const responses = await Promise.all([1, 2].map(() => shop.admin.request('POST', `${base}/refunds`, body)));
      assert.deepEqual(responses.map((r) => r.status).sort(), [201, 422]);
      const refused = await problemOf(responses.find((r) => r.status === 422)!, 422);
      assert.equal(refused.invalidParams?.[0]?.name, 'body.lines.0.quantity');
      await json<Refund>(responses.find((r) => r.status === 201)!, 201);
      const payment = await json<Payment>(await shop.admin.request('GET', `${base}/payment`));
      assert.deepEqual([payment.amountRefunded, payment.refunds.length], [5, 1]);
    });

    test('a repeat of a refund with its Idempotency-Key answers with it, though its lines used up what was ordered', async () => {
      const kettle = randomUUID();
      const opened = await shop.openPayment(shop.customer.id, 20, 'manual', [{ productId: kettle, variantId: null, quantity: 1 }]);
      const base = `/api/orders/${opened.orderId}`;
      await json(await shop.admin.request('POST', `${base}/payment/mark-paid`));
      const body = { lines: [{ productId: kettle, quantity: 1 }], amount: 20, reason: 'returned' };
      const key = { 'idempotency-key': randomUUID() };
      const first = await json<Refund>(await shop.admin.request('POST', `${base}/refunds`, body, key), 201);
      const repeat = await shop.admin.request('POST', `${base}/refunds`, body, key);
      assert.equal(repeat.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await json<Refund>(repeat, 201), first);
      assert.equal((await json<Payment>(await shop.admin.request('GET', `${base}/payment`))).refunds.length, 1);
    });

    test('cancelling an unpaid manual payment voids it; a voided payment cannot be marked paid', async () => {
      const opened = await shop.openPayment(shop.customer.id, 8, 'manual');
      const voided = await json(await shop.internal('POST', `/internal/payments/${opened.orderId}/cancel`));
      assert.equal(voided.status, 'voided');
      await problemOf(await shop.admin.request('POST', `/api/orders/${opened.orderId}/payment/mark-paid`), 409);
    });

    test('cancelling takes no body or an empty object; a field is a 400 naming it, and the payment stays', async () => {
      const opened = await shop.openPayment(shop.customer.id, 8, 'manual');
      const cancel = `/internal/payments/${opened.orderId}/cancel`;
      const problem = await problemOf(await shop.internal('POST', cancel, { refund: false }), 400);
      assert.equal(problem.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.refund'],
      );
      assert.equal((await json(await shop.admin.request('GET', `/api/orders/${opened.orderId}/payment`))).status, 'unpaid');
      assert.equal((await json(await shop.internal('POST', cancel, {}))).status, 'voided');
    });

    test('cancelling a paid manual payment refunds it in full, by the system', async () => {
      const opened = await shop.openPayment(shop.customer.id, 8, 'manual');
      await json(await shop.admin.request('POST', `/api/orders/${opened.orderId}/payment/mark-paid`));
      const cancelled = await json(await shop.internal('POST', `/internal/payments/${opened.orderId}/cancel`));
      assert.equal(cancelled.status, 'refunded');
      assert.equal(cancelled.amountRefunded, 8);
      assert.equal(cancelled.refunds[0]?.createdBy, null);
      const again = await json(await shop.internal('POST', `/internal/payments/${opened.orderId}/cancel`));
      assert.equal(again.refunds.length, 1, 'cancelling twice refunds once');
    });
    test('without Stripe configured, a card payment is a 422 naming body.provider and every webhook a 400', async () => {
      const plain = await startPayments(target, { stripe: undefined });
      try {
        const body = { userId: plain.customer.id, amount: 5, currency: 'USD', provider: 'stripe' };
        const refused = await problemOf(await plain.internal('PUT', `/internal/payments/${randomUUID()}`, body), 422);
        assert.equal(refused.invalidParams?.[0]?.name, 'body.provider');
        assert.equal(await plain.count('SELECT 1 FROM payments'), 0);
        const webhook = await plain.anonymous('POST', '/api/payments/stripe/webhook', { id: 'evt_1', type: 'payment_intent.succeeded', data: { object: {} } });
        assert.equal((await problemOf(webhook, 400)).code, 'WEBHOOK_SIGNATURE_INVALID');
      } finally {
        await plain.dispose();
      }
    });
  });
}
