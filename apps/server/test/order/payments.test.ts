import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { CheckoutSettings, Payment } from '@dema/contracts';
import type { FakeStripe } from '@dema/payment/testing';
import { testTargets } from '@dema/platform/testing';
import { orderOf, problemOf, startOrderService, startWithStripe, type OrderTestProcess } from './helpers.ts';

for (const target of testTargets()) {
  describe(`checkout opens the order's payment (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target);
    });
    after(() => dema?.dispose());

    const paymentOf = async (orderId: string, as = dema.customer) => {
      const response = await as.request('GET', `/api/orders/${orderId}/payment`);
      if (response.status !== 200) throw new Error(`expected a payment, got ${response.status} ${await response.text()}`);
      return (await response.json()) as Payment;
    };

    test('an order placed has an unpaid manual payment for its total, and says so', async () => {
      const kettle = await dema.createProduct({ name: 'Paid Kettle', price: 24.5, stock: 10 });
      const order = await orderOf(await dema.placeOrder(dema.customer, [{ productId: kettle.id, quantity: 2 }]));
      assert.deepEqual(order.payment, { provider: 'manual', status: 'unpaid' });
      assert.deepEqual([order.paymentProvider, order.paymentStatus], ['manual', 'unpaid']);
      const payment = await paymentOf(order.id);
      assert.deepEqual([payment.amount, payment.currency, payment.provider, payment.status, payment.userId], [49, 'USD', 'manual', 'unpaid', dema.customer.id]);
      const read = await orderOf(await dema.customer.request('GET', `/api/orders/${order.id}`));
      assert.deepEqual([read.paymentProvider, read.paymentStatus, read.payment], ['manual', 'unpaid', undefined], 'read back without the POST-only summary');
    });

    test('stripe when the store has no Stripe: 422 naming body.paymentProvider, nothing reserved or written', async () => {
      const lamp = await dema.createProduct({ name: 'Cardless Lamp', price: 10, stock: 3 });
      const problem = await problemOf(
        await dema.customer.request('POST', '/api/orders', { items: [{ productId: lamp.id, quantity: 1 }], paymentProvider: 'stripe' }),
        422,
      );
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.paymentProvider'],
      );
      assert.equal((await dema.product(lamp.id)).stock, 3);
      const settings = (await (await dema.anonymous('GET', '/api/checkout-settings')).json()) as CheckoutSettings;
      assert.deepEqual([settings.paymentProviders, settings.stripePublishableKey], [['manual'], null]);
    });

    test('an idempotent replay answers with the same order and opens no second payment', async () => {
      const mug = await dema.createProduct({ name: 'Replayed Mug', price: 7.25, stock: 10 });
      const key = randomUUID();
      const body = { items: [{ productId: mug.id, quantity: 2 }], paymentProvider: 'manual' };
      const first = await orderOf(await dema.customer.request('POST', '/api/orders', body, { 'idempotency-key': key }));
      const again = await dema.customer.request('POST', '/api/orders', body, { 'idempotency-key': key });
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal((await orderOf(again)).id, first.id);
      const payments = await dema.query<{ n: number }>('payment', 'SELECT count(*)::int AS n FROM payments WHERE order_id = $1', [first.id]);
      assert.equal(payments[0]!.n, 1);
      assert.equal((await dema.product(mug.id)).stock, 8);
      // The provider is part of the request: the same key with another provider is another request.
      await problemOf(await dema.customer.request('POST', '/api/orders', { ...body, paymentProvider: 'stripe' }, { 'idempotency-key': key }), 422);
    });
  });

  describe(`checkout with Stripe (${target.name})`, () => {
    let dema: OrderTestProcess;
    let stripe: FakeStripe;

    before(async () => {
      ({ dema, stripe } = await startWithStripe(target, 'sk_test_dema'));
    });
    after(async () => {
      await dema?.dispose();
      await stripe?.close();
    });

    test('a card order opens a PaymentIntent for the total; the client secret goes to the owner only', async () => {
      const chair = await dema.createProduct({ name: 'Card Chair', price: 80, stock: 4 });
      const order = await orderOf(
        await dema.customer.request('POST', '/api/orders', { items: [{ productId: chair.id, quantity: 1 }], paymentProvider: 'stripe' }),
      );
      assert.equal(order.payment?.provider, 'stripe');
      assert.equal(order.payment?.status, 'unpaid');
      assert.match(order.payment?.clientSecret ?? '', /^pi_.+_secret_/);
      const intent = [...stripe.intents.values()].find((i) => i.metadata.orderId === order.id);
      assert.equal(intent?.amount, 8000);
      const settings = (await (await dema.anonymous('GET', '/api/checkout-settings')).json()) as CheckoutSettings;
      assert.deepEqual([settings.paymentProviders, settings.stripePublishableKey], [['manual', 'stripe'], 'pk_test_dema']);
      const asAdmin = (await (await dema.admin.request('GET', `/api/orders/${order.id}/payment`)).json()) as Payment;
      assert.equal(asAdmin.clientSecret, undefined);
    });
  });

  describe(`checkout when the payment cannot be opened (${target.name})`, () => {
    let dema: OrderTestProcess;
    let stripe: FakeStripe;

    before(async () => {
      // Stripe refuses a key that is not a secret key (401): every PaymentIntent fails to open.
      ({ dema, stripe } = await startWithStripe(target, 'not_a_key'));
    });
    after(async () => {
      await dema?.dispose();
      await stripe?.close();
    });

    test('the refusal is what the shopper gets; the stock goes back, no order and no placement are left', async () => {
      const desk = await dema.createProduct({ name: 'Unpayable Desk', price: 300, stock: 2 });
      const key = randomUUID();
      const body = { items: [{ productId: desk.id, quantity: 2 }] };
      const problem = await problemOf(
        await dema.customer.request('POST', '/api/orders', { ...body, paymentProvider: 'stripe' }, { 'idempotency-key': key }),
        409,
      );
      assert.equal(problem.code, 'PAYMENT_PROVIDER_ERROR');
      assert.equal((await dema.product(desk.id)).stock, 2);
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.product_id = $1', [desk.id]), 0);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders'), 0);
      // The stock really is free again: the same lines paid manually go through.
      const order = await orderOf(await dema.customer.request('POST', '/api/orders', body));
      assert.equal(order.paymentStatus, 'unpaid');
    });
  });
}
