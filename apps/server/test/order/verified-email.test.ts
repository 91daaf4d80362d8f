import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CheckoutSettings } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { problemOf, startOrderService, type OrderTestProcess, type TestUser } from './helpers.ts';

for (const target of testTargets()) {
  describe(`orders from customers who verified their email (${target.name})`, () => {
    let dema: OrderTestProcess;

    before(async () => {
      dema = await startOrderService(target);
    });
    after(async () => {
      await dema.admin.request('PUT', '/api/checkout-settings', { ...(await settings()), requireVerifiedEmail: false });
      await dema.dispose();
    });

    const settings = async () => {
      const {
        shipsTo: _s,
        paymentProviders: _p,
        stripePublishableKey: _k,
        ...stored
      } = (await (await dema.anonymous('GET', '/api/checkout-settings')).json()) as CheckoutSettings;
      return stored;
    };
    const requireVerifiedEmail = async (on: boolean) => {
      const response = await dema.admin.request('PUT', '/api/checkout-settings', { ...(await settings()), requireVerifiedEmail: on });
      assert.equal(response.status, 200, await response.text());
    };
    /** Marks the customer's email verified (what opening the emailed link does) and signs them in again for a token that says so. */
    const verify = async (customer: TestUser): Promise<TestUser> => {
      const users = await dema.infra.database('user');
      const { rows } = await users.query<{ email: string }>('UPDATE users SET email_verified_at = now() WHERE id = $1 RETURNING email', [customer.id]);
      const { tokens } = await dema.services.user.identity.login(rows[0]!.email, 'correct-horse-battery-staple', '10.9.0.1');
      return {
        ...customer,
        token: tokens.accessToken,
        request: (method, url, body, headers = {}) =>
          fetch(`${dema.url}${url}`, {
            method,
            headers: { authorization: `Bearer ${tokens.accessToken}`, 'content-type': 'application/json', ...headers },
            body: body === undefined ? undefined : JSON.stringify(body),
          }),
      };
    };

    test('by default an unverified customer places orders', async () => {
      assert.equal((await settings()).requireVerifiedEmail, false);
      const product = await dema.createProduct({ stock: 3 });
      const response = await dema.placeOrder(await dema.newCustomer(), [{ productId: product.id, quantity: 1 }]);
      assert.equal(response.status, 201, await response.text());
    });

    test('with the setting on, an unverified customer is refused 403 EMAIL_NOT_VERIFIED and nothing is reserved, claimed or written', async () => {
      await requireVerifiedEmail(true);
      const product = await dema.createProduct({ stock: 3 });
      const customer = await dema.newCustomer();
      const before = await dema.count('order', 'SELECT 1 FROM orders WHERE user_id = $1', [customer.id]);
      const response = await dema.placeOrder(customer, [{ productId: product.id, quantity: 2 }], { 'idempotency-key': `verify-${customer.id}` });
      const problem = await problemOf(response, 403);
      assert.equal(problem.code, 'EMAIL_NOT_VERIFIED');
      assert.match(problem.detail ?? '', /verified their email/);
      assert.equal((await dema.product(product.id)).stock, 3, 'no stock taken');
      assert.equal(await dema.count('order', 'SELECT 1 FROM orders WHERE user_id = $1', [customer.id]), before);
      assert.equal(await dema.count('order', 'SELECT 1 FROM pending_orders WHERE user_id = $1', [customer.id]), 0, 'no placement left on the saga log');

      // Verified and signed in again: the same request with the same key goes through.
      const verified = await verify(customer);
      const placed = await verified.request(
        'POST',
        '/api/orders',
        { items: [{ productId: product.id, quantity: 2 }] },
        { 'idempotency-key': `verify-${customer.id}` },
      );
      assert.equal(placed.status, 201, await placed.text());
      assert.equal((await dema.product(product.id)).stock, 1);
    });

    test('the access token speaks for when it was issued: one from before the verification is still refused (clients refresh on this code)', async () => {
      await requireVerifiedEmail(true);
      const product = await dema.createProduct({ stock: 3 });
      const customer = await dema.newCustomer();
      await verify(customer);
      assert.equal((await problemOf(await dema.placeOrder(customer, [{ productId: product.id, quantity: 1 }]), 403)).code, 'EMAIL_NOT_VERIFIED');
    });

    test('a settings PUT without the setting keeps it; turning it off lets unverified customers order again', async () => {
      await requireVerifiedEmail(true);
      const { requireVerifiedEmail: _left, ...older } = await settings();
      const kept = (await (await dema.admin.request('PUT', '/api/checkout-settings', older)).json()) as CheckoutSettings;
      assert.equal(kept.requireVerifiedEmail, true, 'a client that predates the setting does not turn it off');
      await requireVerifiedEmail(false);
      const product = await dema.createProduct({ stock: 3 });
      assert.equal((await dema.placeOrder(await dema.newCustomer(), [{ productId: product.id, quantity: 1 }])).status, 201);
    });

    test('the setting is not a boolean: 400 naming it, and the store keeps its setting', async () => {
      await requireVerifiedEmail(false);
      const problem = await problemOf(await dema.admin.request('PUT', '/api/checkout-settings', { ...(await settings()), requireVerifiedEmail: 'yes' }), 400);
      assert.deepEqual(
        problem.invalidParams?.map((p) => p.name),
        ['body.requireVerifiedEmail'],
      );
      assert.equal((await settings()).requireVerifiedEmail, false);
    });
  });
}
