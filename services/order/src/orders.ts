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
  type Payment,
  type PaymentProvider,
  type PaymentStatus,
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
  type Queryable,
  recordAudit,
} from '@dema/platform';
import type { Logger } from 'pino';
import * as orders from './db/orders.repository.ts';
import * as saga from './db/saga.repository.ts';
import { readCheckoutSettings } from './db/checkout-settings.repository.ts';
import type { CartStore } from './db/cart.store.ts';
import { decideTransition } from './domain/order-status.ts';
import { wirePricing, type PricedOrder } from './domain/pricing.ts';
import { promotionCodeOf, type Checkout, type CheckoutPlan } from './checkout.ts';
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
      const { claim, terms } = await saga.beginPlacement(
        this.db,
        orderId,
        user.userId,
        idempotencyKey === undefined ? undefined : { key: idempotencyKey, requestHash },
        promotionCodeOf(body),
      );
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
        plan = await this.checkout.plan(user, body, terms);
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
        const opened = await this.payments.openPayment(orderId, {
          userId,
          amount: toWireAmount(priced.total),
          currency: priced.currency,
          provider,
          // So that refunds naming lines are checked against the order's in the Payment service.
          lines: priced.lines.map((line) => ({ productId: line.productId, variantId: line.variantId, quantity: line.quantity })),
        });
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
   * SHIPPED first captures a card payment that is only authorized; a card payment neither
   * authorized nor paid is a 409 and nothing changes (a manual one may ship unpaid: cash on
   * delivery). Entering CANCELLED gives back its promotion code's use and cancels its payment
   * (`cancelPayment`). Entering CANCELLED or RETURNED puts its stock back (STOCK_UPDATED, reason
   * RETURN). The cancel and the release are asked of the Payment and Product services right away,
   * and guaranteed by their consumers of the event if the call fails.
   */
  async changeStatus(user: User, id: string, status: OrderStatus): Promise<Order> {
    // Before the move, so a refusal changes nothing. A cancel that wins the race after the capture
    // refunds it (its payment is then paid); one that wins before it makes the capture a 409.
    const captured = status === 'SHIPPED' ? await this.captureBeforeShipping(user, id) : undefined;
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
      await enterStatus(tx, id, current, status);
      if (captured) await orders.followPayment(tx, id, captured.status);
      await recordAudit(tx, { action: 'order.status_changed', resourceType: 'order', resourceId: id, before: { status: current.status }, after: { status } });
    });
    this.relay.notify();
    await this.afterStatusChange(id, status);
    return (await orders.findOrder(this.db, id))!;
  }

  /**
   * Takes the money of a card order about to ship (the capture is idempotent: one captured already,
   * at checkout or by a move that failed after it, is answered as it is). Undefined for an order
   * without a card payment, or one that cannot ship anyway (the transition's own answer follows).
   */
  private async captureBeforeShipping(user: User, id: string): Promise<Payment | undefined> {
    const order = await orders.findOrder(this.db, id);
    if (order?.paymentProvider !== 'stripe' || decideTransition(order.status, 'SHIPPED', user, order.userId) !== 'allowed') return undefined;
    const refuse = (why: string) =>
      conflict(ErrorCode.PAYMENT_INVALID_STATE, `Order ${id} cannot ship: ${why}`, [{ name: 'body.status', reason: `cannot be SHIPPED: ${why}` }]);
    let payment: Payment;
    try {
      payment = await this.payments.capturePayment(id);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.PAYMENT_INVALID_STATE) throw refuse(error.message);
      throw error;
    }
    if (payment.status === 'refunded') throw refuse('its card payment was refunded');
    return payment;
  }

  /**
   * What follows a status change, after it committed; never throws (each step has a consumer of
   * ORDER_STATUS_CHANGED that guarantees it). CANCELLED: the payment is cancelled (an authorization
   * voided, money taken refunded), the order showing what became of it. CANCELLED or RETURNED: the
   * stock goes back.
   */
  private async afterStatusChange(id: string, status: OrderStatus): Promise<void> {
    if (status === 'CANCELLED') {
      try {
        const payment = await this.payments.cancelPayment(id);
        if (payment) await orders.followPayment(this.db, id, payment.status);
      } catch (err) {
        this.log.warn(
          { err, orderId: id, step: 'cancel-payment' satisfies CompensationStep },
          "payment cancel deferred to the Payment service's ORDER_STATUS_CHANGED consumer",
        );
      }
    }
    if (restockingStatuses.includes(status)) {
      await this.stock
        .releaseStock(id)
        .catch((err: unknown) =>
          this.log.warn({ err, orderId: id, step: 'release-stock' satisfies CompensationStep }, 'stock release deferred to the ORDER_STATUS_CHANGED consumer'),
        );
    }
  }

  /**
   * The order's payment is now `to` (a PAYMENT_* event; see `orders.followPayment` for late and
   * repeated ones). A card just authorized is captured at once when the store captures at
   * checkout (`captureOn`), unless the order was cancelled meanwhile. Throws when the capture could
   * not be asked (the event is delivered again; the capture is idempotent).
   */
  async followPayment(orderId: string, to: PaymentStatus): Promise<void> {
    await orders.followPayment(this.db, orderId, to);
    if (to !== 'authorized' || (await readCheckoutSettings(this.db)).captureOn !== 'checkout') return;
    const order = await orders.findOrder(this.db, orderId);
    if (!order || order.status === 'CANCELLED') return;
    try {
      const payment = await this.payments.capturePayment(orderId);
      await orders.followPayment(this.db, orderId, payment.status);
    } catch (error) {
      // Refused: no longer authorized (voided by a cancel, captured by a shipment): nothing to do.
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      this.log.warn({ err: error, orderId }, 'a payment authorized at checkout could not be captured');
    }
  }

  /**
   * Cancels the PENDING orders whose payment is still unpaid or failed `paymentTimeoutMinutes`
   * (checkout settings) after they were placed, as of `now`, and puts their stock back. Each is
   * cancelled exactly once however many sweeps run at the same time (on one database): its row is
   * locked and skipped by the others, and the change with its ORDER_STATUS_CHANGED commits once.
   * Its payment is cancelled and its stock released right after, and by the consumers of the event
   * if that fails. Manual payments are included: an admin confirms an order to keep it waiting
   * longer (cash on delivery). Returns how many it cancelled.
   */
  async cancelUnpaidOrders(now: Date = new Date()): Promise<number> {
    const { paymentTimeoutMinutes } = await readCheckoutSettings(this.db);
    const placedBefore = new Date(now.getTime() - paymentTimeoutMinutes * 60_000);
    const cancelled = await this.db.transaction(async (tx) => {
      const due = await orders.lockUnpaidOrders(tx, placedBefore, 50);
      for (const order of due) await enterStatus(tx, order.id, order, 'CANCELLED');
      return due;
    });
    if (cancelled.length === 0) return 0;
    this.relay.notify();
    for (const { id } of cancelled) {
      this.log.info({ orderId: id, paymentTimeoutMinutes }, 'cancelled an order whose payment did not arrive in time');
      await this.afterStatusChange(id, 'CANCELLED');
    }
    return cancelled.length;
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

/** Moves a locked order to `status` and records ORDER_STATUS_CHANGED, in the caller's transaction. */
async function enterStatus(tx: Queryable, id: string, current: { userId: string; status: OrderStatus }, status: OrderStatus): Promise<void> {
  await orders.setStatus(tx, id, status);
  // A cancelled order no longer counts against its code's limits (as in Vendure and Medusa):
  // an abandoned or refused order does not use up a code meant for others.
  if (status === 'CANCELLED') await tx.query('DELETE FROM promotion_redemptions WHERE order_id = $1', [id]);
  await recordOrderStatusChanged(tx, id, current.userId, current.status, status);
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
