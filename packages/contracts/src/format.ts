import type { OrderStatus } from './orders.ts';
import type { PaymentProvider, PaymentStatus } from './payments.ts';

/**
 * Display formatting shared by every client (web, mobile) and the server's pages. Prices arrive as JSON numbers with at
 * most two decimals (contracts/money.ts); they are only formatted here, never computed.
 */
const integer = new Intl.NumberFormat('en-US');
const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const date = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

// One formatter per currency, made on first use: building an Intl.NumberFormat costs far more than formatting with it.
const currencyFormats = new Map<string, Intl.NumberFormat>();
function currencyFormat(currency: string): Intl.NumberFormat {
  let format = currencyFormats.get(currency);
  if (!format) {
    // The currency's own digits (two for EUR, none for JPY, three for KWD): Intl knows them from ISO 4217.
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    currencyFormats.set(currency, format);
  }
  return format;
}

/**
 * An amount in `currency` (ISO 4217, the store's or the order's; USD unless told), with that
 * currency's digits: `19.9` → `$19.90`, `(19.9, 'EUR')` → `€19.90`, `(1990, 'JPY')` → `¥1,990`.
 * A code Intl does not know throws a RangeError, as a wrong currency is a bug to see, not to hide.
 */
export const formatPrice = (amount: number, currency = 'USD'): string => currencyFormat(currency).format(amount);
/** `12345` → `12,345`. */
export const formatCount = (count: number): string => integer.format(count);
/** An ISO timestamp as a short UTC date and time (the same on server and client, so hydration agrees). */
export const formatDateTime = (iso: string): string => `${dateTime.format(new Date(iso))} UTC`;
/** An ISO timestamp or day as a UTC date. */
export const formatDate = (iso: string): string => date.format(new Date(iso));
/** Bytes as KiB/MiB/GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** What a shopper reads about stock: exact when few are left, reassuring otherwise. */
export function describeStock(stock: number): { label: string; tone: 'out' | 'low' | 'ok' } {
  if (stock <= 0) return { label: 'Out of stock', tone: 'out' };
  if (stock <= 5) return { label: `Only ${stock} left`, tone: 'low' };
  return { label: `In stock (${formatCount(stock)})`, tone: 'ok' };
}

const orderStatusLabels: Record<OrderStatus, string> = {
  PENDING: 'Pending',
  CONFIRMED: 'Confirmed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
  RETURNED: 'Returned',
};

/** An order status as shoppers and merchants read it: `SHIPPED` → `Shipped`. */
export const orderStatusLabel = (status: OrderStatus): string => orderStatusLabels[status];

const paymentStatusLabels: Record<PaymentStatus, string> = {
  unpaid: 'Unpaid',
  authorized: 'Authorized',
  paid: 'Paid',
  partially_refunded: 'Partially refunded',
  refunded: 'Refunded',
  failed: 'Failed',
  voided: 'Voided',
};

/** A payment status as shoppers and merchants read it: `partially_refunded` → `Partially refunded`. */
export const paymentStatusLabel = (status: PaymentStatus): string => paymentStatusLabels[status];

const paymentProviderLabels: Record<PaymentProvider, string> = {
  manual: 'Bank transfer / cash on delivery',
  stripe: 'Card',
};

/** How an order is paid, as the shopper chose it: `stripe` → `Card`. */
export const paymentProviderLabel = (provider: PaymentProvider): string => paymentProviderLabels[provider];
