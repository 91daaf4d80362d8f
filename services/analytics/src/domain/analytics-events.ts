import { eventVersions, fromCents, orderStatuses, toCents, type EventEnvelope, type OrderStatus, type StockUpdateReason } from '@dema/contracts';
import { statusRanks } from './order-status-rank.ts';

/**
 * What one event means to analytics, checked and normalised: money as exact decimal strings,
 * timestamps as ISO-8601 UTC. Pure; the repository writes these, the consumer and the replay share it.
 */
export type AnalyticsFact =
  | { kind: 'order-placed'; order: PlacedOrder }
  | { kind: 'order-status-changed'; change: StatusChange }
  | { kind: 'stock-updated'; movement: StockMovementFact }
  | { kind: 'product-deleted'; deletion: ProductDeletion }
  | { kind: 'payment-refunded'; refund: RefundFact }
  /** Kept in the history but not counted: a type analytics does not derive figures from, or a newer version. */
  | { kind: 'history-only'; why: string };

export interface PlacedOrder {
  orderId: string;
  userId: string;
  placedAt: string;
  /** DECIMAL text, e.g. "79.80". */
  total: string;
  units: number;
  items: Array<{ productId: string; quantity: number; unitPrice: string; lineTotal: string }>;
  /**
   * The breakdown ORDER_CREATED carries since checkout (issue 20), DECIMAL text. An event of an
   * order placed before has none: its subtotal is its total and the rest is zero, which is what
   * such an order was (no discount, shipping or tax existed).
   */
  subtotal: string;
  discountTotal: string;
  shippingTotal: string;
  taxTotal: string;
  pricesIncludeTax: boolean;
  currency: string | null;
}

/** One refund that succeeded, keyed by its refund id (the same refund announced twice is one refund). */
export interface RefundFact {
  refundId: string;
  orderId: string;
  paymentId: string;
  /** DECIMAL text: this refund, not the payment's running total. */
  amount: string;
  currency: string;
  refundedAt: string;
}

export interface StatusChange {
  orderId: string;
  userId: string;
  status: OrderStatus;
  rank: number;
  changedAt: string;
}

export interface StockMovementFact {
  eventId: string;
  productId: string;
  reason: StockUpdateReason;
  oldStock: number;
  newStock: number;
  occurredAt: string;
}

/** A product deleted from the catalog: its stock is no longer reported. */
export interface ProductDeletion {
  productId: string;
  deletedAt: string;
}

