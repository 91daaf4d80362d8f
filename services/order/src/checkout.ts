import {
  ErrorCode,
  fromCents,
  normalizeAddress,
  toCents,
  toWireAmount,
  validateAddress,
  type Address,
  type CheckoutPreview,
  type CreateOrder,
  type InvalidParam,
  type Principal,
  type Promotion,
  type ReservedLine,
  type ShippingMethod,
  type ShippingOption,
  type ShippingZone,
  type StockLine,
  type StockReservations,
  type TaxRate,
} from '@dema/contracts';
import { AppError, unprocessable, unprocessableContent, type Db } from '@dema/platform';
import { CheckoutConfigurationCache } from './checkout-configuration-cache.ts';
import type { StoredCheckoutSettings } from './db/checkout-settings.repository.ts';
import { readPlacementTerms, type PlacementTerms } from './db/promotions.repository.ts';
import { priceCheckout, promotionRefusal, shippingAmount, taxRateFor, zonesFor, type PromotionRefusal } from './domain/checkout-pricing.ts';
import { priceOrder, wirePricing, type PricedOrder } from './domain/pricing.ts';

type User = Principal & { kind: 'user' };

/** Everything about a checkout that can be settled before stock is reserved. */
export interface CheckoutPlan {
  settings: StoredCheckoutSettings;
  shippingAddress: Address | null;
  billingAddress: Address | null;
  shipping: { method: ShippingMethod; zone: ShippingZone } | null;
  taxRate: TaxRate | undefined;
  promotion: Promotion | null;
  /** How many of this customer's orders used the promotion so far. */
  promotionUsedByCustomer: number;
}

const promotionReasons: Record<PromotionRefusal, string> = {
  inactive: 'is not active',
  not_started: 'cannot be used yet',
  ended: 'has expired',
  usage_limit_reached: 'has been used up',
  customer_limit_reached: 'has already been used by you as often as it may be',
  minimum_not_met: 'needs a larger subtotal', // replaced by the figure where it is known
};

/**
 * Checkout: applies the store's configuration (zones and methods, tax rates, promotions, settings)
 * to an order or a cart. `plan` checks everything that does not depend on prices (addresses per
 * country, the zone, the method, the code) before any stock is reserved; `price` then prices the
 * reserved lines by the money rules of `domain/checkout-pricing.ts`. Both only read: the
 * promotion's use is taken when the order is recorded (`record_checkout_order`), which is where
 * its limits hold under concurrency. The configuration comes from this instance's cache, checked
 * against the database's version on every plan (see `CheckoutConfigurationCache`).
 */
export class Checkout {
  private readonly configuration: CheckoutConfigurationCache;

  constructor(
    private readonly db: Db,
    private readonly catalog: StockReservations,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.configuration = new CheckoutConfigurationCache(db);
  }

  /** Checks a placement's checkout fields; throws a 422 naming the field at the first that is wrong. */
  async plan(
    user: User,
    body: Pick<CreateOrder, 'shippingAddress' | 'billingAddress' | 'shippingMethodId' | 'promotionCode'>,
    termsRead?: PlacementTerms,
  ): Promise<CheckoutPlan> {
    // One query per plan (none when a placement read the terms with its claim): the configuration's
    // version with the promotion (and its uses, when limited); the rest of the configuration comes
    // from memory unless the version moved.
    const code = promotionCodeOf(body);
    const terms = termsRead ?? (await readPlacementTerms(this.db, code, user.userId));
    const { settings, zones, taxRates: rates, methods } = await this.configuration.at(terms.configurationVersion);
    if (settings.requireVerifiedEmail && user.emailVerified !== true) throw emailNotVerified();
    const method = body.shippingMethodId === undefined ? undefined : methods.get(body.shippingMethodId.toLowerCase());
    const shippingAddress = body.shippingAddress ? checkedAddress(body.shippingAddress, 'body.shippingAddress') : null;
    const billingAddress = body.billingAddress ? checkedAddress(body.billingAddress, 'body.billingAddress') : shippingAddress;
    let shipping: CheckoutPlan['shipping'] = null;
    if (shippingAddress === null) {
      if (zones.length > 0) throw invalid('body.shippingAddress', 'is required: say where the order ships');
      if (body.shippingMethodId !== undefined) throw invalid('body.shippingAddress', 'is required with a shipping method');
    } else if (zones.length > 0) {
      const covering = zonesFor(zones, shippingAddress);
      if (covering.length === 0) throw shippingUnavailable(shippingAddress);
      if (body.shippingMethodId === undefined) throw invalid('body.shippingMethodId', 'is required: choose one of the shipping options for the address');
      const zone = method && covering.find((z) => z.id === method.zoneId);
      if (!method || !zone || !method.active) {
        throw unprocessableContent(ErrorCode.SHIPPING_METHOD_UNAVAILABLE, `Shipping method ${body.shippingMethodId} does not ship to this address`, [
          { name: 'body.shippingMethodId', reason: 'is not one of the shipping options for the address' },
        ]);
      }
      shipping = { method, zone };
    }
    let promotion: Promotion | null = null;
    let promotionUsedByCustomer = 0;
    if (code !== undefined) {
      promotion = terms.promotion ?? null;
      if (!promotion) {
        throw unprocessableContent(ErrorCode.PROMOTION_NOT_FOUND, `No promotion code ${code}`, [
          { name: 'body.promotionCode', reason: 'is not a code of this store' },
        ]);
      }
      promotionUsedByCustomer = terms.usedByCustomer;
      // The subtotal is not known yet: the minimum is checked once the lines are priced.
      const refusal = promotionRefusal(termsOf(promotion), {
        now: this.now(),
        subtotal: BigInt(Number.MAX_SAFE_INTEGER),
        usedByCustomer: promotionUsedByCustomer,
      });
      if (refusal) throw promotionRefused(promotion, refusal);
    }
    const taxRate = shippingAddress ? taxRateFor(rates, shippingAddress) : undefined;
    return { settings, shippingAddress, billingAddress, shipping, taxRate, promotion, promotionUsedByCustomer };
  }

