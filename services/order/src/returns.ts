import { createHash, randomUUID } from 'node:crypto';
import {
  ErrorCode,
  fromCents,
  type CreateOrderReturn,
  type OrderReturn,
  type OrderReturnList,
  type Principal,
  type OrderPayments,
  type StockReservations,
} from '@dema/contracts';
import { AppError, conflict, notFound, recordAudit, unprocessableContent, type Db, type OutboxRelay } from '@dema/platform';
import type { Logger } from 'pino';
import * as orders from './db/orders.repository.ts';
import * as returns from './db/returns.repository.ts';
import type { ReturnRecord } from './db/returns.repository.ts';
import { planReturn } from './domain/returns-pricing.ts';
import { recordOrderStatusChanged } from './events/order-events.ts';

type User = Principal & { kind: 'user' };

/** Orders whose goods the customer has: only these can be returned. */
const returnableStatuses = ['SHIPPED', 'DELIVERED'];
/** A return pending this long lost its request (a crash between its steps): a sweep finishes it. */
const defaultStaleReturnSeconds = 120;

/**
 * Returns of order lines, a saga of three steps, each idempotent by the return's id:
 *   1. under the order's row lock, check what is left to return and write the return `pending`
 *      (so two returns of the last unit cannot both pass),
 *   2. refund what the units were paid (`returns-pricing`) through the order's payment, with the
 *      key `return-<id>`: a refusal deletes the pending return and nothing changed,
 *   3. put the units back in stock (`returnStock`, by return id), then mark the return completed
 *      and, when every unit of the order is back, move the order to RETURNED (ORDER_STATUS_CHANGED;
 *      its release restocks nothing more, since the Product service leaves out returned units).
 * A request that dies after step 1 leaves the return pending: a retry with its Idempotency-Key, or
 * the sweep (`finishPendingReturns`), runs steps 2 and 3 again, which cannot refund or restock twice.
 */
export class Returns {
  constructor(
    private readonly db: Db,
    private readonly stock: StockReservations,
    private readonly payments: OrderPayments,
    private readonly relay: OutboxRelay,
    private readonly log: Logger,
  ) {}