/** An event analytics cannot use as it stands; the bus retries it and then dead-letters it. */
export class InvalidEvent extends Error {
  override name = 'InvalidEvent';
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const stockReasons: readonly StockUpdateReason[] = ['ORDER', 'MANUAL', 'RETURN'];
const maxInt = 2_147_483_647;
/** A total above DECIMAL(12,2) cannot be stored exactly, so it is refused rather than rounded. */
const maxTotalCents = 999_999_999_999n;

/**
 * Checks the envelope shape every event must have ({ id: uuid, type, version, payload: object }).
 * Throws InvalidEvent naming what is wrong.
 */
export function checkEnvelope(value: unknown): EventEnvelope {
  if (!isObject(value)) throw new InvalidEvent('an event must be a JSON object');
  const { id, type, version, payload } = value;
  if (typeof id !== 'string' || !uuidPattern.test(id)) throw new InvalidEvent('id must be a uuid');
  if (typeof type !== 'string' || type.length === 0 || type.length > 100) throw new InvalidEvent('type must be a non-empty string');
  if (!Number.isInteger(version) || (version as number) < 1) throw new InvalidEvent('version must be a positive integer');
  if (!isObject(payload)) throw new InvalidEvent('payload must be an object');
  return { id, type, version: version as number, payload };
}

/** The fact an event carries. Throws InvalidEvent when a known event's payload breaks its contract. */
export function factOf(event: EventEnvelope): AnalyticsFact {
  const known = (eventVersions as Record<string, number>)[event.type];
  if (known === undefined) return { kind: 'history-only', why: `no figures derive from ${event.type}` };
  // A producer upgraded before analytics: keep the event, count it after analytics learns it (replay).
  if (event.version > known) return { kind: 'history-only', why: `${event.type} version ${event.version} is newer than ${known}` };
  const p = new PayloadReader(event);
  switch (event.type) {
    case 'ORDER_CREATED':
      return { kind: 'order-placed', order: placedOrder(p) };
    case 'ORDER_STATUS_CHANGED': {
      const status = p.oneOf('newStatus', orderStatuses);
      return {
        kind: 'order-status-changed',
        change: { orderId: p.uuid('orderId'), userId: p.uuid('userId'), status, rank: statusRanks[status], changedAt: p.timestamp('timestamp') },
      };
    }
    case 'STOCK_UPDATED':
      return {
        kind: 'stock-updated',
        movement: {
          eventId: event.id,
          productId: p.uuid('productId'),
          reason: p.oneOf('reason', stockReasons),
          oldStock: p.integer('oldStock', 0, maxInt),
          newStock: p.integer('newStock', 0, maxInt),
          occurredAt: p.timestamp('timestamp'),
        },
      };
    case 'PRODUCT_DELETED':
      return { kind: 'product-deleted', deletion: { productId: p.uuid('productId'), deletedAt: p.timestamp('timestamp') } };
    case 'PAYMENT_REFUNDED': {
      const amount = p.money('amount');
      if (amount > maxTotalCents) throw p.invalid('amount', 'is too large');
      return {
        kind: 'payment-refunded',
        refund: {
          refundId: p.uuid('refundId'),
          orderId: p.uuid('orderId'),
          paymentId: p.uuid('paymentId'),
          amount: fromCents(amount),
          currency: p.currency('currency'),
          refundedAt: p.timestamp('timestamp'),
        },
      };
    }
    default:
      return { kind: 'history-only', why: `no figures derive from ${event.type}` };
  }
}

function placedOrder(p: PayloadReader): PlacedOrder {
  const rawItems = p.field('items');
  if (!Array.isArray(rawItems) || rawItems.length === 0) throw p.invalid('items', 'must be a non-empty array');
  let units = 0;
  const items = rawItems.map((raw, index) => {
    const item = new PayloadReader(p.event, raw, `items.${index}.`);
    const quantity = item.integer('quantity', 1, maxInt);
    const unitPrice = item.money('price');
    units += quantity;
    return { productId: item.uuid('productId'), quantity, unitPrice: fromCents(unitPrice), lineTotal: fromCents(unitPrice * BigInt(quantity)) };
  });
  if (units > maxInt) throw p.invalid('items', 'hold more units than analytics can count');
  const total = p.money('total');
  if (total > maxTotalCents) throw p.invalid('total', 'is too large');
  const amount = (name: string, absent: bigint) => {
    if (p.field(name) === undefined) return fromCents(absent);
    const cents = p.money(name);
    if (cents > maxTotalCents) throw p.invalid(name, 'is too large');
    return fromCents(cents);
  };
  const pricesIncludeTax = p.field('pricesIncludeTax');
  if (pricesIncludeTax !== undefined && typeof pricesIncludeTax !== 'boolean') throw p.invalid('pricesIncludeTax', 'must be a boolean');
  return {
    orderId: p.uuid('orderId'),
    userId: p.uuid('userId'),
    placedAt: p.timestamp('timestamp'),
    total: fromCents(total),
    units,
    items,
    subtotal: amount('subtotal', total),
    discountTotal: amount('discountTotal', 0n),
    shippingTotal: amount('shippingTotal', 0n),
    taxTotal: amount('taxTotal', 0n),
    pricesIncludeTax: pricesIncludeTax ?? false,
    currency: p.field('currency') === undefined ? null : p.currency('currency'),
  };
}

/** Reads payload fields, each failure naming the event and the field. */
class PayloadReader {
  private readonly object: Record<string, unknown>;

  constructor(
    readonly event: EventEnvelope,
    value: unknown = event.payload,
    private readonly prefix = '',
  ) {
    if (!isObject(value)) throw new InvalidEvent(`${event.type} ${event.id}: payload.${prefix || '(root)'} must be an object`);
    this.object = value;
  }

  invalid(name: string, reason: string): InvalidEvent {
    return new InvalidEvent(`${this.event.type} ${this.event.id}: payload.${this.prefix}${name} ${reason}`);
  }

  field(name: string): unknown {
    return this.object[name];
  }

  uuid(name: string): string {
    const value = this.object[name];
    if (typeof value !== 'string' || !uuidPattern.test(value)) throw this.invalid(name, 'must be a uuid');
    return value.toLowerCase();
  }

  integer(name: string, min: number, max: number): number {
    const value = this.object[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw this.invalid(name, `must be a whole number from ${min} to ${max}`);
    return value;
  }

  /** Cents; a number with more than two decimals or below zero is refused, never rounded. */
  money(name: string): bigint {
    const value = this.object[name];
    if (typeof value !== 'number' && typeof value !== 'string') throw this.invalid(name, 'must be an amount');
    let cents: bigint;
    try {
      cents = toCents(value);
    } catch {
      throw this.invalid(name, 'must be an amount with at most two decimals');
    }
    if (cents < 0n) throw this.invalid(name, 'must not be negative');
    return cents;
  }

  /** An ISO 4217 code, upper case. */
  currency(name: string): string {
    const value = this.object[name];
    if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value)) throw this.invalid(name, 'must be a three-letter currency code');
    return value;
  }

  /** ISO-8601 with a zone, returned in UTC. */
  timestamp(name: string): string {
    const value = this.object[name];
    const time = typeof value === 'string' && timestampPattern.test(value) && isCalendarDay(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(time)) throw this.invalid(name, 'must be an ISO-8601 date-time with a zone');
    return new Date(time).toISOString();
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.object[name];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw this.invalid(name, `must be one of ${allowed.join(', ')}`);
    return value as T;
  }
}

// Date.parse rolls 2024-02-30 over into March; a producer sending it has a bug worth seeing.
function isCalendarDay(timestamp: string): boolean {
  const [year, month, day] = timestamp.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
