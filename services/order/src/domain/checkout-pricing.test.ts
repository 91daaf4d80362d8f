import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromCents, maxAmount, toCents } from '@dema/contracts';
import {
  parsePercent,
  priceCheckout,
  promotionRefusal,
  shippingAmount,
  splitLargestRemainder,
  taxRateFor,
  zonesFor,
  type CheckoutBreakdown,
  type PricingInput,
  type PromotionTerms,
  type ShippingRate,
} from './checkout-pricing.ts';

const F = 100_000n; // 100% in thousandths of a percent
const maxCents = toCents(maxAmount);
const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);
/** Reference rounding for non-negative n/d, half away from zero, written differently from the module's. */
const roundRef = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);
const thousandthsText = (t: number) =>
  t % 1000 === 0
    ? String(t / 1000)
    : `${Math.floor(t / 1000)}.${String(t % 1000)
        .padStart(3, '0')
        .replace(/0+$/, '')}`;

/** A breakdown read back into cents. */
const cents = (b: CheckoutBreakdown) => ({
  lines: b.lines.map((l) => ({ subtotal: toCents(l.subtotal), discount: toCents(l.discount), tax: toCents(l.tax), total: toCents(l.total) })),
  subtotal: toCents(b.subtotal),
  discount: toCents(b.discount),
  shipping: toCents(b.shipping),
  shippingTax: toCents(b.shippingTax),
  tax: toCents(b.tax),
  total: toCents(b.total),
});

const amountText = (max: number) => fc.integer({ min: 0, max }).map((c) => fromCents(BigInt(c)));
const pricingLine = fc.record({ unitPrice: amountText(100_000), quantity: fc.integer({ min: 1, max: 20 }), weightGrams: fc.integer({ min: 0, max: 5000 }) });
const pricingLines = fc.array(pricingLine, { minLength: 1, maxLength: 8 });
const percentText = fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 100_000 })).map(thousandthsText);
const shippingRate: fc.Arbitrary<ShippingRate> = fc.oneof(
  fc.record({ kind: fc.constant('flat' as const), amount: amountText(5000) }),
  fc.record({ kind: fc.constant('free_above' as const), amount: amountText(5000), threshold: amountText(200_000) }),
  // A last bracket no cart reaches, so that the method always applies here.
  fc
    .array(fc.record({ maxWeightGrams: fc.integer({ min: 0, max: 50_000 }), amount: amountText(5000) }), { maxLength: 4 })
    .map((brackets) => ({ kind: 'weight' as const, brackets: [...brackets, { maxWeightGrams: 1_000_000_000, amount: '99.00' }] })),
);
const promotion = fc.oneof(
  fc.record({ kind: fc.constant('percentage' as const), value: percentText }),
  fc.record({ kind: fc.constant('fixed' as const), value: amountText(500_000) }),
  fc.record({ kind: fc.constant('free_shipping' as const), value: fc.constant(null) }),
);
const pricingInput = (pricesIncludeTax: fc.Arbitrary<boolean> = fc.boolean()): fc.Arbitrary<PricingInput> =>
  fc.record({
    lines: pricingLines,
    pricesIncludeTax,
    taxRate: percentText,
    shipping: fc.option(fc.record({ rate: shippingRate, taxable: fc.boolean() }), { nil: null }),
    promotion: fc.option(promotion, { nil: null }),
  });

const runs = { numRuns: 400 };

// --- worked examples, figures computed by hand -------------------------------------------------

const noExtras = { shipping: null, promotion: null } as const;
const line = (unitPrice: string, quantity: number, weightGrams = 0) => ({ unitPrice, quantity, weightGrams });
/** A cart without tax or shipping, to show a promotion alone. */
const promoted = (lines: PricingInput['lines'], promotion: PricingInput['promotion']) =>
  priceCheckout({ lines, pricesIncludeTax: false, taxRate: '0', shipping: null, promotion });

