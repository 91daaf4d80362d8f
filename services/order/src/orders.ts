import { createHash, randomUUID } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'csv-stringify';
import {
  ErrorCode,
  normalizeAddress,
  restockingStatuses,
  type Address,
  type CreateOrder,
  type InvalidParam,
  type Order,
  type OrderPage,
  type OrderPaymentSummary,
  type OrderPayments,
  type OrderStatus,
  type PaymentProvider,
  type Principal,
  type StockLine,
  type StockReservation,
  type StockReservations,
  toCents,
  toWireAmount,
} from '@dema/contracts';
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  notFound,
  unavailable,
  unprocessable,
  unprocessableContent,
  type Db,
  type OutboxRelay,
} from '@dema/platform';
import type { Logger } from 'pino';
import * as orders from './db/orders.repository.ts';
import * as saga from './db/saga.repository.ts';
import type { CartStore } from './db/cart.store.ts';
import { decideTransition } from './domain/order-status.ts';
import { wirePricing, type PricedOrder } from './domain/pricing.ts';
import type { Checkout, CheckoutPlan } from './checkout.ts';
import { orderCreatedEvent, recordOrderStatusChanged } from './events/order-events.ts';
import { orderCsvColumns, orderCsvRows } from './domain/order-csv.ts';

type User = Principal & { kind: 'user' };

/** The step of a compensation that failed, as its log line names it. */
type CompensationStep = 'cancel-payment' | 'release-stock' | 'end-placement' | 'free-idempotency-key' | 'expire-sweep-lease';

/** A placement older than this without its order written is considered crashed and compensated. */
const defaultStalePlacementSeconds = 30;
/**
 * How long a sweeper holds a stale placement before another may take it over: longer than a
 * release takes (the stock client's retries included), short enough that a crashed sweeper's
 * placements come back soon.
 */
const defaultSweepLeaseSeconds = 60;
/** How long a duplicate request waits for the first one with its Idempotency-Key to finish. */
const duplicateWaitMs = 10_000;
/** Idempotency keys are honoured this long (as Stripe does), then forgotten. */
const idempotencyKeyHours = 24;

export interface OrdersOptions {
  /** How long a sweep holds a stale placement before another sweep may take it over (default 60 s). */
  sweepLeaseSeconds?: number;
  /** A placement older than this without its order written is considered crashed (default 30 s). */
  stalePlacementSeconds?: number;
  /** The providers a shopper may choose (`paymentProvider`): manual always, stripe when configured (default manual only). */
  paymentProviders?: readonly PaymentProvider[];
}

/**
 * The Order service's use cases. Placing an order is a saga across three databases:
 *   1. claim the Idempotency-Key, if any, and record the placement as pending (the saga log), in
 *      one statement,
 *   2. reserve every line's stock in the Product service, all or nothing, idempotent by order id,
 *   3. price the order and open its payment in the Payment service for the total, idempotent by
 *      order id,
 *   4. write the order, its items and ORDER_CREATED in one transaction that also ends the pending
 *      state,
 * and on any failure after 1, cancel the payment and release the reservation (compensation). A
 * placement that crashes half-way is found by `sweepStalePlacements` and compensated the same way,
 * so neither stock nor an open payment outlives an order that was never written.
 */
export class Orders {
  private readonly sweepLeaseSeconds: number;
  private readonly stalePlacementSeconds: number;
  private readonly paymentProviders: readonly PaymentProvider[];

  constructor(
    private readonly db: Db,
    private readonly stock: StockReservations,
    private readonly payments: OrderPayments,
    private readonly relay: OutboxRelay,
    private readonly carts: CartStore,
    private readonly checkout: Checkout,
    private readonly log: Logger,
    options: OrdersOptions = {},
  ) {
    this.sweepLeaseSeconds = options.sweepLeaseSeconds ?? defaultSweepLeaseSeconds;
    this.stalePlacementSeconds = options.stalePlacementSeconds ?? defaultStalePlacementSeconds;
    this.paymentProviders = options.paymentProviders ?? ['manual'];
  }

