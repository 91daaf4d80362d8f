import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { eventPayloadSchemas, eventVersions } from './events.ts';

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats.default(ajv);

const payloads = {
  ORDER_CREATED: {
    orderId: '00000000-0000-4000-8000-000000000001',
    userId: 'b3c1f0de-1111-4000-8000-000000000001',
    items: [{ productId: 'a1a1a1a1-2222-4000-8000-000000000002', quantity: 2, price: 39.9 }],
    total: 79.8,
    timestamp: '2024-05-01T12:00:00.000Z',
  },
  STOCK_UPDATED: { productId: 'a1a1a1a1-2222-4000-8000-000000000002', oldStock: 12, newStock: 10, reason: 'ORDER', timestamp: '2024-05-01T12:00:00.000Z' },
  ORDER_STATUS_CHANGED: {
    orderId: '00000000-0000-4000-8000-000000000001',
    userId: 'b3c1f0de-1111-4000-8000-000000000001',
    oldStatus: 'PENDING',
    newStatus: 'CANCELLED',
    timestamp: '2024-05-01T12:00:00.000Z',
  },
  WEBHOOK_ENDPOINT_DISABLED: {
    endpointId: 'c4c4c4c4-3333-4000-8000-000000000001',
    url: 'https://erp.example.com/dema',
    reason: 'Disabled on 2024-05-01T12:00:00.000Z after 50 consecutive failed attempts (last: HTTP 503); enable it again once the receiver works',
    failedAttempts: 50,
    timestamp: '2024-05-01T12:00:00.000Z',
  },
};

test('every event type has a published payload schema', () => {
  assert.deepEqual(Object.keys(eventPayloadSchemas).sort(), Object.keys(eventVersions).sort());
});

for (const [type, payload] of Object.entries(payloads)) {
  const validate = ajv.compile(eventPayloadSchemas[type as keyof typeof eventPayloadSchemas]);
  test(`${type}: a payload as documented passes`, () => {
    assert.equal(validate(payload), true, JSON.stringify(validate.errors));
  });
  test(`${type}: a field the schema does not name fails`, () => {
    assert.equal(validate({ ...payload, extra: 1 }), false);
  });
  test(`${type}: a missing field fails`, () => {
    const { timestamp: _, ...rest } = payload;
    assert.equal(validate(rest), false);
  });
}
