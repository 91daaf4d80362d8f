import { fromCents, maxAmount, toCents, toWireAmount, type Address, type CheckoutPreview, type ReservedLine } from '@dema/contracts';

export interface PricedLine extends ReservedLine {
  /** unitPrice × quantity, as a DECIMAL string. */
  lineTotal: string;
  /** The promotion's share of the line. */
  discount: string;
  /** Tax on the line after its discount (inside it when prices include tax). */
  tax: string;
  /** Weight of one unit, as the catalog had it when the stock was reserved (0 when it had none). */
  weightGrams: number;
}

/** A tax line as the order keeps it. */
export interface ChargedTax {
  name: string;
  /** Percent with up to three decimals. */
  rate: string;
  amount: string;
  appliesTo: 'items' | 'shipping';
}

/** Everything an order records about what it costs, every amount a DECIMAL string. */
export interface PricedOrder {
  lines: PricedLine[];
  subtotal: string;
  discountTotal: string;
  shippingTotal: string;
  taxTotal: string;
  /** What the customer pays. */
  total: string;
  pricesIncludeTax: boolean;
  currency: string;
  taxLines: ChargedTax[];
  shippingAddress: Address | null;
  billingAddress: Address | null;
  shippingMethod: { id: string; name: string } | null;
  promotion: { id: string; code: string } | null;
}

/** The largest order total the seed's `orders.total DECIMAL(10,2)` can hold, in cents. */
const maxTotalCents = toCents(maxAmount);

/**
 * Prices an order that ships nowhere and has no promotion (a store without shipping zones): every
 * figure in integer cents, so the total is the exact decimal sum of price × quantity. Throws
 * RangeError when the total would not fit the seed's DECIMAL(10,2) column.
 */
export function priceOrder(
  lines: ReservedLine[],
  store: { currency: string; pricesIncludeTax: boolean } = { currency: 'USD', pricesIncludeTax: false },
): PricedOrder {
  let total = 0n;
  const priced = lines.map((line) => {
    const lineCents = toCents(line.unitPrice) * BigInt(line.quantity);
    total += lineCents;
    return { ...line, lineTotal: fromCents(lineCents), discount: '0.00', tax: '0.00', weightGrams: line.weightGrams ?? 0 };
  });
  if (total > maxTotalCents) throw new RangeError(`order total ${fromCents(total)} exceeds ${maxAmount}`);
  return {
    lines: priced,
    subtotal: fromCents(total),
    discountTotal: '0.00',
    shippingTotal: '0.00',
    taxTotal: '0.00',
    total: fromCents(total),
    pricesIncludeTax: store.pricesIncludeTax,
    currency: store.currency,
    taxLines: [],
    shippingAddress: null,
    billingAddress: null,
    shippingMethod: null,
    promotion: null,
  };
}

/** What an order or a preview shows of its pricing, as the API carries it (amounts as JSON numbers). */
export function wirePricing(priced: PricedOrder): CheckoutPreview {
  return {
    items: priced.lines.map((l) => ({
      productId: l.productId,
      variantId: l.variantId,
      name: l.name,
      quantity: l.quantity,
      price: toWireAmount(l.unitPrice),
      lineTotal: toWireAmount(l.lineTotal),
      discount: toWireAmount(l.discount),
      tax: toWireAmount(l.tax),
    })),
    subtotal: toWireAmount(priced.subtotal),
    discountTotal: toWireAmount(priced.discountTotal),
    shippingTotal: toWireAmount(priced.shippingTotal),
    taxTotal: toWireAmount(priced.taxTotal),
    total: toWireAmount(priced.total),
    pricesIncludeTax: priced.pricesIncludeTax,
    currency: priced.currency,
    taxLines: priced.taxLines.map((t) => ({ ...t, amount: toWireAmount(t.amount) })),
    shippingMethod: priced.shippingMethod,
    promotionCode: priced.promotion?.code ?? null,
  };
}
