import { fromCents, maxAmount, toCents } from '@dema/contracts';

/**
 * The money rules of checkout (issue 20), pure: which shipping zones and tax rate an address gets,
 * whether a promotion may be used, what a shipping method costs, and the order's breakdown.
 *
 * - Every amount is integer cents (bigint); percentages are integers in thousandths of a percent
 *   ("8.875" → 8875, 100% = 100000). No binary floating point anywhere.
 * - Rounding is half away from zero and happens PER LINE: each line's discount and each line's tax
 *   is rounded to a cent, and the order's figures are the sums of the rounded line figures.
 *   Shipping tax is a line of its own.
 * - Discounts come before tax. A percentage discounts each line by round(line subtotal × percent);
 *   a fixed amount is capped at the subtotal and split over the lines in proportion to their
 *   subtotals by the largest-remainder method, so the line discounts add up to it exactly.
 *   Free shipping makes the shipping amount 0, and so its tax.
 * - Prices without tax (the default): line tax = round(taxable × rate) with taxable = line subtotal −
 *   line discount, and total = subtotal − discount + shipping + tax. Prices with tax: line tax =
 *   round(gross × rate / (100% + rate)) with gross = line subtotal − line discount, the tax the gross
 *   already contains, and total = subtotal − discount + shipping.
 * - No figure is negative, and every figure must fit the orders' DECIMAL(10,2) columns (RangeError).
 */

/** A money amount as stored (DECIMAL string, "19.99") or as on the wire (JSON number, 19.99). */
export type Amount = string | number;

/** What a shipping method charges (ShippingMethod.rate). */
export type ShippingRate =
  | { kind: 'flat'; amount: Amount }
  /** `amount` below `threshold`, nothing from `threshold` (inclusive) on; compared with the subtotal after discounts. */
  | { kind: 'free_above'; amount: Amount; threshold: Amount }
  /** The first bracket, by ascending `maxWeightGrams`, that holds the cart's weight; heavier than every bracket: not offered. */
  | { kind: 'weight'; brackets: ReadonlyArray<{ maxWeightGrams: number; amount: Amount }> };

export interface PricingLine {
  unitPrice: Amount;
  quantity: number;
  /** Weight of one unit in grams (products and variants default to 0). */
  weightGrams: number;
}

export interface PricingInput {
  lines: PricingLine[];
  /** The store's setting: prices are entered with tax included. */
  pricesIncludeTax: boolean;
  /** Percent for the destination, up to 3 decimals ("8.875"); "0" when no rate applies (see taxRateFor). */
  taxRate: string;
  /** The chosen method's rate, and whether its zone taxes shipping; null when nothing is shipped. */
  shipping: { rate: ShippingRate; taxable: boolean } | null;
  /** An applicable promotion (see promotionRefusal): a percent string, an amount, or null for free shipping. */
  promotion: { kind: 'percentage' | 'fixed' | 'free_shipping'; value: Amount | null } | null;
}

/** One line's figures, as DECIMAL strings. */
export interface PricedCheckoutLine {
  /** unit price × quantity. */
  subtotal: string;
  /** This line's share of the promotion. */
  discount: string;
  /** Tax charged on the line (contained in it when prices include tax). */
  tax: string;
  /** What the line costs: subtotal − discount, plus tax when prices exclude it. */
  total: string;
}

/** The order's figures, as DECIMAL strings; each order figure is the sum of its rounded line figures. */
export interface CheckoutBreakdown {
  lines: PricedCheckoutLine[];
  subtotal: string;
  discount: string;
  shipping: string;
  shippingTax: string;
  /** Σ line tax + shipping tax. */
  tax: string;
  total: string;
}

/** 100% in thousandths of a percent. */
const fullPercent = 100_000n;
const maxCents = toCents(maxAmount);
const percentPattern = /^(\d{1,3})(?:\.(\d{1,3}))?$/;

const sum = (amounts: readonly bigint[]) => amounts.reduce((total, amount) => total + amount, 0n);

/** toCents, refusing negative amounts: a price, a rate or a fixed discount below zero is a configuration error. */
function nonNegativeCents(amount: Amount, what: string): bigint {
  const cents = toCents(amount);
  if (cents < 0n) throw new RangeError(`${what} cannot be negative: ${String(amount)}`);
  return cents;
}

/**
 * Reads a percentage with up to three decimals, from 0 to 100, as an integer in thousandths of a
 * percent ("8.875" → 8875n, "20" → 20000n, "100" → 100000n). Throws RangeError on anything else
 * (more decimals, a sign, an exponent, above 100), rather than rounding it.
 */
