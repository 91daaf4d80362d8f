import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refundLineProblems } from './refund-lines.ts';

const kettle = '00000000-0000-4000-8000-00000000000a';
const mug = '00000000-0000-4000-8000-00000000000b';
const blue = '00000000-0000-4000-8000-0000000000b1';
const red = '00000000-0000-4000-8000-0000000000b2';
const ordered = [
  { productId: kettle, variantId: null, quantity: 2 },
  { productId: mug, variantId: blue, quantity: 3 },
];

test('lines of the order within what was ordered pass, whatever the case of their ids', () => {
  assert.deepEqual(refundLineProblems(ordered, [], [{ productId: kettle, quantity: 2 }]), []);
  assert.deepEqual(refundLineProblems(ordered, [], [{ productId: mug.toUpperCase(), variantId: blue.toUpperCase(), quantity: 3 }]), []);
});

test('a product or a variant the order does not have is named by its productId', () => {
  assert.deepEqual(
    refundLineProblems(
      ordered,
      [],
      [
        { productId: kettle, quantity: 1 },
        { productId: mug, variantId: red, quantity: 1 },
        { productId: mug, quantity: 1 },
      ],
    ),
    [
      { index: 1, field: 'productId', reason: 'names no line of this order (with this variantId)' },
      { index: 2, field: 'productId', reason: 'names no line of this order (with this variantId)' },
    ],
  );
});

test('what earlier refunds and earlier lines of the same refund named counts against what was ordered', () => {
  const earlier = [{ productId: mug, variantId: blue, quantity: 2 }];
  assert.deepEqual(refundLineProblems(ordered, earlier, [{ productId: mug, variantId: blue, quantity: 1 }]), []);
  assert.deepEqual(refundLineProblems(ordered, earlier, [{ productId: mug, variantId: blue, quantity: 2 }]), [
    { index: 0, field: 'quantity', reason: 'is more than is left to refund of this line: 1 of the 3 ordered' },
  ]);
  assert.deepEqual(
    refundLineProblems(
      ordered,
      [],
      [
        { productId: kettle, quantity: 1 },
        { productId: kettle, quantity: 2 },
      ],
    ),
    [{ index: 1, field: 'quantity', reason: 'is more than is left to refund of this line: 1 of the 2 ordered' }],
  );
});
