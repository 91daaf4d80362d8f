import type { Order } from '@dema/contracts';

/** The columns of an order export, in order: one row per order line, the order's columns on each. */
export const orderCsvColumns = [
  'order_id',
  'created_at',
  'status',
  'customer_id',
  'currency',
  'subtotal',
  'discount_total',
  'shipping_total',
  'tax_total',
  'total',
  'payment_status',
  'promotion_code',
  'shipping_country',
  'shipping_postal_code',
  'line',
  'product_id',
  'variant_id',
  'name',
  'quantity',
  'unit_price',
  'line_discount',
  'line_tax',
] as const;

// Amounts are at most 99,999,999.99: two decimals of a double of that size are exact.
const money = (amount: number) => amount.toFixed(2);

/** An order as CSV rows in `orderCsvColumns`. */
export function* orderCsvRows(order: Order): Generator<string[]> {
  const address = order.shippingAddress as { country?: string; postalCode?: string } | null;
  const head = [
    order.id,
    order.createdAt,
    order.status,
    order.userId,
    order.currency,
    money(order.subtotal),
    money(order.discountTotal),
    money(order.shippingTotal),
    money(order.taxTotal),
    money(order.total),
    order.paymentStatus ?? '',
    order.promotionCode ?? '',
    address?.country ?? '',
    address?.postalCode ?? '',
  ];
  for (const [i, item] of order.items.entries()) {
    yield [
      ...head,
      String(i + 1),
      item.productId,
      item.variantId ?? '',
      item.name,
      String(item.quantity),
      money(item.price),
      money(item.discount),
      money(item.tax),
    ];
  }
}