test('3 × 19.99 at 8.875% without tax in the price: subtotal 59.97, tax 5.32 (59.97 × 0.08875 = 5.3223375), total 65.29', () => {
  const b = priceCheckout({ lines: [line('19.99', 3)], pricesIncludeTax: false, taxRate: '8.875', ...noExtras });
  assert.deepEqual(b, {
    lines: [{ subtotal: '59.97', discount: '0.00', tax: '5.32', total: '65.29' }],
    subtotal: '59.97',
    discount: '0.00',
    shipping: '0.00',
    shippingTax: '0.00',
    tax: '5.32',
    total: '65.29',
  });
});

test('2 × 10.00 with 20% tax included: the total stays 20.00 and contains 3.33 of tax (20.00 × 20/120 = 3.333…)', () => {
  const b = priceCheckout({ lines: [line('10.00', 2)], pricesIncludeTax: true, taxRate: '20', ...noExtras });
  assert.deepEqual(b.lines, [{ subtotal: '20.00', discount: '0.00', tax: '3.33', total: '20.00' }]);
  assert.equal(b.tax, '3.33');
  assert.equal(b.total, '20.00');
});

test('10% off three lines of 0.05: each line loses 0.01 (0.005 rounds away from zero), so the discount is 0.03 where 10% of 0.15 would be 0.02', () => {
  const b = promoted([line('0.05', 1), line('0.05', 1), line('0.05', 1)], { kind: 'percentage', value: '10' });
  assert.deepEqual(
    b.lines.map((l) => [l.discount, l.total]),
    [
      ['0.01', '0.04'],
      ['0.01', '0.04'],
      ['0.01', '0.04'],
    ],
  );
  assert.equal(b.discount, '0.03');
  assert.equal(b.total, '0.12');
});

test('a fixed 1.00 over three lines of 1.00 is split 0.34 + 0.33 + 0.33 (the leftover cent goes to the first of equal remainders)', () => {
  const b = promoted([line('1.00', 1), line('1.00', 1), line('1.00', 1)], { kind: 'fixed', value: '1.00' });
  assert.deepEqual(
    b.lines.map((l) => l.discount),
    ['0.34', '0.33', '0.33'],
  );
  assert.equal(b.discount, '1.00');
  assert.equal(b.total, '2.00');
});

test('a fixed 10.00 on a 4.00 cart is capped at 4.00; the 5.00 shipping and its 10% tax (0.50) are still charged: total 5.50', () => {
  const b = priceCheckout({
    lines: [line('1.50', 2), line('1.00', 1)],
    pricesIncludeTax: false,
    taxRate: '10',
    shipping: { rate: { kind: 'flat', amount: '5.00' }, taxable: true },
    promotion: { kind: 'fixed', value: '10.00' },
  });
  assert.deepEqual(
    b.lines.map((l) => [l.discount, l.tax, l.total]),
    [
      ['3.00', '0.00', '0.00'],
      ['1.00', '0.00', '0.00'],
    ],
  );
  assert.deepEqual([b.discount, b.shipping, b.shippingTax, b.tax, b.total], ['4.00', '5.00', '0.50', '0.50', '5.50']);
});

test('15% off 2 × 12.50 and 1 × 7.99 at 8.875% with taxed flat shipping 6.00: discount 3.75 + 1.20, tax 1.89 + 0.60 + 0.53, total 37.06', () => {
  // 25.00 − 3.75 = 21.25, × 0.08875 = 1.8859… → 1.89; 7.99 × 0.15 = 1.1985 → 1.20, 6.79 × 0.08875 = 0.6026… → 0.60;
  // 6.00 × 0.08875 = 0.5325 → 0.53; 32.99 − 4.95 + 6.00 + 3.02 = 37.06.
  const b = priceCheckout({
    lines: [line('12.50', 2), line('7.99', 1)],
    pricesIncludeTax: false,
    taxRate: '8.875',
    shipping: { rate: { kind: 'flat', amount: '6.00' }, taxable: true },
    promotion: { kind: 'percentage', value: '15' },
  });
  assert.deepEqual(b, {
    lines: [
      { subtotal: '25.00', discount: '3.75', tax: '1.89', total: '23.14' },
      { subtotal: '7.99', discount: '1.20', tax: '0.60', total: '7.39' },
    ],
    subtotal: '32.99',
    discount: '4.95',
    shipping: '6.00',
    shippingTax: '0.53',
    tax: '3.02',
    total: '37.06',
  });
});

