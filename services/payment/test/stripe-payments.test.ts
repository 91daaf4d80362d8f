import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Payment, Refund } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { eventsArrived, json, problemOf, startPayments, waitFor, type PaymentTestProcess } from './helpers.ts';

const webhookPath = '/api/payments/stripe/webhook';

for (const target of testTargets()) {
  describe(`Stripe payments against a local fake (${target.name})`, () => {
    let shop: PaymentTestProcess;
    before(async () => {
      shop = await startPayments(target);
    });
    after(() => shop.dispose());

    const paymentOf = async (orderId: string) => json<Payment>(await shop.admin.request('GET', `/api/orders/${orderId}/payment`));
    /** Delivers every event Stripe recorded for `intentId` of `type`, oldest first; each must be taken. */
    const deliverAll = async (type: string, intentId: string) => {
      for (const event of shop.stripe.eventsOf(type, intentId)) assert.equal((await shop.stripe.deliver(event)).status, 200);
    };
    /** A payment authorized at Stripe and recorded so from its webhook. */
    const authorized = async (amount: number) => {
      const opened = await shop.openPayment(shop.customer.id, amount, 'stripe');
      assert.equal(await shop.stripe.confirm(opened.providerRef!), 200);
      await deliverAll('payment_intent.amount_capturable_updated', opened.providerRef!);
      return opened;
    };
    const captured = async (amount: number) => {
      const opened = await authorized(amount);
      await json(await shop.internal('POST', `/internal/payments/${opened.orderId}/capture`, {}));
      return opened;
    };

    test('the whole card flow: open → confirm → webhook → authorized → capture → paid → partial refund → full refund; each event once', async () => {
      const seen = await shop.recordEvents();
      const opened = await shop.openPayment(shop.customer.id, 50, 'stripe');
      assert.equal(opened.status, 'unpaid');
      assert.match(opened.providerRef ?? '', /^pi_/);
      assert.match(opened.clientSecret ?? '', /^pi_.+_secret_/);
      const intent = shop.stripe.intents.get(opened.providerRef!)!;
      assert.equal(intent.amount, 5000, 'minor units');
      assert.equal(intent.capture_method, 'manual');
      assert.equal(intent.currency, 'usd');
      assert.equal(intent.metadata.orderId, opened.orderId);
      const own = await json<Payment>(await shop.customer.request('GET', `/api/orders/${opened.orderId}/payment`));
      assert.equal(own.clientSecret, opened.clientSecret, 'the owner gets the client secret for the card form');
      assert.equal((await paymentOf(opened.orderId)).clientSecret, undefined, 'nobody else does');

      assert.equal(await shop.stripe.confirm(opened.providerRef!), 200);
      assert.equal((await paymentOf(opened.orderId)).status, 'unpaid', 'nothing changes before Stripe says so');
      await deliverAll('payment_intent.amount_capturable_updated', opened.providerRef!);
      assert.equal((await paymentOf(opened.orderId)).status, 'authorized');

      const paid = await json(await shop.internal('POST', `/internal/payments/${opened.orderId}/capture`, {}));
      assert.equal(paid.status, 'paid');
      assert.equal(paid.amountCaptured, 50);
      assert.equal(intent.status, 'succeeded');
      // Stripe's own report of the capture arrives afterwards: already known, nothing changes.
      await deliverAll('payment_intent.succeeded', opened.providerRef!);

      const base = `/api/orders/${opened.orderId}`;
      const partial = await json<Refund>(await shop.admin.request('POST', `${base}/refunds`, { amount: 20, reason: 'one item damaged' }), 201);
      assert.match(partial.providerRef ?? '', /^re_/);
      assert.equal((await paymentOf(opened.orderId)).status, 'partially_refunded');
      const full = await json<Refund>(await shop.admin.request('POST', `${base}/refunds`, { reason: 'customer returned the rest' }), 201);
      assert.equal(full.amount, 30);
      await deliverAll('charge.refunded', opened.providerRef!);
      const refunded = await paymentOf(opened.orderId);
      assert.equal(refunded.status, 'refunded');
      assert.equal(refunded.amountRefunded, 50);
      assert.deepEqual(
        refunded.refunds.map((r) => [r.amount, r.createdBy, r.status]),
        [
          [20, shop.admin.id, 'succeeded'],
          [30, shop.admin.id, 'succeeded'],
        ],
        "Stripe's charge.refunded for our own refunds adds none",
      );
      assert.equal(shop.stripe.charges.get(intent.latest_charge!)!.amount_refunded, 5000);

      await shop.flushEvents();
      await eventsArrived(seen, 4);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(
        seen.map((e) => e.type),
        ['PAYMENT_AUTHORIZED', 'PAYMENT_CAPTURED', 'PAYMENT_REFUNDED', 'PAYMENT_REFUNDED'],
      );
      const refundedEvents = seen
        .filter((e) => e.type === 'PAYMENT_REFUNDED')
        .map((e) => e.payload as { amount: number; amountRefunded: number; fullyRefunded: boolean });
      assert.deepEqual(
        refundedEvents.map((p) => [p.amount, p.amountRefunded, p.fullyRefunded]),
        [
          [20, 20, false],
          [30, 50, true],
        ],
      );
    });

    test('every POST to Stripe carries an idempotency key', () => {
      const posts = shop.stripe.requests.filter((r) => r.method === 'POST' && !r.path.endsWith('/confirm'));
      assert.ok(posts.length > 0);
      assert.deepEqual(
        posts.filter((r) => !r.idempotencyKey),
        [],
      );
    });

    test('a refund above what is left is a 422 naming body.amount, and nothing changes here or at Stripe', async () => {
      const opened = await captured(50);
      await json(await shop.admin.request('POST', `/api/orders/${opened.orderId}/refunds`, { amount: 45, reason: 'most of it' }), 201);
      const stripeCalls = shop.stripe.requests.length;
      const refused = await problemOf(await shop.admin.request('POST', `/api/orders/${opened.orderId}/refunds`, { amount: 5.01, reason: 'too much' }), 422);
      assert.equal(refused.invalidParams?.[0]?.name, 'body.amount');
      assert.equal(shop.stripe.requests.length, stripeCalls, 'Stripe was not asked');
      const payment = await paymentOf(opened.orderId);
      assert.equal(payment.amountRefunded, 45);
      assert.equal(payment.refunds.length, 1);
    });

    test('10 concurrent refunds of 10.00 on a 50.00 payment: exactly 5 succeed, the rest are 422', async () => {
      const opened = await captured(50);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => shop.admin.request('POST', `/api/orders/${opened.orderId}/refunds`, { amount: 10, reason: `racer ${i}` })),
      );
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 201, 201, 201, 201, 422, 422, 422, 422, 422]);
      const payment = await paymentOf(opened.orderId);
      assert.equal(payment.status, 'refunded');
      assert.equal(payment.amountRefunded, 50);
      assert.equal(payment.refunds.length, 5);
      const charge = shop.stripe.charges.get(shop.stripe.intents.get(opened.providerRef!)!.latest_charge!)!;
      assert.equal(charge.amount_refunded, 5000);
    });

    test('a webhook with a bad signature is a 400 and changes nothing', async () => {
      const opened = await shop.openPayment(shop.customer.id, 20, 'stripe');
      await shop.stripe.confirm(opened.providerRef!);
      const [event] = shop.stripe.eventsOf('payment_intent.amount_capturable_updated', opened.providerRef!);
      const forged = await shop.stripe.deliver(event!, { secret: 'whsec_not_the_endpoints' });
      assert.equal(forged.status, 400);
      assert.equal(forged.body.code, 'WEBHOOK_SIGNATURE_INVALID');
      assert.equal((await shop.stripe.deliver(event!, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status, 400, 'too old: a replay');
      const unsigned = await shop.anonymous('POST', webhookPath, event);
      assert.equal(unsigned.status, 400);
      assert.equal((await paymentOf(opened.orderId)).status, 'unpaid');
      assert.equal(await shop.count('SELECT 1 FROM processed_webhook_events WHERE event_id = $1', [event!.id]), 0);
      // The genuine delivery of the same event is then taken.
      assert.equal((await shop.stripe.deliver(event!)).status, 200);
      assert.equal((await paymentOf(opened.orderId)).status, 'authorized');
    });

    test('the same webhook twice is processed once: one change, one event', async () => {
      const seen = await shop.recordEvents();
      const opened = await shop.openPayment(shop.customer.id, 20, 'stripe');
      await shop.stripe.confirm(opened.providerRef!);
      const [event] = shop.stripe.eventsOf('payment_intent.amount_capturable_updated', opened.providerRef!);
      const [first, second] = await Promise.all([shop.stripe.deliver(event!), shop.stripe.deliver(event!)]);
      assert.deepEqual([first.status, second.status], [200, 200]);
      assert.deepEqual([first.body.processed, second.body.processed].sort(), [false, true]);
      assert.equal((await shop.stripe.deliver(event!)).body.processed, false);
      await shop.flushEvents();
      await eventsArrived(seen, 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(
        seen.filter((e) => (e.payload as { orderId: string }).orderId === opened.orderId).map((e) => e.type),
        ['PAYMENT_AUTHORIZED'],
      );
    });

    test('webhooks out of order never move a payment backwards: a late "authorized" after the refund changes nothing', async () => {
      const seen = await shop.recordEvents();
      const opened = await shop.openPayment(shop.customer.id, 30, 'stripe');
      await shop.stripe.confirm(opened.providerRef!);
      // The capture and refund happen at Stripe (the dashboard); their webhooks arrive newest first.
      const stripeApi = `${shop.stripe.url}/v1`;
      const auth = { authorization: 'Bearer sk_test_dema', 'content-type': 'application/x-www-form-urlencoded' };
      assert.equal((await fetch(`${stripeApi}/payment_intents/${opened.providerRef}/capture`, { method: 'POST', headers: auth })).status, 200);
      const refund = await fetch(`${stripeApi}/refunds`, {
        method: 'POST',
        headers: auth,
        body: new URLSearchParams({ payment_intent: opened.providerRef!, amount: '3000' }),
      });
      assert.equal(refund.status, 200);
      const events = shop.stripe.events.filter((e) => e.data.object.id === opened.providerRef || e.data.object.payment_intent === opened.providerRef).reverse();
      for (const event of events) assert.equal((await shop.stripe.deliver(event)).status, 200, event.type);
      const payment = await paymentOf(opened.orderId);
      assert.equal(payment.status, 'refunded');
      assert.equal(payment.amountCaptured, 30);
      assert.equal(payment.amountRefunded, 30);
      assert.deepEqual(
        payment.refunds.map((r) => [r.amount, r.createdBy, r.reason]),
        [[30, null, 'Refunded at Stripe']],
      );
      // And delivered again in the right order: all already processed.
      for (const event of events.reverse()) assert.equal((await shop.stripe.deliver(event)).body.processed, false);
      await shop.flushEvents();
      await eventsArrived(seen, 2);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(
        seen.filter((e) => (e.payload as { orderId: string }).orderId === opened.orderId).map((e) => e.type),
        ['PAYMENT_CAPTURED', 'PAYMENT_REFUNDED'],
      );
    });

    test('a declined card makes the payment failed (PAYMENT_FAILED); another card then authorizes it', async () => {
      const seen = await shop.recordEvents();
      const opened = await shop.openPayment(shop.customer.id, 12, 'stripe');
      assert.equal(await shop.stripe.confirm(opened.providerRef!, 'declined'), 402);
      await deliverAll('payment_intent.payment_failed', opened.providerRef!);
      assert.equal((await paymentOf(opened.orderId)).status, 'failed');
      const own = await json<Payment>(await shop.customer.request('GET', `/api/orders/${opened.orderId}/payment`));
      assert.ok(own.clientSecret, 'the owner may try another card');
      assert.equal(await shop.stripe.confirm(opened.providerRef!), 200);
      await deliverAll('payment_intent.amount_capturable_updated', opened.providerRef!);
      assert.equal((await paymentOf(opened.orderId)).status, 'authorized');
      await shop.flushEvents();
      await eventsArrived(seen, 2);
      const failed = seen.find((e) => e.type === 'PAYMENT_FAILED');
      assert.ok(failed, 'PAYMENT_FAILED fired');
      assert.equal((failed.payload as { reason: string }).reason, 'Your card was declined.');
    });

    test('capture of a payment not authorized is a 409; capture twice captures once', async () => {
      const opened = await shop.openPayment(shop.customer.id, 12, 'stripe');
      assert.equal((await problemOf(await shop.internal('POST', `/internal/payments/${opened.orderId}/capture`, {}), 409)).code, 'PAYMENT_INVALID_STATE');
      await shop.stripe.confirm(opened.providerRef!);
      await deliverAll('payment_intent.amount_capturable_updated', opened.providerRef!);
      const [a, b] = await Promise.all([
        shop.internal('POST', `/internal/payments/${opened.orderId}/capture`, {}).then((r) => json(r)),
        shop.internal('POST', `/internal/payments/${opened.orderId}/capture`, {}).then((r) => json(r)),
      ]);
      assert.deepEqual([a.status, b.status], ['paid', 'paid']);
      assert.equal(shop.stripe.eventsOf('payment_intent.succeeded', opened.providerRef!).length, 1, 'Stripe captured once');
    });

    test('mark-paid on a card payment is a 409', async () => {
      const opened = await shop.openPayment(shop.customer.id, 12, 'stripe');
      const refused = await problemOf(await shop.admin.request('POST', `/api/orders/${opened.orderId}/payment/mark-paid`), 409);
      assert.equal(refused.code, 'PAYMENT_INVALID_STATE');
      assert.equal((await paymentOf(opened.orderId)).status, 'unpaid');
    });

    test('cancelling: an authorization is released (voided at Stripe), a captured payment refunded in full, an unpaid one closed', async () => {
      const held = await authorized(15);
      assert.equal((await json(await shop.internal('POST', `/internal/payments/${held.orderId}/cancel`))).status, 'voided');
      assert.equal(shop.stripe.intents.get(held.providerRef!)!.status, 'canceled');
      await deliverAll('payment_intent.canceled', held.providerRef!);
      assert.equal((await paymentOf(held.orderId)).status, 'voided');

      const taken = await captured(15);
      const refunded = await json(await shop.internal('POST', `/internal/payments/${taken.orderId}/cancel`));
      assert.equal(refunded.status, 'refunded');
      assert.equal(shop.stripe.charges.get(shop.stripe.intents.get(taken.providerRef!)!.latest_charge!)!.amount_refunded, 1500);

      const unpaid = await shop.openPayment(shop.customer.id, 15, 'stripe');
      assert.equal((await json(await shop.internal('POST', `/internal/payments/${unpaid.orderId}/cancel`))).status, 'voided');
      assert.equal(await shop.stripe.confirm(unpaid.providerRef!), 400, 'the card can no longer be authorized for it');
    });

    test('a refused Stripe call changes nothing and leaves no pending refund', async () => {
      const opened = await captured(20);
      // Refunded at Stripe behind our back, not yet told: Stripe refuses our refund of the same money.
      const stripeApi = `${shop.stripe.url}/v1`;
      const auth = { authorization: 'Bearer sk_test_dema', 'content-type': 'application/x-www-form-urlencoded' };
      await fetch(`${stripeApi}/refunds`, { method: 'POST', headers: auth, body: new URLSearchParams({ payment_intent: opened.providerRef! }) });
      const refused = await problemOf(await shop.admin.request('POST', `/api/orders/${opened.orderId}/refunds`, { amount: 5, reason: 'late' }), 409);
      assert.equal(refused.code, 'PAYMENT_PROVIDER_ERROR');
      const payment = await paymentOf(opened.orderId);
      assert.equal(payment.refunds.length, 0);
      assert.equal(payment.status, 'paid');
      await waitFor('no pending refund', async () => (await shop.count(`SELECT 1 FROM refunds WHERE status = 'pending'`)) === 0);
    });
    test('a refund left pending by a crash is finished by the sweep, once, even when Stripe had already made it', async () => {
      const seen = await shop.recordEvents();
      const opened = await captured(40);
      const db = await shop.infra.database('payment');
      const reserve = async (amount: string) => {
        const refundId = randomUUID();
        await db.query(
          `INSERT INTO refunds (id, payment_id, amount, reason, created_by, status, created_at)
           VALUES ($1, $2, $3, 'crashed mid-way', $4, 'pending', now() - interval '10 minutes')`,
          [refundId, opened.id, amount, shop.admin.id],
        );
        return refundId;
      };
      // One crashed before asking Stripe; one after Stripe made it (same idempotency key as ours).
      const notAsked = await reserve('10.00');
      const madeAtStripe = await reserve('5.00');
      const made = await fetch(`${shop.stripe.url}/v1/refunds`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_dema', 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': `refund-${madeAtStripe}` },
        body: new URLSearchParams({ payment_intent: opened.providerRef!, amount: '500' }),
      });
      assert.equal(made.status, 200);
      const limited = await problemOf(await shop.admin.request('POST', `/api/orders/${opened.orderId}/refunds`, { amount: 25.01, reason: 'more' }), 422);
      assert.match(limited.detail ?? '', /25\.00/, 'pending refunds count against what is left');

      const payments = shop.services.payment.payments;
      const finished = await Promise.all([payments.finishPendingRefunds(), payments.finishPendingRefunds()]);
      assert.equal(finished[0] + finished[1], 2);
      const payment = await paymentOf(opened.orderId);
      assert.equal(payment.amountRefunded, 15);
      assert.deepEqual(
        payment.refunds.map((r) => r.status),
        ['succeeded', 'succeeded'],
      );
      assert.deepEqual(payment.refunds.map((r) => r.id).sort(), [notAsked, madeAtStripe].sort());
      assert.equal(shop.stripe.charges.get(shop.stripe.intents.get(opened.providerRef!)!.latest_charge!)!.amount_refunded, 1500, 'Stripe refunded each once');
      assert.equal(await payments.finishPendingRefunds(), 0);
      await shop.flushEvents();
      await eventsArrived(seen, 4);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(seen.filter((e) => e.type === 'PAYMENT_REFUNDED' && (e.payload as { orderId: string }).orderId === opened.orderId).length, 2);
    });
    test('a refund with an Idempotency-Key is made once however often it is sent; the same key with another body is a 422', async () => {
      const opened = await captured(30);
      const path = `/api/orders/${opened.orderId}/refunds`;
      const send = (body: object, key: string) => shop.admin.request('POST', path, body, { 'idempotency-key': key });
      const body = { amount: 7, reason: 'double click' };
      const answers = await Promise.all(Array.from({ length: 5 }, () => send(body, 'refund-click-1')));
      assert.deepEqual(
        answers.map((r) => r.status),
        [201, 201, 201, 201, 201],
      );
      const refunds = await Promise.all(answers.map((r) => r.json() as Promise<Refund>));
      assert.equal(new Set(refunds.map((r) => r.id)).size, 1);
      assert.equal(answers.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 4);
      const reused = await problemOf(await send({ ...body, amount: 8 }, 'refund-click-1'), 422);
      assert.equal(reused.code, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(reused.invalidParams?.[0]?.name, 'header.idempotency-key');
      const payment = await paymentOf(opened.orderId);
      assert.equal(payment.amountRefunded, 7);
      assert.equal(payment.refunds.length, 1);
      assert.equal(shop.stripe.charges.get(shop.stripe.intents.get(opened.providerRef!)!.latest_charge!)!.amount_refunded, 700);
      assert.equal((await json<Refund>(await send(body, 'refund-click-2'), 201)).amount, 7, 'a new key is a new refund');
    });
  });
}