  /**
   * An admin's return of `body.lines` of order `orderId`. 409 unless the order is SHIPPED or
   * DELIVERED; 422 naming `body.lines.N.quantity` for more than is left to return. With an
   * `idempotencyKey`, a repeat answers with the first return (`replayed`), finishing it if needed.
   */
  async createReturn(user: User, orderId: string, body: CreateOrderReturn, idempotencyKey?: string): Promise<{ orderReturn: OrderReturn; replayed: boolean }> {
    const requestHash = hashReturnRequest(body);
    const started = await this.db.transaction(async (tx) => {
      const order = await orders.lockOrder(tx, orderId);
      if (!order) throw notFound(ErrorCode.ORDER_NOT_FOUND, `No order ${orderId}`);
      const earlier = idempotencyKey === undefined ? undefined : await returns.findReturnByKey(tx, orderId, idempotencyKey);
      if (earlier) {
        if (earlier.requestHash !== requestHash) {
          throw unprocessableContent(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for a different return; use a new key for a new return', [
            { name: 'header.idempotency-key', reason: 'was already used with another body' },
          ]);
        }
        return { record: earlier, replayed: true };
      }
      if (!returnableStatuses.includes(order.status)) {
        throw conflict(ErrorCode.ORDER_INVALID_TRANSITION, `Order ${orderId} is ${order.status}: only a shipped or delivered order is returned`, [
          { name: 'path.id', reason: `is ${order.status}` },
        ]);
      }
      const { lines, pricesIncludeTax } = await returns.returnableLines(tx, orderId, 'all');
      const plan = planReturn(lines, pricesIncludeTax, body.lines);
      if (plan.kind === 'refused') {
        const params = plan.problems.map((p) => ({ name: `body.lines.${p.index}.${p.field}`, reason: p.reason }));
        throw unprocessableContent(ErrorCode.VALIDATION_FAILED, params.map((p) => `${p.name} ${p.reason}`).join('; '), params);
      }
      const record = {
        id: randomUUID(),
        orderId,
        lines: plan.lines.map((l) => ({ productId: l.productId, variantId: l.variantId, quantity: l.quantity, amount: fromCents(l.refundCents) })),
        amount: fromCents(plan.refundCents),
        reason: body.reason,
        createdBy: user.userId,
        requestHash,
      };
      await returns.insertReturn(tx, record, idempotencyKey);
      return { record: { ...record, refundId: null, status: 'pending' as const, createdAt: new Date().toISOString() }, replayed: false };
    });
    const finished = started.record.status === 'completed' ? started.record : await this.finishReturn(started.record);
    return { orderReturn: returns.toWireReturn(finished), replayed: started.replayed };
  }

  /** Steps 2 and 3 for a pending return; safe to run again (refund and restock are idempotent by its id). */
  private async finishReturn(pending: ReturnRecord): Promise<ReturnRecord> {
    let refundId = pending.refundId;
    if (refundId === null && pending.amount !== '0.00') {
      try {
        const refund = await this.payments.refundPayment(
          pending.orderId,
          { amount: Number(pending.amount), lines: pending.lines.map(({ amount: _, ...line }) => line), reason: pending.reason },
          pending.createdBy,
          `return-${pending.id}`,
        );
        refundId = refund.id;
      } catch (error) {
        // Refused (nothing paid, more than is left of the payment): the return never happened.
        // Anything else: the refund may have been made, so the return stays pending for a retry.
        if (error instanceof AppError && error.status < 500) await returns.dropPendingReturn(this.db, pending.id);
        throw renameRefundFields(error, pending.amount);
      }
      await returns.setRefund(this.db, pending.id, refundId);
    }
    await this.stock.returnStock(
      pending.orderId,
      pending.id,
      pending.lines.map((l) => ({ productId: l.productId, variantId: l.variantId, quantity: l.quantity })),
    );
    const returned = await this.db.transaction(async (tx) => {
      const order = (await orders.lockOrder(tx, pending.orderId))!;
      if (!(await returns.completeReturn(tx, pending.id))) return false;
      // Recorded once complete: a return whose refund is refused is dropped and never happened.
      await recordAudit(tx, {
        action: 'return.created',
        resourceType: 'return',
        resourceId: pending.id,
        before: null,
        after: { orderId: pending.orderId, lines: pending.lines, amount: pending.amount, reason: pending.reason, refundId },
      });
      const { lines } = await returns.returnableLines(tx, pending.orderId, 'completed');
      const everything = lines.every((line) => line.returned >= line.quantity);
      if (!everything || !returnableStatuses.includes(order.status)) return false;
      await orders.setStatus(tx, pending.orderId, 'RETURNED');
      await recordOrderStatusChanged(tx, pending.orderId, order.userId, order.status, 'RETURNED');
      return true;
    });
    this.relay.notify();
    if (returned) {
      // Marks the reservation released; every unit is back already, so it restocks nothing.
      await this.stock
        .releaseStock(pending.orderId)
        .catch((err: unknown) =>
          this.log.warn({ err, orderId: pending.orderId }, 'release after the last return deferred to the ORDER_STATUS_CHANGED consumer'),
        );
    }
    return (await returns.findReturn(this.db, pending.id))!;
  }

  /** The returns of an order, oldest first, for its owner or an admin (anyone else: 404). */
  async listReturns(user: User, orderId: string): Promise<OrderReturnList> {
    const order = await orders.findOrder(this.db, orderId);
    if (!order || (user.role !== 'admin' && order.userId !== user.userId)) throw notFound(ErrorCode.ORDER_NOT_FOUND, `No order ${orderId}`);
    return { items: (await returns.listReturns(this.db, orderId)).map(returns.toWireReturn) };
  }

  /** Finishes returns whose request died between the steps; returns how many it finished. */
  async finishPendingReturns(staleSeconds = defaultStaleReturnSeconds): Promise<number> {
    let finished = 0;
    for (const pending of await returns.stalePendingReturns(this.db, staleSeconds, 50)) {
      try {
        await this.finishReturn(pending);
        finished += 1;
      } catch (err) {
        this.log.error({ err, orderId: pending.orderId, returnId: pending.id }, 'could not finish a pending return; a later sweep retries');
      }
    }
    return finished;
  }
}

/**
 * The Payment service names the refund's `body.amount`; a return's body has no amount, its lines
 * make it: a refund of more than is left of the payment is the lines' fault.
 */
function renameRefundFields(error: unknown, amount: string): unknown {
  if (!(error instanceof AppError) || !error.invalidParams?.some((p) => p.name === 'body.amount')) return error;
  const params = error.invalidParams.map((p) =>
    p.name === 'body.amount' ? { name: 'body.lines', reason: `would refund ${amount}, and the refund ${p.reason}` } : p,
  );
  return new AppError(error.status, error.code, params.map((p) => `${p.name} ${p.reason}`).join('; '), params, error.headers);
}

/** A return request as its Idempotency-Key remembers it. */
function hashReturnRequest(body: CreateOrderReturn): string {
  const lines = body.lines.map((l) => ({ productId: l.productId.toLowerCase(), variantId: l.variantId?.toLowerCase() ?? null, quantity: l.quantity }));
  return createHash('sha256')
    .update(JSON.stringify({ lines, reason: body.reason }))
    .digest('hex');
}