test('shipping is taxed only when its zone says so, by the same rule: 5.00 at 20% adds 1.00 without tax in prices, contains 0.83 with it', () => {
  const input = (pricesIncludeTax: boolean, taxable: boolean): PricingInput => ({
    lines: [line('10.00', 1)],
    pricesIncludeTax,
    taxRate: '20',
    shipping: { rate: { kind: 'flat', amount: '5.00' }, taxable },
    promotion: null,
  });
  const exclusive = priceCheckout(input(false, true));
  assert.deepEqual([exclusive.shippingTax, exclusive.tax, exclusive.total], ['1.00', '3.00', '18.00']);
  const inclusive = priceCheckout(input(true, true));
  assert.deepEqual([inclusive.shippingTax, inclusive.tax, inclusive.total], ['0.83', '2.50', '15.00']);
  const untaxed = priceCheckout(input(false, false));
  assert.deepEqual([untaxed.shippingTax, untaxed.tax, untaxed.total], ['0.00', '2.00', '17.00']);
});

test('free above 50.00 compares the subtotal after discounts: 55.00 with 10% off (49.50) pays the 4.99; exactly 50.00 ships free', () => {
  const rate: ShippingRate = { kind: 'free_above', amount: '4.99', threshold: '50.00' };
  const discounted = priceCheckout({
    lines: [line('55.00', 1)],
    pricesIncludeTax: false,
    taxRate: '0',
    shipping: { rate, taxable: false },
    promotion: { kind: 'percentage', value: '10' },
  });
  assert.deepEqual([discounted.shipping, discounted.total], ['4.99', '54.49']);
  const atThreshold = priceCheckout({ lines: [line('25.00', 2)], pricesIncludeTax: false, taxRate: '0', shipping: { rate, taxable: false }, promotion: null });
  assert.deepEqual([atThreshold.shipping, atThreshold.total], ['0.00', '50.00']);
});

test('a free-shipping code zeroes the shipping and its tax and discounts nothing else', () => {
  const b = priceCheckout({
    lines: [line('30.00', 1)],
    pricesIncludeTax: false,
    taxRate: '10',
    shipping: { rate: { kind: 'flat', amount: '7.00' }, taxable: true },
    promotion: { kind: 'free_shipping', value: null },
  });
  assert.deepEqual([b.discount, b.shipping, b.shippingTax, b.tax, b.total], ['0.00', '0.00', '0.00', '3.00', '33.00']);
});

test('weight brackets: 2 × 600 g + 1 × 300 g = 1500 g takes the ≤ 1500 g bracket; 1501 g the next; beyond every bracket the method does not apply', () => {
  const rate: ShippingRate = {
    kind: 'weight',
    brackets: [
      { maxWeightGrams: 5000, amount: '12.00' },
      { maxWeightGrams: 500, amount: '3.00' },
      { maxWeightGrams: 1500, amount: '6.00' },
    ],
  };
  const cart = (extraGrams: number): PricingInput => ({
    lines: [line('1.00', 2, 600), line('1.00', 1, 300 + extraGrams)],
    pricesIncludeTax: false,
    taxRate: '0',
    shipping: { rate, taxable: false },
    promotion: null,
  });
  assert.equal(priceCheckout(cart(0)).shipping, '6.00');
  assert.equal(priceCheckout(cart(1)).shipping, '12.00');
  assert.equal(shippingAmount(rate, 0n, 0), 300n, 'an empty-weight cart takes the lightest bracket');
  assert.equal(shippingAmount(rate, 0n, 5001), undefined);
  assert.throws(() => priceCheckout(cart(3501)), { name: 'RangeError', message: 'the weight shipping rate does not apply to a cart of 5001 g' });
});

test('a figure beyond DECIMAL(10,2) is refused rather than truncated; exactly 99999999.99 is priced', () => {
  const input = (shipping: string): PricingInput => ({
    lines: [line('99999999.98', 1)],
    pricesIncludeTax: false,
    taxRate: '0',
    shipping: { rate: { kind: 'flat', amount: shipping }, taxable: false },
    promotion: null,
  });
  assert.equal(priceCheckout(input('0.01')).total, '99999999.99');
  assert.throws(() => priceCheckout(input('0.02')), { name: 'RangeError', message: 'order total 100000000.00 exceeds 99999999.99' });
  assert.throws(() => priceCheckout({ lines: [line('99999999.99', 2)], pricesIncludeTax: false, taxRate: '0', ...noExtras }), {
    message: 'order subtotal 199999999.98 exceeds 99999999.99',
  });
});