  /**
   * Places an order for `user` from explicit items or their cart. With an `idempotencyKey`, a
   * repeat of the same request returns the first order (`replayed`), the same key with another
   * body is refused (422), and concurrent duplicates wait for the first and get its order. The
   * order's payment is opened with `paymentProvider` (manual by default; stripe only when the store
   * has it, else a 422): the answer carries it (`payment`, with Stripe's client secret for the
   * card form); a replay does not (the client secret is at `GET /api/orders/{id}/payment`).
   */
  async placeOrder(user: User, body: CreateOrder, idempotencyKey?: string): Promise<{ order: Order; replayed: boolean }> {
    const source = orderSource(body);
    const provider = body.paymentProvider ?? 'manual';
    if (!this.paymentProviders.includes(provider)) {
      throw unprocessable(
        ErrorCode.VALIDATION_FAILED,
        'body.paymentProvider',
        `${provider} is not configured on this server (offered: ${this.paymentProviders.join(', ')})`,
      );
    }
    const requestHash = hashRequest(body);
    for (;;) {
      const orderId = randomUUID();
      const claim = await saga.beginPlacement(this.db, orderId, user.userId, idempotencyKey === undefined ? undefined : { key: idempotencyKey, requestHash });
      if (claim.kind === 'gone') continue;
      if (claim.kind === 'existing') {
        if (claim.requestHash !== requestHash) {
          throw unprocessableContent(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for a different request; use a new key for a new order', [
            { name: 'header.idempotency-key', reason: 'was already used with another body' },
          ]);
        }
        const order = await this.awaitOrder(user.userId, idempotencyKey!, claim.orderId);
        if (order) return { order, replayed: true };
        continue; // the first attempt failed and freed the key: this one places the order
      }
      let lines: StockLine[];
      let plan: CheckoutPlan;
      try {
        lines = source === 'cart' ? await this.cartLines(user.userId) : body.items!.map(toStockLine);
        plan = await this.checkout.plan(user, body);
      } catch (error) {
        // Nothing was reserved yet; the key must not stay claimed by an order that will never exist
        // (an empty cart, filled later, would otherwise make every retry wait and fail for 24 h).
        await this.abandon(orderId, user.userId, idempotencyKey, { stock: false, payment: false });
        throw error;
      }
      const order = await this.place(orderId, user.userId, lines, plan, source, provider, idempotencyKey);
      if (source === 'cart') {
        // Only the lines that were ordered, as they were: one added or changed meanwhile (another tab) stays.
        await this.carts
          .removeOrdered(user.userId, lines)
          .catch((err: unknown) => this.log.warn({ err, orderId }, 'order placed but the cart could not be emptied'));
      }
      return { order, replayed: false };
    }
  }

  /** Steps 2 to 4 of the saga, for a placement already on the saga log (`pending_orders`). */
  private async place(
    orderId: string,
    userId: string,
    lines: StockLine[],
    plan: CheckoutPlan,
    source: 'items' | 'cart',
    provider: PaymentProvider,
    idempotencyKey: string | undefined,
  ): Promise<Order> {
    let reservation: StockReservation;
    try {
      reservation = await this.stock.reserveStock(orderId, lines);
    } catch (error) {
      // A refusal (4xx) rolled the reservation back; after anything else it may exist: release it.
      const refused = error instanceof AppError && error.status < 500;
      await this.abandon(orderId, userId, idempotencyKey, { stock: !refused, payment: false });
      throw renameLineFields(error, source, lines);
    }
    let priced: PricedOrder;
    let payment: OrderPaymentSummary | undefined;
    let paymentMayExist = false;
    const createdAt = new Date().toISOString();
    try {
      priced = this.checkout.price(plan, reservation.lines);
      // An order with nothing to pay (a promotion that covers it all) has no payment to take.
      if (toCents(priced.total) > 0n) {
        // From here on the payment may exist even when the call fails (its answer lost): undo it.
        paymentMayExist = true;
        const opened = await this.payments.openPayment(orderId, { userId, amount: toWireAmount(priced.total), currency: priced.currency, provider });
        payment = { provider, status: opened.status, ...(opened.clientSecret ? { clientSecret: opened.clientSecret } : {}) };
      }
      const outcome = await orders.recordPlacedOrder(
        this.db,
        { id: orderId, userId, status: 'PENDING', priced, payment, createdAt },
        orderCreatedEvent(orderId, userId, priced, createdAt),
      );
      if (outcome === 'not-pending') throw unavailable('Placing the order took too long and was undone; nothing was ordered. Try again.');
      if (outcome !== 'recorded') throw promotionLost(plan, outcome);
    } catch (error) {
      await this.abandon(orderId, userId, idempotencyKey, { stock: true, payment: paymentMayExist });
      if (error instanceof RangeError) throw unprocessable(ErrorCode.VALIDATION_FAILED, 'body.items', `make an order total too large: ${error.message}`);
      throw renamePaymentFields(error);
    }
    this.relay.notify();
    return {
      id: orderId,
      userId,
      status: 'PENDING',
      ...wirePricing(priced),
      shippingAddress: priced.shippingAddress,
      billingAddress: priced.billingAddress,
      paymentStatus: payment?.status ?? null,
      paymentProvider: payment?.provider ?? null,
      ...(payment ? { payment } : {}),
      createdAt,
      updatedAt: createdAt,
    };
  }

  /**
   * Compensation: cancels the payment the placement may have opened (so no card can be authorized
   * for an order that does not exist), releases what it may have reserved and ends its pending
   * state, then frees its idempotency key so a retry places the order anew. Never throws, so the
   * caller answers with the error that made it give up: a step that fails is logged (with the order
   * id and the step) and left to the sweeper, for which the pending row stays when the cancel or
   * the release could not be made.
   */
  private async abandon(orderId: string, userId: string, idempotencyKey: string | undefined, mayHave: { stock: boolean; payment: boolean }): Promise<void> {
    // Each undo is tried even when the one before failed: the Payment service being down must not
    // keep the stock from going back now. The pending row stays for the sweeper if any failed.
    const undo = async (step: CompensationStep, action: () => Promise<unknown>): Promise<boolean> => {
      try {
        await action();
        return true;
      } catch (err) {
        this.log.error({ err, orderId, step }, 'could not compensate an abandoned placement now; it stays pending and the sweeper will');
        return false;
      }
    };
    const cancelled = !mayHave.payment || (await undo('cancel-payment', () => this.payments.cancelPayment(orderId)));
    const released = !mayHave.stock || (await undo('release-stock', () => this.stock.releaseStock(orderId)));
    if (cancelled && released) await undo('end-placement', () => this.db.query('DELETE FROM pending_orders WHERE order_id = $1', [orderId]));
    if (idempotencyKey !== undefined) {
      await saga
        .releaseIdempotencyKey(this.db, userId, idempotencyKey, orderId)
        .catch((err: unknown) =>
          this.log.error(
            { err, orderId, step: 'free-idempotency-key' satisfies CompensationStep },
            'could not free the Idempotency-Key of an abandoned placement; the sweeper will',
          ),
        );
    }
  }

  /** Waits for the order of a concurrent request with the same key; undefined when that one failed. */
  private async awaitOrder(userId: string, idempotencyKey: string, orderId: string): Promise<Order | undefined> {
    const deadline = Date.now() + duplicateWaitMs;
    for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 200)) {
      const order = await orders.findOrder(this.db, orderId);
      if (order) return order;
      if (!(await saga.idempotencyKeyHeld(this.db, userId, idempotencyKey, orderId))) return undefined;
      await sleep(delay);
    }
    throw conflict(ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT, 'A request with this Idempotency-Key is still being processed; retry shortly', undefined, {
      'retry-after': '1',
    });
  }

  /** The lines a checkout body names: its `items`, or the caller's cart (422 when it is empty). */
  async linesOf(user: User, body: { items?: CreateOrder['items']; fromCart?: true }): Promise<StockLine[]> {
    return orderSource(body) === 'cart' ? this.cartLines(user.userId) : body.items!.map(toStockLine);
  }

  private async cartLines(userId: string): Promise<StockLine[]> {
    const { lines } = await this.carts.read(userId);
    if (lines.length === 0) throw unprocessable(ErrorCode.CART_EMPTY, 'body.fromCart', 'the cart is empty: add items first');
    return lines.map((l) => ({ productId: l.productId, variantId: l.variantId, quantity: l.quantity }));
  }

  /** The order, for its owner or an admin; another customer's order is reported as absent (404). */
  async getOrder(user: User, id: string): Promise<Order> {
    const order = await orders.findOrder(this.db, id);
    if (!order || (user.role !== 'admin' && order.userId !== user.userId)) throw orderNotFound(id);
    return order;
  }

  /** All orders for an admin, one's own for a customer; newest first. */
  async listOrders(user: User, query: { limit: number; offset: number; status?: OrderStatus }): Promise<OrderPage> {
    const filter = { ...query, userId: user.role === 'admin' ? undefined : user.userId };
    return { ...(await orders.listOrders(this.db, filter)), limit: query.limit, offset: query.offset };
  }

  /**
   * All orders for an admin, one's own for a customer, as CSV (one row per order line, the order's
   * columns on each), streamed: read 500 at a time as the response is written, so its memory does
   * not grow with the number of orders.
   */
  exportOrdersCsv(user: User, query: { status?: OrderStatus }): Readable {
    const filter = { ...query, userId: user.role === 'admin' ? undefined : user.userId };
    const db = this.db;
    async function* rows(): AsyncGenerator<string[]> {
      let after: string | null = null;
      for (;;) {
        const page = await orders.ordersAfter(db, filter, after, 500);
        for (const order of page) yield* orderCsvRows(order);
        if (page.length < 500) return;
        after = page.at(-1)!.id;
      }
    }
    const csv = stringify({ header: true, columns: [...orderCsvColumns] });
    pipeline(Readable.from(rows()), csv, (error) => {
      if (error) this.log.error({ err: error }, 'order export failed midway');
    });
    return csv;
  }

  /** A user's orders: their own, or anyone's for an admin; another customer's → 403. */
  async listUserOrders(user: User, userIdAsGiven: string, query: { limit: number; offset: number; status?: OrderStatus }): Promise<OrderPage> {
    const userId = userIdAsGiven.toLowerCase(); // a uuid in capitals is still the caller's own id
    if (user.role !== 'admin' && user.userId !== userId) throw forbidden('Customers may only list their own orders');
    return { ...(await orders.listOrders(this.db, { ...query, userId })), limit: query.limit, offset: query.offset };
  }

  /**
   * Moves an order along its lifecycle (ORDER_STATUS_CHANGED in the same transaction). Entering
   * CANCELLED gives back its promotion code's use. Entering CANCELLED or RETURNED puts its stock back (STOCK_UPDATED, reason RETURN): asked of the Product
   * service right away, and guaranteed by that service's consumer of the event if the call fails.
   */
  async changeStatus(user: User, id: string, status: OrderStatus): Promise<Order> {
    await this.db.transaction(async (tx) => {
      const current = await orders.lockOrder(tx, id);
      if (!current || (user.role !== 'admin' && current.userId !== user.userId)) throw orderNotFound(id);
      const decision = decideTransition(current.status, status, user, current.userId);
      if (decision === 'illegal') {
        throw conflict(ErrorCode.ORDER_INVALID_TRANSITION, `Order ${id} is ${current.status}; it cannot become ${status}`, [
          { name: 'body.status', reason: `cannot go from ${current.status} to ${status}` },
        ]);
      }
      if (decision === 'forbidden') throw forbidden(`A customer may only cancel their own order before it ships`);
      await orders.setStatus(tx, id, status);
      // A cancelled order no longer counts against its code's limits (as in Vendure and Medusa):
      // an abandoned or refused order does not use up a code meant for others.
      if (status === 'CANCELLED') await tx.query('DELETE FROM promotion_redemptions WHERE order_id = $1', [id]);
      await recordOrderStatusChanged(tx, id, current.userId, current.status, status);
    });
    this.relay.notify();
    if (restockingStatuses.includes(status)) {
      await this.stock
        .releaseStock(id)
        .catch((err: unknown) =>
          this.log.warn({ err, orderId: id, step: 'release-stock' satisfies CompensationStep }, 'stock release deferred to the ORDER_STATUS_CHANGED consumer'),
        );
    }
    return (await orders.findOrder(this.db, id))!;
  }

  /**
   * Compensates placements that never finished (a crash between reserving and writing the order):
   * cancels their payment, if one was opened (idempotent; none is fine), releases their stock, then takes them off the saga log and frees their idempotency keys, one
   * placement at a time. Each is leased first, so two instances never sweep the same placement and
   * the placement can no longer be recorded as an order; a sweeper that dies after releasing and
   * before deleting leaves the lease, which runs out (`sweepLeaseSeconds`), and a later sweep
   * releases again (a no-op: release is idempotent by order id) and finishes. Also frees
   * idempotency keys left claimed by a request that died before its placement reached the saga log
   * (or after abandoning it), and forgets keys older than 24 h. Returns how many placements it
   * compensated.
   */
  async sweepStalePlacements(): Promise<number> {
    const stale = await saga.leaseStalePendingOrders(this.db, this.stalePlacementSeconds, 50, this.sweepLeaseSeconds);
    let compensated = 0;
    for (const { orderId } of stale) {
      let step: CompensationStep = 'cancel-payment';
      try {
        await this.payments.cancelPayment(orderId);
        step = 'release-stock';
        await this.stock.releaseStock(orderId);
        step = 'end-placement';
        await saga.endSweptPlacement(this.db, orderId);
        compensated += 1;
        this.log.warn({ orderId }, 'released the stock of an order whose placement never finished');
      } catch (err) {
        this.log.error({ err, orderId, step }, 'could not compensate an unfinished placement; a later sweep retries');
        await saga
          .expireSweepLease(this.db, orderId)
          .catch((leaseErr: unknown) =>
            this.log.error(
              { err: leaseErr, orderId, step: 'expire-sweep-lease' satisfies CompensationStep },
              'could not hand back the lease of an unfinished placement; a sweep retries once it runs out',
            ),
          );
      }
    }
    await saga.releaseOrphanIdempotencyKeys(this.db, this.stalePlacementSeconds);
    await this.db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [idempotencyKeyHours]);
    return compensated;
  }
}

