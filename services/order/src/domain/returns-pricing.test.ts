import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromCents } from '@dema/contracts';
import { linePaidCents, planReturn, refundedAfterCents, returnRefundCents, type ReturnableLine } from './returns-pricing.ts';

const productA = '00000000-0000-4000-8000-00000000000a';
const productB = '00000000-0000-4000-8000-00000000000b';

/** A line's quantity and a sequence of partial returns that together return all of it. */
const lineAndReturns = fc
  .record({ paid: fc.bigInt({ min: 0n, max: 9_999_999_999n }), quantity: fc.integer({ min: 1, max: 1000 }) })
  .chain(({ paid, quantity }) =>
    fc.array(fc.integer({ min: 1, max: quantity }), { minLength: 1, maxLength: 30 }).map((sizes) => {
      const chunks: number[] = [];
      let left = quantity;
      for (const size of sizes) {
        if (left === 0) break;
        const take = Math.min(size, left);
        chunks.push(take);
        left -= take;
      }
      if (left > 0) chunks.push(left);
      return { paid, quantity, chunks };
    }),
  );

test('a line is paid its total − its discount + its tax when prices exclude tax; the tax is inside it when they include it', () => {
  const line = { price: '19.99', quantity: 3, discount: '6.00', tax: 4.8 };
  assert.equal(fromCents(linePaidCents(line, false)), '58.77');
  assert.equal(fromCents(linePaidCents(line, true)), '53.97');
});

test('returning 1 of 3 units of a line paid 10.00 refunds 3.33; the last unit takes the remainder (3.34)', () => {
  assert.equal(returnRefundCents(1000n, 3, 0, 1), 333n);
  assert.equal(returnRefundCents(1000n, 3, 1, 1), 334n); // 6.67 − 3.33
  assert.equal(returnRefundCents(1000n, 3, 2, 1), 333n);
  assert.equal(returnRefundCents(1000n, 3, 0, 3), 1000n);
});

test('returning more units than were bought is a RangeError', () => {
  assert.throws(() => returnRefundCents(1000n, 3, 2, 2), RangeError);
  assert.throws(() => refundedAfterCents(1000n, 0, 0), RangeError);
});

test('property: any sequence of partial returns of a line refunds exactly what it was paid, each return ≥ 0 and never beyond it', () => {
  fc.assert(
    fc.property(lineAndReturns, ({ paid, quantity, chunks }) => {
      let returned = 0;
      let refunded = 0n;
      for (const chunk of chunks) {
        const refund = returnRefundCents(paid, quantity, returned, chunk);
        assert.ok(refund >= 0n, `negative refund ${refund}`);
        refunded += refund;
        returned += chunk;
        assert.ok(refunded <= paid, `refunded ${refunded} of ${paid}`);
      }
      assert.equal(returned, quantity);
      assert.equal(refunded, paid);
    }),
  );
});

test('property: returning k units refunds within a cent of k/n of what the line was paid', () => {
  fc.assert(
    fc.property(lineAndReturns, ({ paid, quantity, chunks }) => {
      let returned = 0;
      for (const chunk of chunks) {
        const refund = returnRefundCents(paid, quantity, returned, chunk);
        // |refund × n − paid × k| ≤ n (one cent, scaled by n)
        const error = refund * BigInt(quantity) - paid * BigInt(chunk);
        assert.ok((error < 0n ? -error : error) <= BigInt(quantity), `refund ${refund} for ${chunk}/${quantity} of ${paid}`);
        returned += chunk;
      }
    }),
  );
});

test('property: a return never refunds more than the lines it returns were paid, nor shipping', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: 0, max: 100_000 }),
      fc.boolean(),
      (price, quantity, discountSeed, tax, included) => {
        const discount = Math.min(discountSeed, price * quantity);
        const line = { price: fromCents(BigInt(price)), quantity, discount: fromCents(BigInt(discount)), tax: fromCents(BigInt(tax)) };
        const plan = planReturn([{ productId: productA, variantId: null, returned: 0, ...line }], included, [{ productId: productA, quantity }]);
        assert.equal(plan.kind, 'priced');
        if (plan.kind !== 'priced') return;
        assert.equal(plan.refundCents, linePaidCents(line, included));
        assert.equal(plan.returnsEverything, true);
      },
    ),
  );
});

const order: ReturnableLine[] = [
  { productId: productA, variantId: null, price: '10.00', quantity: 3, discount: '0.00', tax: '0.00', returned: 1 },
  { productId: productB, variantId: null, price: '5.00', quantity: 2, discount: '1.00', tax: '0.90', returned: 0 },
];

test('a plan names each line it refuses by its index and field, and prices nothing then', () => {
  const plan = planReturn(order, false, [
    { productId: productA, quantity: 3 },
    { productId: '00000000-0000-4000-8000-0000000000ff', quantity: 1 },
    { productId: productB, quantity: 1 },
    { productId: productB.toUpperCase(), quantity: 1 },
  ]);
  assert.deepEqual(plan, {
    kind: 'refused',
    problems: [
      { index: 0, field: 'quantity', reason: 'is more than is left to return: 2 of 3' },
      { index: 1, field: 'productId', reason: 'names no line of this order (with this variantId)' },
      { index: 3, field: 'productId', reason: 'names the same line as lines.2' },
    ],
  });
});

test('a plan that returns what is left of every line says it returns everything', () => {
  const partial = planReturn(order, false, [{ productId: productB, quantity: 2 }]);
  assert.deepEqual(partial, {
    kind: 'priced',
    lines: [{ productId: productB, variantId: null, quantity: 2, refundCents: 990n }],
    refundCents: 990n,
    returnsEverything: false,
  });
  const rest = planReturn(order, false, [
    { productId: productA, quantity: 2 },
    { productId: productB, quantity: 2 },
  ]);
  assert.equal(rest.kind === 'priced' && rest.returnsEverything, true);
  assert.equal(rest.kind === 'priced' && rest.refundCents, 2000n + 990n); // 30.00 − the 10.00 refunded for the first unit
});