test('inputs outside the rules are refused: a negative price, a zero quantity, a percentage without a value or above 100', () => {
  const base: PricingInput = { lines: [line('1.00', 1)], pricesIncludeTax: false, taxRate: '0', ...noExtras };
  assert.throws(() => priceCheckout({ ...base, lines: [line('-1.00', 1)] }), { message: 'a price cannot be negative: -1.00' });
  assert.throws(() => priceCheckout({ ...base, lines: [line('1.00', 0)] }), RangeError);
  assert.throws(() => priceCheckout({ ...base, lines: [line('1.00', 1, -1)] }), RangeError);
  assert.throws(() => priceCheckout({ ...base, promotion: { kind: 'percentage', value: null } }), { message: 'a percentage promotion needs a value' });
  assert.throws(() => priceCheckout({ ...base, promotion: { kind: 'percentage', value: '100.5' } }), RangeError);
  assert.throws(() => priceCheckout({ ...base, promotion: { kind: 'fixed', value: '-2.00' } }), RangeError);
  assert.throws(() => priceCheckout({ ...base, taxRate: '8.8755' }), RangeError);
  assert.deepEqual(priceCheckout({ ...base, lines: [] }).total, '0.00', 'an empty cart costs nothing');
});

test('parsePercent reads up to three decimals as thousandths of a percent, from 0 to 100, and refuses anything else', () => {
  assert.equal(parsePercent('8.875'), 8875n);
  assert.equal(parsePercent('20'), 20_000n);
  assert.equal(parsePercent('7.5'), 7500n);
  assert.equal(parsePercent('0.001'), 1n);
  assert.equal(parsePercent(' 100.000 '), 100_000n);
  assert.equal(parsePercent('0'), 0n);
  assert.equal(parsePercent(8.875), 8875n);
  for (const bad of ['100.001', '8.8755', '-1', '1e2', '', 'abc', '.5', '5.', '1000']) assert.throws(() => parsePercent(bad), RangeError, bad);
});

test('splitLargestRemainder: 100 cents over 1:1:1 is 34/33/33; remainders decide, not order; nothing to split over gives zeros', () => {
  assert.deepEqual(splitLargestRemainder(100n, [1n, 1n, 1n]), [34n, 33n, 33n]);
  // 10 over 1:2:4 → exact 1.43, 2.86, 5.71: floors 1+2+5 = 8; the two cents go to .86 and .71.
  assert.deepEqual(splitLargestRemainder(10n, [1n, 2n, 4n]), [1n, 3n, 6n]);
  assert.deepEqual(splitLargestRemainder(5n, [0n, 0n]), [0n, 0n]);
  assert.deepEqual(splitLargestRemainder(7n, [0n, 3n]), [0n, 7n]);
});

// --- properties --------------------------------------------------------------------------------

for (const pricesIncludeTax of [false, true]) {
  const mode = pricesIncludeTax ? 'prices with tax' : 'prices without tax';
  test(`property (${mode}): total = subtotal − discount + shipping${pricesIncludeTax ? '' : ' + tax'}, and every order figure is the sum of its lines`, () => {
    fc.assert(
      fc.property(pricingInput(fc.constant(pricesIncludeTax)), (input) => {
        const b = cents(priceCheckout(input));
        assert.equal(b.total, b.subtotal - b.discount + b.shipping + (pricesIncludeTax ? 0n : b.tax));
        assert.equal(b.subtotal, sum(b.lines.map((l) => l.subtotal)));
        assert.equal(b.discount, sum(b.lines.map((l) => l.discount)));
        assert.equal(b.tax, sum(b.lines.map((l) => l.tax)) + b.shippingTax);
        b.lines.forEach((l, i) => {
          assert.equal(l.subtotal, toCents(input.lines[i]!.unitPrice) * BigInt(input.lines[i]!.quantity));
          assert.equal(l.total, l.subtotal - l.discount + (pricesIncludeTax ? 0n : l.tax));
        });
      }),
      runs,
    );
  });
}