const orderNotFound = (id: string) => notFound(ErrorCode.ORDER_NOT_FOUND, `No order ${id}`);

/** The promotion could not be taken when the order was recorded (others used it meanwhile, or it was deleted). */
function promotionLost(plan: CheckoutPlan, outcome: Exclude<orders.RecordOutcome, 'recorded' | 'not-pending'>): AppError {
  const code = plan.promotion?.code ?? '';
  const reason = {
    'promotion-gone': 'no longer exists',
    'promotion-exhausted': 'has been used up',
    'promotion-customer-limit': 'has already been used by you as often as it may be',
  }[outcome];
  return unprocessableContent(ErrorCode.PROMOTION_NOT_APPLICABLE, `The code ${code} ${reason}; nothing was ordered`, [{ name: 'body.promotionCode', reason }]);
}

function orderSource(body: Pick<CreateOrder, 'items' | 'fromCart'>): 'items' | 'cart' {
  if (body.items && body.fromCart) {
    throw badRequest(ErrorCode.VALIDATION_FAILED, 'Order either items or your cart, not both', [
      { name: 'body.fromCart', reason: 'cannot be sent together with items' },
    ]);
  }
  if (body.fromCart) return 'cart';
  if (body.items) return 'items';
  throw badRequest(ErrorCode.VALIDATION_FAILED, 'Say what to order: items, or fromCart: true', [
    { name: 'body.items', reason: 'is required (or send fromCart: true)' },
  ]);
}

