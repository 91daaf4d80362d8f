import { toWireAmount, type Payment, type PaymentOrderLine, type PaymentProvider, type PaymentStatus, type Refund, type RefundLine } from '@dema/contracts';
import type { Queryable } from '@dema/platform';

/** A payment as the use cases work with it: amounts as decimal strings, as stored. */
export interface PaymentRecord {
  id: string;
  orderId: string;
  userId: string;
  provider: PaymentProvider;
  status: PaymentStatus;
  amount: string;
  amountCaptured: string;
  amountRefunded: string;
  currency: string;
  providerRef: string | null;
  clientSecret: string | null;
  /** Sum of the refunds still being made. */
  amountPending: string;
}

export interface NewRefund {
  id: string;
  paymentId: string;
  amount: string;
  reason: string;
  lines: RefundLine[] | null;
  createdBy: string | null;
  status: 'pending' | 'succeeded';
  providerRef: string | null;
}

interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  provider: PaymentProvider;
  status: PaymentStatus;
  amount: string;
  amount_captured: string;
  amount_refunded: string;
  currency: string;
  provider_ref: string | null;
  client_secret: string | null;
  amount_pending: string;
  created_at: string;
  updated_at: string;
  refunds: Array<Omit<NewRefund, 'paymentId'> & { createdAt: string }>;
}

const paymentColumns = `p.id, p.order_id, p.user_id, p.provider, p.status, p.amount::text AS amount, p.amount_captured::text AS amount_captured,
  p.amount_refunded::text AS amount_refunded, p.currency, p.provider_ref, p.client_secret, p.created_at, p.updated_at,
  (SELECT COALESCE(sum(r.amount), 0)::text FROM refunds r WHERE r.payment_id = p.id AND r.status = 'pending') AS amount_pending`;

const refundsColumn = `COALESCE((SELECT json_agg(json_build_object('id', r.id, 'amount', r.amount::text, 'reason', r.reason, 'lines', r.lines,
    'createdBy', r.created_by, 'status', r.status, 'providerRef', r.provider_ref,
    'createdAt', to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY r.created_at, r.id)
  FROM refunds r WHERE r.payment_id = p.id), '[]') AS refunds`;

function toRecord(row: PaymentRow): PaymentRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    provider: row.provider,
    status: row.status,
    amount: row.amount,
    amountCaptured: row.amount_captured,
    amountRefunded: row.amount_refunded,
    currency: row.currency,
    providerRef: row.provider_ref,
    clientSecret: row.client_secret,
    amountPending: row.amount_pending,
  };
}