test('property: line discounts sum exactly to the order discount, which never exceeds the subtotal (nor a line’s its subtotal)', () => {
  fc.assert(
    fc.property(pricingInput(), promotion, (input, promo) => {
      const b = cents(priceCheckout({ ...input, promotion: promo }));
      assert.equal(sum(b.lines.map((l) => l.discount)), b.discount);
      assert.ok(b.discount <= b.subtotal);
      for (const l of b.lines) assert.ok(l.discount >= 0n && l.discount <= l.subtotal);
    }),
    runs,
  );
});

test('property: a fixed discount is min(amount, subtotal) exactly, each line within a cent of its proportional share', () => {
  fc.assert(
    fc.property(pricingInput(), amountText(500_000), (input, value) => {
      const b = cents(priceCheckout({ ...input, promotion: { kind: 'fixed', value } }));
      const requested = toCents(value);
      // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
      const amount = requested < b.subtotal ? requested : b.subtotal;
      assert.equal(b.discount, amount);
      for (const l of b.lines) {
        const gap = l.discount * b.subtotal - amount * l.subtotal; // (share − exact share) × subtotal
        assert.ok((gap < 0n ? -gap : gap) < b.subtotal || b.subtotal === 0n, `${l.discount} of ${amount} for ${l.subtotal} / ${b.subtotal}`);
      }
    }),
    runs,
  );
});

test('property: a percentage discounts each line by its own rounded share; 100% leaves every line (and its tax) at 0', () => {
  fc.assert(
    fc.property(pricingInput(), percentText, (input, value) => {
      const b = cents(priceCheckout({ ...input, promotion: { kind: 'percentage', value } }));
      const percent = parsePercent(value);
      for (const l of b.lines) assert.equal(l.discount, roundRef(l.subtotal * percent, F));
      const all = cents(priceCheckout({ ...input, promotion: { kind: 'percentage', value: '100' } }));
      assert.equal(all.discount, all.subtotal);
      for (const l of all.lines) assert.deepEqual([l.total, l.tax], [0n, 0n]);
    }),
    runs,
  );
});

test('property: tax is rounded per line: Σ round(line taxable × rate) (or the contained tax with prices with tax) + the shipping tax', () => {
  fc.assert(
    fc.property(pricingInput(), (input) => {
      const b = cents(priceCheckout(input));
      const rate = parsePercent(input.taxRate);
      const taxOf = (amount: bigint) => (input.pricesIncludeTax ? roundRef(amount * rate, F + rate) : roundRef(amount * rate, F));
      for (const l of b.lines) assert.equal(l.tax, taxOf(l.subtotal - l.discount));
      assert.equal(b.shippingTax, input.shipping?.taxable ? taxOf(b.shipping) : 0n);
      assert.equal(b.tax, sum(b.lines.map((l) => taxOf(l.subtotal - l.discount))) + b.shippingTax);
    }),
    runs,
  );
});

test('property: with prices with tax, a line’s tax is what its gross contains: gross − tax is within half a cent of gross / (1 + rate)', () => {
  fc.assert(
    fc.property(pricingInput(fc.constant(true)), (input) => {
      const b = cents(priceCheckout(input));
      const rate = parsePercent(input.taxRate);
      const taxedShipping = input.shipping?.taxable ? [{ gross: b.shipping, tax: b.shippingTax }] : [];
      for (const l of [...b.lines.map((x) => ({ gross: x.subtotal - x.discount, tax: x.tax })), ...taxedShipping]) {
        // |net − gross·F/(F+r)| ≤ ½  ⇔  2·|net·(F+r) − gross·F| ≤ F + r
        const gap = (l.gross - l.tax) * (F + rate) - l.gross * F;
        assert.ok(2n * (gap < 0n ? -gap : gap) <= F + rate, `${l.tax} in ${l.gross} at ${input.taxRate}%`);
      }
    }),
    runs,
  );
});