export function parsePercent(percent: string | number): bigint {
  const text = typeof percent === 'number' ? String(percent) : percent.trim();
  const match = percentPattern.exec(text);
  const value = match ? BigInt(match[1]!) * 1000n + BigInt((match[2] ?? '').padEnd(3, '0')) : undefined;
  if (value === undefined || value > fullPercent) throw new RangeError(`not a percentage from 0 to 100 with at most 3 decimals: ${String(percent)}`);
  return value;
}

/** numerator / denominator rounded half away from zero (denominator > 0). */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (2n * (remainder < 0n ? -remainder : remainder) < denominator) return quotient;
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}

/**
 * Splits `amount` cents over `weights` in proportion, by the largest-remainder method: each share is
 * the floor of its exact proportion, and the cents left over go one each to the largest remainders
 * (the earlier weight first on a tie). The shares add up to `amount` exactly, and each differs from
 * its exact proportion by less than a cent. All weights 0 (or none): all shares 0, whatever the amount.
 */
export function splitLargestRemainder(amount: bigint, weights: readonly bigint[]): bigint[] {
  const total = sum(weights);
  if (total === 0n) return weights.map(() => 0n);
  const shares = weights.map((weight) => (amount * weight) / total);
  let left = amount - sum(shares);
  const byRemainder = weights
    .map((weight, index) => ({ index, remainder: (amount * weight) % total }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (left === 0n) break;
    shares[index]! += 1n;
    left -= 1n;
  }
  return shares;
}

/**
 * What `rate` charges for a cart, in cents, or undefined when the method does not apply (the cart
 * is heavier than every weight bracket). `subtotalAfterDiscount` is in cents; `weightGrams` is the
 * cart's total weight (Σ unit weight × quantity).
 */
export function shippingAmount(rate: ShippingRate, subtotalAfterDiscount: bigint, weightGrams: number): bigint | undefined {
  switch (rate.kind) {
    case 'flat':
      return nonNegativeCents(rate.amount, 'a shipping rate');
    case 'free_above':
      return subtotalAfterDiscount >= toCents(rate.threshold) ? 0n : nonNegativeCents(rate.amount, 'a shipping rate');
    case 'weight': {
      const bracket = [...rate.brackets].sort((a, b) => a.maxWeightGrams - b.maxWeightGrams).find((b) => b.maxWeightGrams >= weightGrams);
      return bracket === undefined ? undefined : nonNegativeCents(bracket.amount, 'a shipping rate');
    }
  }
}

/** Where an address is, as far as zones and tax rates care (an Address fits). */
export interface AddressArea {
  country: string;
  region?: string | undefined;
}

/** What zonesFor reads of a shipping zone: `countries` are alpha-2 codes, `regions` are "US-CA" style. */
export interface ZoneCoverage {
  countries: readonly string[];
  regions: readonly string[];
}

const areaCodes = (address: AddressArea) => ({ country: address.country.trim().toUpperCase(), region: address.region?.trim().toUpperCase() || undefined });

/**
 * The zones an address is in, in the given order. A zone covers an address when it lists the
 * country and either lists no region of that country (the whole country) or lists
 * `${country}-${region}`: region entries restrict only their own country, so one zone can hold
 * California and the whole of Canada. An address without a region is outside a zone that lists
 * regions of its country.
 */
export function zonesFor<Zone extends ZoneCoverage>(zones: readonly Zone[], address: AddressArea): Zone[] {
  const { country, region } = areaCodes(address);
  return zones.filter((zone) => {
    if (!zone.countries.some((code) => code.toUpperCase() === country)) return false;
    const regions = zone.regions.map((code) => code.toUpperCase()).filter((code) => code.startsWith(`${country}-`));
    return regions.length === 0 || (region !== undefined && regions.includes(`${country}-${region}`));
  });
}

/** What taxRateFor reads of a tax rate: `region` null is the country's rate. */
export interface TaxRateEntry {
  country: string;
  region: string | null;
  rate: string;
}

/**
 * The tax rate for an address: the rate of its (country, region) if there is one, else its
 * country's rate (region null), else undefined, which means 0 (priceCheckout's `taxRate: "0"`).
 */
export function taxRateFor<Rate extends TaxRateEntry>(rates: readonly Rate[], address: AddressArea): Rate | undefined {
  const { country, region } = areaCodes(address);
  const inCountry = rates.filter((rate) => rate.country.toUpperCase() === country);
  return (region === undefined ? undefined : inCountry.find((rate) => rate.region?.toUpperCase() === region)) ?? inCountry.find((rate) => rate.region === null);
}

/** What promotionRefusal reads of a promotion. */
export interface PromotionTerms {
  active: boolean;
  startsAt: string | Date | null;
  endsAt: string | Date | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  timesUsed: number;
  minSubtotal: Amount | null;
}

/** Why a promotion cannot be used now, in the order promotionRefusal checks. */
export type PromotionRefusal = 'inactive' | 'not_started' | 'ended' | 'usage_limit_reached' | 'customer_limit_reached' | 'minimum_not_met';

/**
 * Why `promotion` cannot be used by this customer on this cart, or undefined when it can. The window
 * is [startsAt, endsAt): usable from the start instant, not at the end instant. `subtotal` is the
 * cart's subtotal in cents BEFORE discounts, and meets a minimum equal to it. `usedByCustomer` is
 * how many of the customer's orders used it. This is a check of the terms as read; holding the
 * limits under concurrency is the redemption's job (a conditional UPDATE).
 */
export function promotionRefusal(promotion: PromotionTerms, context: { now: Date; subtotal: bigint; usedByCustomer: number }): PromotionRefusal | undefined {
  const time = (value: string | Date) => new Date(value).getTime();
  const now = context.now.getTime();
  if (!promotion.active) return 'inactive';
  if (promotion.startsAt !== null && now < time(promotion.startsAt)) return 'not_started';
  if (promotion.endsAt !== null && now >= time(promotion.endsAt)) return 'ended';
  if (promotion.usageLimit !== null && promotion.timesUsed >= promotion.usageLimit) return 'usage_limit_reached';
  if (promotion.perCustomerLimit !== null && context.usedByCustomer >= promotion.perCustomerLimit) return 'customer_limit_reached';
  if (promotion.minSubtotal !== null && context.subtotal < toCents(promotion.minSubtotal)) return 'minimum_not_met';
  return undefined;
}

function lineDiscounts(subtotals: bigint[], subtotal: bigint, promotion: PricingInput['promotion']): bigint[] {
  if (promotion === null || promotion.kind === 'free_shipping') return subtotals.map(() => 0n);
  if (promotion.value === null) throw new RangeError(`a ${promotion.kind} promotion needs a value`);
  if (promotion.kind === 'percentage') {
    const percent = parsePercent(promotion.value);
    return subtotals.map((line) => divideRounded(line * percent, fullPercent));
  }
  const amount = nonNegativeCents(promotion.value, 'a fixed promotion');
  return splitLargestRemainder(amount < subtotal ? amount : subtotal, subtotals);
}

/**
 * The checkout breakdown of a cart under the money rules above (see the module comment). Throws
 * RangeError on an input outside them (a negative price, a quantity that is not a positive integer,
 * a percentage out of range, a shipping rate that does not apply to the cart: choose among
 * shippingAmount's answers first) and when a figure would not fit DECIMAL(10,2).
 */
export function priceCheckout(input: PricingInput): CheckoutBreakdown {
  let weightGrams = 0;
  const subtotals = input.lines.map((line) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) throw new RangeError(`not a quantity: ${line.quantity}`);
    if (!Number.isSafeInteger(line.weightGrams) || line.weightGrams < 0) throw new RangeError(`not a weight in grams: ${line.weightGrams}`);
    weightGrams += line.weightGrams * line.quantity;
    return nonNegativeCents(line.unitPrice, 'a price') * BigInt(line.quantity);
  });
  const subtotal = sum(subtotals);
  const discounts = lineDiscounts(subtotals, subtotal, input.promotion);
  const discount = sum(discounts);

  let shipping = 0n;
  if (input.shipping !== null) {
    const amount = shippingAmount(input.shipping.rate, subtotal - discount, weightGrams);
    if (amount === undefined) throw new RangeError(`the ${input.shipping.rate.kind} shipping rate does not apply to a cart of ${weightGrams} g`);
    shipping = input.promotion?.kind === 'free_shipping' ? 0n : amount;
  }

  const rate = parsePercent(input.taxRate);
  const taxOf = (amount: bigint) => (input.pricesIncludeTax ? divideRounded(amount * rate, fullPercent + rate) : divideRounded(amount * rate, fullPercent));
  const taxes = subtotals.map((line, index) => taxOf(line - discounts[index]!));
  const shippingTax = input.shipping?.taxable ? taxOf(shipping) : 0n;
  const tax = sum(taxes) + shippingTax;
  const total = subtotal - discount + shipping + (input.pricesIncludeTax ? 0n : tax);

  for (const [name, cents] of Object.entries({ subtotal, discount, shipping, tax, total })) {
    if (cents > maxCents) throw new RangeError(`order ${name} ${fromCents(cents)} exceeds ${maxAmount}`);
  }
  return {
    lines: subtotals.map((line, index) => {
      const lineTax = taxes[index]!;
      const net = line - discounts[index]!;
      return {
        subtotal: fromCents(line),
        discount: fromCents(discounts[index]!),
        tax: fromCents(lineTax),
        total: fromCents(input.pricesIncludeTax ? net : net + lineTax),
      };
    }),
    subtotal: fromCents(subtotal),
    discount: fromCents(discount),
    shipping: fromCents(shipping),
    shippingTax: fromCents(shippingTax),
    tax: fromCents(tax),
    total: fromCents(total),
  };
}