function toPayment(row: PaymentRow): Payment {
  const { amountPending: _pending, clientSecret: _secret, ...record } = toRecord(row);
  return {
    ...record,
    amount: toWireAmount(record.amount),
    amountCaptured: toWireAmount(record.amountCaptured),
    amountRefunded: toWireAmount(record.amountRefunded),
    refunds: row.refunds.map((r) => ({ ...r, paymentId: row.id, amount: toWireAmount(r.amount) })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The payment of an order with its refunds, oldest first, for the API; undefined when there is none. */
export async function findPayment(db: Queryable, orderId: string): Promise<{ payment: Payment; clientSecret: string | null } | undefined> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${paymentColumns}, ${refundsColumn} FROM payments p WHERE p.order_id = $1`, [orderId]);
  return rows[0] && { payment: toPayment(rows[0]), clientSecret: rows[0].client_secret };
}

/** The payment of an order, read without a lock (to decide what to ask the provider). */
export async function readPayment(db: Queryable, orderId: string): Promise<PaymentRecord | undefined> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments p WHERE p.order_id = $1`, [orderId]);
  return rows[0] && toRecord(rows[0]);
}

/** Locks the payment of an order for a change; undefined when there is none. */
export async function lockPayment(tx: Queryable, orderId: string): Promise<PaymentRecord | undefined> {
  return lockWhere(tx, 'order_id', orderId);
}

/** Locks the payment the provider knows as `providerRef` (a webhook's PaymentIntent). */
export async function lockPaymentByRef(tx: Queryable, providerRef: string): Promise<PaymentRecord | undefined> {
  return lockWhere(tx, 'provider_ref', providerRef);
}

/**
 * Locks first, then reads: under READ COMMITTED a statement that waited for the lock still sees the
 * refunds table as it was when it began, so reading the pending refunds in the locking statement
 * would miss those committed by the holder it waited for (and let racing refunds overbook).
 */
async function lockWhere(tx: Queryable, column: 'order_id' | 'provider_ref', value: string): Promise<PaymentRecord | undefined> {
  const { rows: locked } = await tx.query<{ id: string }>(`SELECT id FROM payments WHERE ${column} = $1 FOR UPDATE`, [value]);
  if (!locked[0]) return undefined;
  const { rows } = await tx.query<PaymentRow>(`SELECT ${paymentColumns} FROM payments p WHERE p.id = $1`, [locked[0].id]);
  return toRecord(rows[0]!);
}

/**
 * Records a new payment, with the lines of its order (null: not known), and answers it as
 * `findPayment` would; undefined when the order has one already (a concurrent open wrote first).
 */
export async function insertPayment(
  db: Queryable,
  payment: Pick<PaymentRecord, 'id' | 'orderId' | 'userId' | 'provider' | 'status' | 'amount' | 'currency' | 'providerRef' | 'clientSecret'> & {
    lines: PaymentOrderLine[] | null;
  },
): Promise<{ payment: Payment; clientSecret: string | null } | undefined> {
  const { rows } = await db.query<PaymentRow>(
    `INSERT INTO payments AS p (id, order_id, user_id, provider, status, amount, currency, provider_ref, client_secret, lines)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (order_id) DO NOTHING
     RETURNING ${paymentColumns}, ${refundsColumn}`,
    [
      payment.id,
      payment.orderId,
      payment.userId,
      payment.provider,
      payment.status,
      payment.amount,
      payment.currency,
      payment.providerRef,
      payment.clientSecret,
      payment.lines === null ? null : JSON.stringify(payment.lines),
    ],
  );
  return rows[0] && { payment: toPayment(rows[0]), clientSecret: rows[0].client_secret };
}

/**
 * What a refund's lines are checked against, read under the payment's lock (after it, so refunds
 * committed by a holder it waited for are seen): the order's lines the payment was opened with
 * (null: opened without them) and every line its refunds named, made or being made.
 */
export async function refundLinesOf(tx: Queryable, paymentId: string): Promise<{ ordered: PaymentOrderLine[] | null; refunded: RefundLine[] }> {
  const { rows } = await tx.query<{ ordered: PaymentOrderLine[] | null; refunded: RefundLine[] }>(
    `SELECT p.lines AS ordered,
            COALESCE((SELECT jsonb_agg(l) FROM refunds r, jsonb_array_elements(r.lines) l WHERE r.payment_id = p.id AND r.lines IS NOT NULL), '[]'::jsonb) AS refunded
       FROM payments p WHERE p.id = $1`,
    [paymentId],
  );
  return rows[0]!;
}

/** Moves a locked payment to `status`, with what was captured or refunded when those changed. */
export async function updatePayment(
  tx: Queryable,
  id: string,
  change: { status: PaymentStatus; amountCaptured?: string; amountRefunded?: string },
): Promise<void> {
  await tx.query(
    `UPDATE payments SET status = $2, amount_captured = COALESCE($3::numeric, amount_captured), amount_refunded = COALESCE($4::numeric, amount_refunded)
      WHERE id = $1`,
    [id, change.status, change.amountCaptured ?? null, change.amountRefunded ?? null],
  );
}

/** The refund of a payment made with Idempotency-Key `key`, and the hash of its request; undefined when none was. */
export async function findRefundByKey(tx: Queryable, paymentId: string, key: string): Promise<{ id: string; requestHash: string } | undefined> {
  const { rows } = await tx.query<{ id: string; request_hash: string }>('SELECT id, request_hash FROM refunds WHERE payment_id = $1 AND idempotency_key = $2', [
    paymentId,
    key,
  ]);
  return rows[0] && { id: rows[0].id, requestHash: rows[0].request_hash };
}

export async function insertRefund(tx: Queryable, refund: NewRefund, idempotency?: { key: string; requestHash: string }): Promise<void> {
  await tx.query(
    `INSERT INTO refunds (id, payment_id, amount, reason, lines, created_by, status, provider_ref, idempotency_key, request_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      refund.id,
      refund.paymentId,
      refund.amount,
      refund.reason,
      refund.lines === null ? null : JSON.stringify(refund.lines),
      refund.createdBy,
      refund.status,
      refund.providerRef,
      idempotency?.key ?? null,
      idempotency?.requestHash ?? null,
    ],
  );
}

/**
 * Marks a pending refund made, with the provider's id of it; undefined when it is no longer pending
 * (the request that made it and the sweep that finishes stale ones both get here: one counts it).
 */
export async function completeRefund(tx: Queryable, id: string, providerRef: string | null): Promise<Refund | undefined> {
  const { rows } = await tx.query<{
    id: string;
    payment_id: string;
    amount: string;
    reason: string;
    lines: RefundLine[] | null;
    created_by: string | null;
    provider_ref: string | null;
    created_at: string;
  }>(
    `UPDATE refunds SET status = 'succeeded', provider_ref = $2 WHERE id = $1 AND status = 'pending'
     RETURNING id, payment_id, amount::text AS amount, reason, lines, created_by, provider_ref, created_at`,
    [id, providerRef],
  );
  const row = rows[0];
  return (
    row && {
      id: row.id,
      paymentId: row.payment_id,
      amount: toWireAmount(row.amount),
      reason: row.reason,
      lines: row.lines,
      createdBy: row.created_by,
      status: 'succeeded',
      providerRef: row.provider_ref,
      createdAt: row.created_at,
    }
  );
}

/** A refund still pending, with what finishing it needs. */
export interface PendingRefund {
  id: string;
  orderId: string;
  amount: string;
  reason: string;
  lines: RefundLine[] | null;
}

/** Refunds pending longer than `seconds`: their request died between reserving and recording them. */
export async function stalePendingRefunds(db: Queryable, seconds: number, limit: number): Promise<PendingRefund[]> {
  const { rows } = await db.query<{ id: string; order_id: string; amount: string; reason: string; lines: RefundLine[] | null }>(
    `SELECT r.id, p.order_id, r.amount::text AS amount, r.reason, r.lines FROM refunds r JOIN payments p ON p.id = r.payment_id
      WHERE r.status = 'pending' AND r.created_at < now() - make_interval(secs => $1) ORDER BY r.created_at LIMIT $2`,
    [seconds, limit],
  );
  return rows.map((r) => ({ id: r.id, orderId: r.order_id, amount: r.amount, reason: r.reason, lines: r.lines }));
}

/** Forgets a pending refund the provider refused: its amount is refundable again. */
export async function dropPendingRefund(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM refunds WHERE id = $1 AND status = 'pending'`, [id]);
}

/**
 * Records that webhook event `eventId` is being handled, in the transaction that applies it; false
 * when it already was (the transaction then changes nothing else).
 */
export async function claimWebhookEvent(tx: Queryable, eventId: string, provider: PaymentProvider, type: string): Promise<boolean> {
  const { rowCount } = await tx.query('INSERT INTO processed_webhook_events (event_id, provider, type) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING', [
    eventId,
    provider,
    type,
  ]);
  return rowCount === 1;
}