test('property: free shipping zeroes the shipping and its tax, and changes nothing else of a cart that would pay shipping', () => {
  fc.assert(
    fc.property(pricingInput(), shippingRate, fc.boolean(), (input, rate, taxable) => {
      const paying = cents(priceCheckout({ ...input, shipping: { rate, taxable }, promotion: null }));
      const free = cents(priceCheckout({ ...input, shipping: { rate, taxable }, promotion: { kind: 'free_shipping', value: null } }));
      assert.deepEqual([free.shipping, free.shippingTax], [0n, 0n]);
      assert.deepEqual(free.lines, paying.lines);
      assert.equal(free.total, paying.total - paying.shipping - (input.pricesIncludeTax ? 0n : paying.shippingTax));
    }),
    runs,
  );
});

test('property: free above a threshold charges one cent below it and nothing at it or above', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: maxCents }),
      fc.bigInt({ min: 0n, max: 100_000n }),
      fc.bigInt({ min: 0n, max: 1_000_000n }),
      (threshold, amount, over) => {
        const rate: ShippingRate = { kind: 'free_above', amount: fromCents(amount), threshold: fromCents(threshold) };
        assert.equal(shippingAmount(rate, threshold - 1n, 0), amount);
        assert.equal(shippingAmount(rate, threshold, 0), 0n);
        assert.equal(shippingAmount(rate, threshold + over, 0), 0n);
      },
    ),
    runs,
  );
});

test('property: a weight exactly at a bracket’s maximum takes that bracket, one gram more the next, past the last none', () => {
  const brackets = fc
    .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 6 })
    .chain((maxima) => fc.tuple(...maxima.map((maxWeightGrams) => amountText(10_000).map((amount) => ({ maxWeightGrams, amount })))));
  fc.assert(
    fc.property(brackets, (list) => {
      const rate: ShippingRate = { kind: 'weight', brackets: list };
      const sorted = [...list].sort((a, b) => a.maxWeightGrams - b.maxWeightGrams);
      sorted.forEach((bracket, i) => {
        assert.equal(shippingAmount(rate, 0n, bracket.maxWeightGrams), toCents(bracket.amount));
        const next = sorted[i + 1];
        assert.equal(shippingAmount(rate, 0n, bracket.maxWeightGrams + 1), next === undefined ? undefined : toCents(next.amount));
      });
    }),
    runs,
  );
});

test('property: up to DECIMAL(10,2) amounts, every figure is non-negative and fits, or the cart is refused with a RangeError only when it cannot fit', () => {
  const big = fc.record({
    lines: fc.array(fc.record({ unitPrice: amountText(Number(maxCents)), quantity: fc.integer({ min: 1, max: 1000 }), weightGrams: fc.constant(0) }), {
      minLength: 1,
      maxLength: 3,
    }),
    pricesIncludeTax: fc.boolean(),
    taxRate: percentText,
    shipping: fc.option(fc.record({ rate: fc.record({ kind: fc.constant('flat' as const), amount: amountText(Number(maxCents)) }), taxable: fc.boolean() }), {
      nil: null,
    }),
    promotion: fc.option(promotion, { nil: null }),
  });
  fc.assert(
    fc.property(big, (input) => {
      const subtotal = sum(input.lines.map((l) => toCents(l.unitPrice) * BigInt(l.quantity)));
      const shipping = input.shipping ? toCents(input.shipping.rate.amount) : 0n;
      // The most any figure can be: everything taxed at the full rate, nothing discounted.
      const bound = ((subtotal + shipping) * (F + parsePercent(input.taxRate))) / F + 4n; // + a cent per rounded line
      let b: ReturnType<typeof cents>;
      try {
        b = cents(priceCheckout(input));
      } catch (error) {
        assert.ok(error instanceof RangeError, String(error));
        assert.ok(bound > maxCents, `refused ${String(error)} though every figure is at most ${fromCents(bound)}`);
        return;
      }
      assert.ok(subtotal <= maxCents, 'a subtotal beyond DECIMAL(10,2) is refused');
      for (const value of [b.subtotal, b.discount, b.shipping, b.shippingTax, b.tax, b.total, ...b.lines.flatMap((l) => Object.values(l))]) {
        assert.ok(value >= 0n && value <= maxCents, String(value));
      }
    }),
    runs,
  );
});

// --- zones, tax rates, promotions --------------------------------------------------------------

