import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createDemaClient, describeFailure, login, memoryTokenStore, newIdempotencyKey, placeOrder, signup, tokenAuth, type DemaClient } from '@dema/client';
import { freePort, testTargets } from '@dema/platform/testing';
import { failureOf, password, startClientShop, type ClientShop } from './support/client-shop.ts';

/**
 * `@dema/client` against the running all-in-one app: typed answers, the API's problems as
 * `DemaApiError` values, an order placed once per idempotency key, and an API that is not there.
 */

for (const target of testTargets()) {
  describe(`@dema/client against the app (${target.name})`, () => {
    let shop: ClientShop;
    const signedIn = async (): Promise<DemaClient> => {
      const client = createDemaClient({ baseUrl: shop.url, auth: tokenAuth({ store: memoryTokenStore() }) });
      await login(client, { email: await shop.newAccount(), password });
      return client;
    };

    before(async () => {
      shop = await startClientShop(target);
    });
    after(async () => {
      await shop?.dema.dispose();
    });

    test('the product list and a product come back as their typed bodies', async () => {
      const anonymous = createDemaClient({ baseUrl: shop.url });
      const page = await anonymous.GET('/api/products', { params: { query: { limit: 50 } } });
      const listed = page.items.find((item) => item.id === shop.product.id);
      assert.deepEqual([listed?.name, listed?.price], [shop.product.name, shop.product.price]);
      assert.ok(page.total >= 1);
      const product = await anonymous.GET('/api/products/{id}', { params: { path: { id: shop.product.id } } });
      assert.deepEqual([product.id, product.name, product.price, product.stock], [shop.product.id, 'Copper kettle', 30, 100]);
    });

    test('signup signs the new customer in; a bad signup is a 400 VALIDATION_FAILED naming email, password and name', async () => {
      const client = createDemaClient({ baseUrl: shop.url, auth: tokenAuth({ store: memoryTokenStore() }) });
      const email = `signup.${randomBytes(4).toString('hex')}@client.dema.dev`;
      const user = await signup(client, { email, password, name: 'New Customer' });
      assert.deepEqual([user.email, user.role], [email, 'customer']);
      assert.equal((await client.GET('/api/users/me')).id, user.id, 'the session is kept: /api/users/me answers as the new customer');

      const refused = await failureOf(signup(client, { email: 'not-an-email', password: 'short', name: '' }));
      assert.deepEqual([refused.status, refused.code], [400, 'VALIDATION_FAILED']);
      assert.deepEqual(Object.keys(refused.fieldErrors()).sort(), ['email', 'name', 'password']);
    });

    test('signup with a registered email and another password says to check the email (401 SIGNUP_CHECK_EMAIL); with its own password it signs in', async () => {
      const email = `taken.${randomBytes(4).toString('hex')}@client.dema.dev`;
      const owner = createDemaClient({ baseUrl: shop.url, auth: tokenAuth({ store: memoryTokenStore() }) });
      const user = await signup(owner, { email, password, name: 'Owner' });
      const other = createDemaClient({ baseUrl: shop.url, auth: tokenAuth({ store: memoryTokenStore() }) });
      const refused = await failureOf(signup(other, { email, password: 'another-long-passphrase-7', name: 'Someone Else' }));
      assert.deepEqual([refused.status, refused.code], [401, 'SIGNUP_CHECK_EMAIL']);
      assert.match(describeFailure(refused), /^Check your email/);
      const again = await signup(other, { email, password, name: 'Owner Again' });
      assert.deepEqual([again.id, again.name], [user.id, 'Owner'], 'the owner is signed in; nothing was changed');
    });

    test('an unknown order is a 404 with its code', async () => {
      const customer = await signedIn();
      const missing = await failureOf(customer.GET('/api/orders/{id}', { params: { path: { id: randomUUID() } } }));
      assert.deepEqual([missing.status, missing.code], [404, 'ORDER_NOT_FOUND']);
    });

    test('placeOrder twice with one idempotency key places one order and answers it both times', async () => {
      const customer = await signedIn();
      const idempotencyKey = newIdempotencyKey();
      const items = [{ productId: shop.product.id, quantity: 2 }];
      const first = await placeOrder(customer, { items }, { idempotencyKey });
      const second = await placeOrder(customer, { items }, { idempotencyKey });
      assert.equal(second.id, first.id);
      assert.deepEqual([first.status, first.total], ['PENDING', 60]);
      const mine = await customer.GET('/api/orders');
      assert.deepEqual(
        mine.items.map((order) => order.id),
        [first.id],
      );
      const product = await customer.GET('/api/products/{id}', { params: { path: { id: shop.product.id } } });
      assert.equal(product.stock, 98, 'the stock was reserved once');
      const third = await placeOrder(customer, { items });
      assert.notEqual(third.id, first.id, 'a new key is a new order');
    });

    test('an API that is not there is status 0 UNREACHABLE', async () => {
      const nowhere = createDemaClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, retry: false });
      const failure = await failureOf(nowhere.GET('/api/products'));
      assert.deepEqual([failure.status, failure.code], [0, 'UNREACHABLE']);
    });
  });
}