  /**
   * Prices reserved (or catalog) lines under a plan. Throws a 422 when the promotion's minimum is
   * not met or the method does not take a cart this heavy, and RangeError when a figure would not
   * fit DECIMAL(10,2).
   */
  price(plan: CheckoutPlan, lines: ReservedLine[]): PricedOrder {
    if (plan.shippingAddress === null && plan.promotion === null) return priceOrder(lines, plan.settings);
    const subtotal = lines.reduce((sum, line) => sum + toCents(line.unitPrice) * BigInt(line.quantity), 0n);
    if (plan.promotion) {
      const refusal = promotionRefusal(termsOf(plan.promotion), { now: this.now(), subtotal, usedByCustomer: plan.promotionUsedByCustomer });
      if (refusal) throw promotionRefused(plan.promotion, refusal);
    }
    const weightGrams = lines.reduce((sum, line) => sum + (line.weightGrams ?? 0) * line.quantity, 0);
    if (plan.shipping && shippingAmount(plan.shipping.method.rate, subtotal, weightGrams) === undefined) {
      throw unprocessableContent(ErrorCode.SHIPPING_METHOD_UNAVAILABLE, `${plan.shipping.method.name} does not take an order of ${weightGrams} g`, [
        { name: 'body.shippingMethodId', reason: `does not take an order weighing ${weightGrams} g: choose another method` },
      ]);
    }
    const breakdown = priceCheckout({
      lines: lines.map((line) => ({ unitPrice: line.unitPrice, quantity: line.quantity, weightGrams: line.weightGrams ?? 0 })),
      pricesIncludeTax: plan.settings.pricesIncludeTax,
      taxRate: plan.taxRate?.rate ?? '0',
      shipping: plan.shipping ? { rate: plan.shipping.method.rate, taxable: plan.shipping.zone.taxShipping } : null,
      promotion: plan.promotion ? { kind: plan.promotion.kind, value: plan.promotion.value } : null,
    });
    const taxLines: PricedOrder['taxLines'] = [];
    const itemsTax = toCents(breakdown.tax) - toCents(breakdown.shippingTax);
    if (plan.taxRate && itemsTax > 0n) taxLines.push({ name: plan.taxRate.name, rate: plan.taxRate.rate, amount: fromCents(itemsTax), appliesTo: 'items' });
    if (plan.taxRate && toCents(breakdown.shippingTax) > 0n) {
      taxLines.push({ name: `${plan.taxRate.name} (shipping)`, rate: plan.taxRate.rate, amount: breakdown.shippingTax, appliesTo: 'shipping' });
    }
    return {
      lines: lines.map((line, index) => ({
        ...line,
        weightGrams: line.weightGrams ?? 0,
        lineTotal: breakdown.lines[index]!.subtotal,
        discount: breakdown.lines[index]!.discount,
        tax: breakdown.lines[index]!.tax,
      })),
      subtotal: breakdown.subtotal,
      discountTotal: breakdown.discount,
      shippingTotal: breakdown.shipping,
      taxTotal: breakdown.tax,
      total: breakdown.total,
      pricesIncludeTax: plan.settings.pricesIncludeTax,
      currency: plan.settings.currency,
      taxLines,
      shippingAddress: plan.shippingAddress,
      billingAddress: plan.billingAddress,
      shippingMethod: plan.shipping ? { id: plan.shipping.method.id, name: plan.shipping.method.name } : null,
      promotion: plan.promotion ? { id: plan.promotion.id, code: plan.promotion.code } : null,
    };
  }

  /**
   * The shipping methods a cart can go by to an address, each with what it would cost (before any
   * promotion). 422 SHIPPING_UNAVAILABLE when the address is outside every zone.
   */
  async shippingOptions(address: Address, lines: StockLine[]): Promise<ShippingOption[]> {
    const shippingAddress = checkedAddress(address, 'body.address');
    const configuration = await this.configuration.current();
    const covering = zonesFor(configuration.zones, shippingAddress);
    if (covering.length === 0) throw shippingUnavailable(shippingAddress, 'body.address.country');
    const priced = await this.catalogLines(lines);
    const subtotal = priced.reduce((sum, line) => sum + toCents(line.unitPrice) * BigInt(line.quantity), 0n);
    const weightGrams = priced.reduce((sum, line) => sum + (line.weightGrams ?? 0) * line.quantity, 0);
    const options: ShippingOption[] = [];
    for (const zone of covering) {
      for (const method of configuration.methodsOfZone.get(zone.id) ?? []) {
        const amount = method.active ? shippingAmount(method.rate, subtotal, weightGrams) : undefined;
        if (amount !== undefined) options.push({ id: method.id, name: method.name, zone: zone.name, amount: toWireAmount(fromCents(amount)) });
      }
    }
    return options;
  }