test('zonesFor: a country listed whole covers all of it; region entries restrict only their own country; order is kept', () => {
  const zones = [
    { id: 'west', countries: ['US', 'CA'], regions: ['US-CA', 'US-OR', 'US-WA'] },
    { id: 'us', countries: ['US'], regions: [] },
    { id: 'eu', countries: ['DE', 'FR'], regions: [] },
  ];
  const ids = (address: { country: string; region?: string }) => zonesFor(zones, address).map((z) => z.id);
  assert.deepEqual(ids({ country: 'US', region: 'CA' }), ['west', 'us']);
  assert.deepEqual(ids({ country: 'US', region: 'NY' }), ['us']);
  assert.deepEqual(ids({ country: 'US' }), ['us'], 'no region: outside a zone that names regions of the country');
  assert.deepEqual(ids({ country: 'CA', region: 'ON' }), ['west'], 'Canada is listed whole in the west zone');
  assert.deepEqual(ids({ country: 'fr', region: 'idf' }), ['eu']);
  assert.deepEqual(ids({ country: 'JP' }), []);
});

test('taxRateFor: the region’s rate, else the country’s, else none (0); another country’s region never applies', () => {
  const rates = [
    { id: 1, country: 'US', region: 'CA', rate: '7.25' },
    { id: 2, country: 'US', region: null, rate: '0' },
    { id: 3, country: 'CA', region: 'ON', rate: '13' },
    { id: 4, country: 'DE', region: null, rate: '19' },
  ];
  assert.equal(taxRateFor(rates, { country: 'US', region: 'CA' })?.id, 1);
  assert.equal(taxRateFor(rates, { country: 'us', region: 'ca' })?.id, 1);
  assert.equal(taxRateFor(rates, { country: 'US', region: 'NY' })?.id, 2);
  assert.equal(taxRateFor(rates, { country: 'US' })?.id, 2);
  assert.equal(taxRateFor(rates, { country: 'CA', region: 'QC' }), undefined, 'no Canadian country rate');
  assert.equal(taxRateFor(rates, { country: 'DE', region: 'ON' })?.id, 4);
  assert.equal(taxRateFor(rates, { country: 'FR' }), undefined);
});

const terms: PromotionTerms = {
  active: true,
  startsAt: '2026-12-01T00:00:00.000Z',
  endsAt: '2027-01-01T00:00:00.000Z',
  usageLimit: 10,
  perCustomerLimit: 1,
  timesUsed: 9,
  minSubtotal: '50.00',
};
const context = { now: new Date('2026-12-06T12:00:00.000Z'), subtotal: 5000n, usedByCustomer: 0 };

test('promotionRefusal: a usable code at its limits (last use, first customer use, subtotal equal to the minimum) is accepted', () => {
  assert.equal(promotionRefusal(terms, context), undefined);
  assert.equal(promotionRefusal(terms, { ...context, now: new Date('2026-12-01T00:00:00.000Z') }), undefined, 'from the start instant');
  assert.equal(
    promotionRefusal(
      { ...terms, startsAt: null, endsAt: null, usageLimit: null, perCustomerLimit: null, minSubtotal: null },
      { ...context, subtotal: 0n, usedByCustomer: 99 },
    ),
    undefined,
  );
});

test('promotionRefusal names why a code cannot be used: inactive, not started, ended (at the end instant), used up, used by this customer, minimum not met', () => {
  assert.equal(promotionRefusal({ ...terms, active: false }, context), 'inactive');
  assert.equal(promotionRefusal(terms, { ...context, now: new Date('2026-11-30T23:59:59.999Z') }), 'not_started');
  assert.equal(promotionRefusal(terms, { ...context, now: new Date('2027-01-01T00:00:00.000Z') }), 'ended');
  assert.equal(promotionRefusal({ ...terms, timesUsed: 10 }, context), 'usage_limit_reached');
  assert.equal(promotionRefusal(terms, { ...context, usedByCustomer: 1 }), 'customer_limit_reached');
  assert.equal(promotionRefusal(terms, { ...context, subtotal: 4999n }), 'minimum_not_met');
  assert.equal(promotionRefusal({ ...terms, startsAt: new Date('2026-12-07T00:00:00.000Z') }, context), 'not_started', 'dates as Date objects too');
});