/** An item as the catalog is asked for it: ids in lower case, since it matches them as text. */
const toStockLine = (item: NonNullable<CreateOrder['items']>[number]): StockLine => ({
  productId: item.productId.toLowerCase(),
  variantId: item.variantId?.toLowerCase() ?? null,
  quantity: item.quantity,
});

/** The Payment service names the provider `body.provider`; the shopper sent it as `body.paymentProvider`. */
function renamePaymentFields(error: unknown): unknown {
  if (!(error instanceof AppError) || !error.invalidParams?.some((p) => p.name === 'body.provider')) return error;
  const params = error.invalidParams.map((p) => (p.name === 'body.provider' ? { ...p, name: 'body.paymentProvider' } : p));
  return new AppError(error.status, error.code, error.message, params, error.headers);
}

/** The request as the key remembers it: same fields in any order hash the same. */
function hashRequest(body: CreateOrder): string {
  const lines = body.fromCart
    ? { fromCart: true }
    : { items: body.items!.map((i) => ({ productId: i.productId.toLowerCase(), variantId: i.variantId?.toLowerCase() ?? null, quantity: i.quantity })) };
  // Orders without checkout fields hash as they did before checkout existed: keys stored then still match.
  const checkout = [body.shippingAddress, body.billingAddress, body.shippingMethodId, body.promotionCode].some((field) => field !== undefined)
    ? {
        shippingAddress: canonicalAddress(body.shippingAddress),
        billingAddress: canonicalAddress(body.billingAddress),
        shippingMethodId: body.shippingMethodId?.toLowerCase() ?? null,
        promotionCode: body.promotionCode?.trim().toUpperCase() ?? null,
      }
    : {};
  // Only when sent: keys stored before payments existed still match the same request.
  const payment = body.paymentProvider === undefined ? {} : { paymentProvider: body.paymentProvider };
  return createHash('sha256')
    .update(JSON.stringify({ ...lines, ...checkout, ...payment }))
    .digest('hex');
}

/** An address with its fields in one order, so the same address sent in another key order hashes the same. */
const canonicalAddress = (address: Address | undefined) =>
  address === undefined ? null : Object.fromEntries(Object.entries(normalizeAddress(address)).sort(([a], [b]) => a.localeCompare(b)));

/** The Product service names lines `lines.N.…`; the caller knows them as `body.items.N.…` or cart lines. */
function renameLineFields(error: unknown, source: 'items' | 'cart', lines: StockLine[]): unknown {
  if (!(error instanceof AppError) || !error.invalidParams) return error;
  const rename = (name: string) =>
    name.replace(/^lines\.(\d+)\./, (_, index: string) => (source === 'items' ? `body.items.${index}.` : `cart.${lines[Number(index)]?.productId ?? index}.`));
  const params: InvalidParam[] = error.invalidParams.map((p) => ({ ...p, name: rename(p.name) }));
  const detail = error.message.replace(/lines\.(\d+)\./g, (match) => rename(match));
  return new AppError(error.status, error.code, detail, params, error.headers);
}
