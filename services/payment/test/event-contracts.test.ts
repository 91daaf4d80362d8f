import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { eventPayloadSchemas, eventVersions, routingKeys, type DemaEventType } from '@dema/contracts';
import { testTargets } from '@dema/platform/testing';
import { json, startPayments, type PaymentTestProcess } from './helpers.ts';

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats.default(ajv);
const paymentTypes = (Object.keys(eventPayloadSchemas) as DemaEventType[]).filter((type) => routingKeys[type].startsWith('payment.'));

/** The Payment service's events during a session that takes every path, held to the published payload schemas. */
for (const target of testTargets()) {
  describe(`payment events match the published payload schemas (${target.name})`, () => {
    let shop: PaymentTestProcess;
    before(async () => {
      shop = await startPayments(target);
      const deliver = async (type: string, intentId: string) => {
        for (const event of shop.stripe.eventsOf(type, intentId)) assert.equal((await shop.stripe.deliver(event)).status, 200);
      };
      const card = await shop.openPayment(shop.customer.id, 25, 'stripe');
      await shop.stripe.confirm(card.providerRef!, 'declined');
      await deliver('payment_intent.payment_failed', card.providerRef!);
      await shop.stripe.confirm(card.providerRef!);
      await deliver('payment_intent.amount_capturable_updated', card.providerRef!);
      await json(await shop.internal('POST', `/internal/payments/${card.orderId}/capture`, {}));
      await json(
        await shop.admin.request('POST', `/api/orders/${card.orderId}/refunds`, {
          amount: 5,
          reason: 'returned',
          lines: [{ productId: card.id, quantity: 1 }],
        }),
        201,
      );
      const manual = await shop.openPayment(shop.customer.id, 9.99, 'manual');
      await json(await shop.admin.request('POST', `/api/orders/${manual.orderId}/payment/mark-paid`));
      await json(await shop.internal('POST', `/internal/payments/${manual.orderId}/cancel`));
      const unpaid = await shop.openPayment(shop.customer.id, 4, 'manual');
      await json(await shop.internal('POST', `/internal/payments/${unpaid.orderId}/cancel`));
    });
    after(() => shop.dispose());

    test('every event the Payment service wrote to its outbox has its published payload and version, and each payment type occurred (and audit entries)', async () => {
      const db = await shop.infra.database('payment');
      const { rows } = await db.query<{ id: string; type: DemaEventType; version: number; routing_key: string; payload: unknown }>(
        'SELECT id::text AS id, type, version, routing_key, payload FROM outbox ORDER BY seq',
      );
      for (const event of rows) {
        const validate = ajv.compile(eventPayloadSchemas[event.type]);
        assert.ok(validate(event.payload), `${event.type} ${JSON.stringify(event.payload)}: ${ajv.errorsText(validate.errors)}`);
        assert.equal(event.version, eventVersions[event.type]);
        assert.equal(event.routing_key, routingKeys[event.type]);
      }
      // Besides its own types, the audit log's entries of the admins' payment actions (marked paid, refunds).
      assert.deepEqual([...new Set(rows.map((e) => e.type))].sort(), [...paymentTypes, 'AUDIT_RECORDED'].sort());
    });
  });
}
