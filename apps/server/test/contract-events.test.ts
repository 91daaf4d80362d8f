import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { eventPayloadSchemas, eventVersions, routingKeys, type DemaEventType, type EventEnvelope, type Session } from '@dema/contracts';
import { testTargets, waitFor } from '@dema/platform/testing';
import { orderOf, startOrderService, type OrderTestProcess, type TestUser } from './order/helpers.ts';

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats.default(ajv);
const validators = Object.fromEntries(Object.entries(eventPayloadSchemas).map(([type, schema]) => [type, ajv.compile(schema)]));
// The Product and Order services' types; the Payment service's (payment.*) are held to their schemas in services/payment/test,
// the Analytics service's (webhook.*) in services/analytics/test/webhooks.test.ts.
const eventTypes = (Object.keys(eventPayloadSchemas) as DemaEventType[]).filter((type) => !/^(payment|webhook)\./.test(routingKeys[type]));

/** An event as its producer's outbox keeps it (the outbox is each service's event history). */
interface OutboxEvent {
  id: string;
  type: string;
  version: number;
  payload: unknown;
}

/** Fails naming the event and what in its payload the published schema refuses. */
function assertPublished(event: OutboxEvent | EventEnvelope, where: string): void {
  const validate = validators[event.type];
  assert.ok(validate, `${where}: ${event.type} is not a published event type`);
  assert.equal(event.version, eventVersions[event.type as DemaEventType], `${where}: ${event.type} ${event.id} has version ${event.version}`);
  if (validate(event.payload)) return;
  const mismatches = (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message}${'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
  );
  assert.fail(`${where}: ${event.type} ${event.id} ${JSON.stringify(event.payload)}: ${mismatches.join('; ')}`);
}

/**
 * The Product and Order services' events during a realistic session, held to the published payload
 * schemas: every event each service wrote to its outbox, and every event a consumer received.
 */
for (const target of testTargets()) {
  const tag = target.name.replace('+', '-');

  describe(`emitted events match the published payload schemas (${target.name})`, () => {
    let dema: OrderTestProcess;
    let received: EventEnvelope[];
    /** What the set-up wrote before the consumer was bound (the admin's category is in the audit log): not for it to receive. */
    let beforeBinding: Set<string>;

    before(async () => {
      dema = await startOrderService(target);
      beforeBinding = new Set([...(await outbox('product')), ...(await outbox('order'))].map((e) => e.id));
      received = await dema.recordEvents(`test-contract-events-${tag}`, ['order.#', 'system.#', 'audit.#']);
      await shopScenario();
    });
    after(() => dema.dispose());

    /** Signup, orders placed, cancelled and returned, stock adjusted and set, a product deleted: each producer's every path. */
    async function shopScenario(): Promise<void> {
      const credentials = { email: `contract-${tag}@test.dema.dev`, password: 'correct-horse-battery-staple' };
      const signup = await dema.anonymous('POST', '/api/auth/signup', { ...credentials, name: 'Contract Shopper' });
      assert.equal(signup.status, 202, await signup.clone().text());
      const login = await dema.anonymous('POST', '/api/auth/login', credentials);
      assert.equal(login.status, 200, await login.clone().text());
      const session = (await login.json()) as Session;
      const shopper: TestUser = {
        id: session.user.id,
        token: session.tokens.accessToken,
        request: (method, url, body) =>
          fetch(`${dema.url}${url}`, {
            method,
            headers: { authorization: `Bearer ${session.tokens.accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
            body: body === undefined ? undefined : JSON.stringify(body),
          }),
      };
      const kettle = await dema.createProduct({ name: 'Kettle', price: 12.5, stock: 10 });
      const shirt = await dema.createProduct({
        name: 'Shirt',
        price: 20,
        variants: [
          { name: 'S', sku: 'SHIRT-S', stock: 4, options: { size: 'S' } },
          { name: 'M', sku: 'SHIRT-M', price: 22, stock: 6, options: { size: 'M' } },
        ],
      });
      const medium = shirt.variants.find((v) => v.name === 'M')!;

      const status = async (user: TestUser, id: string, to: string) => orderOf(await user.request('PUT', `/api/orders/${id}/status`, { status: to }));
      const cancelled = await orderOf(await dema.placeOrder(shopper, [{ productId: kettle.id, quantity: 2 }]));
      await status(shopper, cancelled.id, 'CANCELLED');
      const returned = await orderOf(
        await dema.placeOrder(shopper, [
          { productId: kettle.id, quantity: 1 },
          { productId: shirt.id, variantId: medium.id, quantity: 2 },
        ]),
      );
      for (const to of ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'RETURNED']) await status(dema.admin, returned.id, to);

      const adjusted = await dema.admin.request('POST', `/api/products/${kettle.id}/stock-adjustments`, { delta: -3 });
      assert.equal(adjusted.status, 200, await adjusted.clone().text());
      const set = await dema.admin.request('PUT', `/api/products/${kettle.id}`, { stock: 42 });
      assert.equal(set.status, 200, await set.clone().text());
      const discontinued = await dema.createProduct({ name: 'Discontinued', price: 3, stock: 1 });
      assert.equal((await dema.admin.request('DELETE', `/api/products/${discontinued.id}`)).status, 204);
    }

    const outbox = (service: 'product' | 'order') => dema.query<OutboxEvent>(service, 'SELECT id::text AS id, type, version, payload FROM outbox ORDER BY seq');

    test('every event the Product and Order services wrote to their outboxes has a published payload', async () => {
      for (const service of ['product', 'order'] as const) {
        for (const event of await outbox(service)) assertPublished(event, `${service} outbox`);
      }
    });

    test('every event type occurred, each reason of STOCK_UPDATED too', async () => {
      const events = [...(await outbox('product')), ...(await outbox('order'))];
      for (const type of eventTypes)
        assert.ok(
          events.some((e) => e.type === type),
          `no ${type} was emitted`,
        );
      const reasons = new Set(events.filter((e) => e.type === 'STOCK_UPDATED').map((e) => (e.payload as { reason: string }).reason));
      assert.deepEqual([...reasons].sort(), ['MANUAL', 'ORDER', 'RETURN']);
      const statuses = events.filter((e) => e.type === 'ORDER_STATUS_CHANGED').map((e) => (e.payload as { newStatus: string }).newStatus);
      assert.deepEqual(statuses.sort(), ['CANCELLED', 'CONFIRMED', 'DELIVERED', 'RETURNED', 'SHIPPED']);
    });

    test('a consumer receives every outbox event, each with a published payload', async () => {
      const written = [...(await outbox('product')), ...(await outbox('order'))].filter((e) => !beforeBinding.has(e.id));
      await waitFor('every outbox event on the bus', () => written.every((e) => received.some((r) => r.id === e.id)));
      for (const event of received) assertPublished(event, 'received');
    });
  });
}