  /** What placing this order would charge, without reserving or writing anything; refused as the placement would refuse it. */
  async preview(user: User, body: CreateOrder, lines: StockLine[]): Promise<CheckoutPreview> {
    const plan = await this.plan(user, body);
    const priced = await this.catalogLines(lines);
    try {
      return wirePricing(this.price(plan, priced));
    } catch (error) {
      // As the placement answers it (Orders.place): a figure past DECIMAL(10,2) is the items' fault.
      if (error instanceof RangeError) throw unprocessable(ErrorCode.VALIDATION_FAILED, 'body.items', `make an order total too large: ${error.message}`);
      throw error;
    }
  }

  /**
   * Lines priced from the catalog's current view, as a reservation would price them (no stock
   * taken), and refused as a reservation refuses them: an unknown product, a product sold by
   * variant without one, or a variant of another product is a 422 naming the line's field.
   */
  private async catalogLines(lines: StockLine[]): Promise<ReservedLine[]> {
    const products = await Promise.all(lines.map((line) => this.catalog.getProduct(line.productId)));
    return lines.map((line, index) => {
      const product = products[index];
      const field = `body.items.${index}`;
      if (!product) throw unprocessable(ErrorCode.PRODUCT_NOT_FOUND, `${field}.productId`, `names no product (${line.productId})`);
      const variant = product.variants.find((v) => v.id === line.variantId);
      if (line.variantId === null && product.variants.length > 0) {
        throw unprocessable(ErrorCode.STOCK_MANAGED_BY_VARIANTS, `${field}.variantId`, `is required: ${product.name} is sold by variant`);
      }
      if (line.variantId !== null && !variant) {
        throw unprocessable(ErrorCode.VARIANT_NOT_FOUND, `${field}.variantId`, `is not a variant of ${product.name} (${product.id})`);
      }
      return {
        productId: product.id,
        variantId: variant?.id ?? null,
        quantity: line.quantity,
        name: variant ? `${product.name} (${variant.name})` : product.name,
        unitPrice: fromCents(toCents(variant?.price ?? product.price)),
        weightGrams: variant?.weightGrams ?? product.weightGrams,
      };
    });
  }
}

/** The promotion code a checkout body names, as the store looks it up (surrounding spaces ignored). */
export function promotionCodeOf(body: Pick<CreateOrder, 'promotionCode'>): string | undefined {
  return body.promotionCode?.trim();
}

function checkedAddress(address: Address, field: string): Address {
  const normalized = normalizeAddress(address);
  const problems: InvalidParam[] = validateAddress(normalized, field);
  if (problems.length > 0) {
    throw unprocessableContent(ErrorCode.VALIDATION_FAILED, `The address ${field.replace(/^body\./, '')} is not complete or not valid`, problems);
  }
  return normalized;
}

const invalid = (name: string, reason: string) =>
  unprocessableContent(ErrorCode.VALIDATION_FAILED, `${name.replace(/^body\./, '')} ${reason}`, [{ name, reason }]);

// Refused before anything is reserved or claimed for good: the customer verifies, and the same request succeeds.
const emailNotVerified = () =>
  new AppError(
    403,
    ErrorCode.EMAIL_NOT_VERIFIED,
    'The store takes orders from customers who verified their email: open the link emailed at signup, then place the order again',
  );

function shippingUnavailable(address: Address, field = 'body.shippingAddress.country') {
  const where = address.region ? `${address.country}-${address.region}` : address.country;
  return unprocessableContent(ErrorCode.SHIPPING_UNAVAILABLE, `The store does not ship to ${where}`, [
    { name: field, reason: `is outside every shipping zone of the store (${where})` },
  ]);
}

function promotionRefused(promotion: Promotion, refusal: PromotionRefusal) {
  const reason =
    refusal === 'minimum_not_met' && promotion.minSubtotal !== null
      ? `needs a subtotal of at least ${fromCents(toCents(promotion.minSubtotal))}`
      : promotionReasons[refusal];
  return unprocessableContent(ErrorCode.PROMOTION_NOT_APPLICABLE, `The code ${promotion.code} ${reason}`, [{ name: 'body.promotionCode', reason }]);
}

const termsOf = (promotion: Promotion) => ({
  active: promotion.active,
  startsAt: promotion.startsAt,
  endsAt: promotion.endsAt,
  usageLimit: promotion.usageLimit,
  perCustomerLimit: promotion.perCustomerLimit,
  timesUsed: promotion.timesUsed,
  minSubtotal: promotion.minSubtotal,
});
