import assert from 'node:assert/strict';
import { test } from 'node:test';
import { priceOrder } from './pricing.ts';

const line = (unitPrice: string, quantity: number) => ({ productId: crypto.randomUUID(), variantId: null, name: 'x', unitPrice, quantity });

test('the total is the exact decimal sum of price × quantity (no binary-float drift)', () => {
  // 0.1 + 0.2 in floats is 0.30000000000000004; 3 × 19.99 is 59.97 exactly.
  const priced = priceOrder([line('0.10', 1), line('0.20', 1), line('19.99', 3)]);
  assert.equal(priced.total, '60.27');
  assert.deepEqual(
    priced.lines.map((l) => l.lineTotal),
    ['0.10', '0.20', '59.97'],
  );
});

test('many small amounts add up exactly', () => {
  const priced = priceOrder(Array.from({ length: 100 }, () => line('0.01', 7)));
  assert.equal(priced.total, '7.00');
});

test('a total beyond DECIMAL(10,2) is refused rather than truncated', () => {
  assert.throws(() => priceOrder([line('99999999.99', 1), line('0.01', 1)]), { name: 'RangeError', message: 'order total 100000000.00 exceeds 99999999.99' });
  assert.equal(priceOrder([line('99999999.98', 1), line('0.01', 1)]).total, '99999999.99');
});
