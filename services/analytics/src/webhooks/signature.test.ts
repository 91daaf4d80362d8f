import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signWebhook } from './signature.ts';

const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
const body = '{"type":"order.created","data":{"orderId":"1"}}';

test('a signature verifies with the standardwebhooks library, and fails with another body or secret', () => {
  const secret = generateSecret();
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, id, timestamp, body) };
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  assert.throws(() => new Webhook(secret).verify(body.replace('1', '2'), headers));
  assert.throws(() => new Webhook(generateSecret()).verify(body, headers));
});

test('the key is the bytes the secret encodes, not its text', () => {
  const key = Buffer.alloc(24, 9);
  const expected = createHmac('sha256', key).update(`${id}.1700000000.${body}`).digest('base64');
  assert.equal(signWebhook(`whsec_${key.toString('base64')}`, id, 1_700_000_000, body), `v1,${expected}`);
});
