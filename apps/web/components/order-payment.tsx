'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  formatDateTime,
  formatPrice,
  fromCents,
  paymentProviderLabel,
  paymentStatusLabel,
  type Payment,
  type PaymentStatus,
  type Refund,
} from '@dema/contracts';
import { DemaApiError, describeFailure, newIdempotencyKey } from '@dema/client';
import { fieldErrorsUnder } from '../lib/checkout.ts';
import { api, useSession } from '../lib/session.ts';
import { parseRefundAmount, refundableCents } from '../lib/payments.ts';
import { useApi } from '../lib/use-api.ts';
import { CardField, type Card } from './card-field.tsx';
import { FormField } from './form-field.tsx';

/** What each status means for the one reading it, beside its label. */
const statusNotes: Record<PaymentStatus, string> = {
  unpaid: 'Waiting for the payment.',
  authorized: 'The card is held for this amount; it is charged when the order ships.',
  paid: 'The payment has been received.',
  partially_refunded: 'Part of the payment has been given back.',
  refunded: 'The whole payment has been given back.',
  failed: 'The card was declined.',
  voided: 'Nothing was charged.',
};

const asApiError = (caught: unknown): DemaApiError => (caught instanceof DemaApiError ? caught : DemaApiError.unreachable(caught));

/**
 * An order's payment: how it is paid, where it stands (in words), what was taken and given back,
 * and each refund (for admins, who made it). Admins with `payments:manage` also get "Mark as paid"
 * for a manual payment still unpaid and the refund form. An order placed before payments existed
 * has none (a 404): the panel is then not shown. `version` changes whenever the order does, so the
 * panel reads the payment again with it; a card payment the provider has not yet reported on is
 * read again every few seconds. While a card payment still waits for its card (never confirmed,
 * or declined), its owner gets the card form to pay with (the client secret comes only to them).
 */
export function OrderPayment({ orderId, version, stripeJsUrl }: { orderId: string; version: string; stripeJsUrl: string }) {
  const session = useSession();
  const canManage = session.status === 'signed-in' && session.can['payments:manage'];
  const [awaitingProvider, setAwaitingProvider] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger: a changed order means its payment may have changed too
  const result = useApi((client) => client.GET('/api/orders/{orderId}/payment', { params: { path: { orderId } } }), [orderId, version], {
    optional: true,
    ...(awaitingProvider ? { everyMs: 3_000 } : {}),
  });
  const payment = result.status === 'ready' ? (result.data as Payment) : null;
  useEffect(() => {
    setAwaitingProvider(payment !== null && payment.provider === 'stripe' && payment.status === 'unpaid');
  }, [payment]);

  if (result.status === 'missing' || result.status === 'loading') return null;
  if (result.status === 'error') {
    return (
      <div className="panel" data-testid="order-payment">
        <h2>Payment</h2>
        <p className="alert alert-error" role="alert">
          We could not load the payment: {describeFailure(result.error)}
        </p>
      </div>
    );
  }
  const shown = payment!;
  return (
    <section className="panel" data-testid="order-payment" aria-labelledby="payment-heading">
      <div className="panel-title">
        <h2 id="payment-heading">Payment</h2>
        <span className={`pill payment-${shown.status}`} data-testid="payment-status" data-status={shown.status}>
          {paymentStatusLabel(shown.status)}
        </span>
      </div>
      <p className="muted small" style={{ marginTop: 0 }}>
        {statusNotes[shown.status]}
      </p>
      <div className="breakdown">
        <div className="summary-row">
          <span>Paid by</span>
          <span data-testid="payment-provider">{paymentProviderLabel(shown.provider)}</span>
        </div>
        <div className="summary-row">
          <span>Amount</span>
          <span data-testid="payment-amount">{formatPrice(shown.amount, shown.currency)}</span>
        </div>
        <div className="summary-row">
          <span>Captured</span>
          <span data-testid="payment-captured">{formatPrice(shown.amountCaptured, shown.currency)}</span>
        </div>
        <div className="summary-row">
          <span>Refunded</span>
          <span data-testid="payment-refunded">{formatPrice(shown.amountRefunded, shown.currency)}</span>
        </div>
      </div>
      {shown.refunds.length > 0 ? <Refunds refunds={shown.refunds} currency={shown.currency} showWho={canManage} /> : null}
      {shown.clientSecret && (shown.status === 'unpaid' || shown.status === 'failed') ? (
        <PayByCard clientSecret={shown.clientSecret} stripeJsUrl={stripeJsUrl} onConfirmed={result.reload} />
      ) : null}
      {canManage ? <PaymentActions payment={shown} onChanged={result.reload} /> : null}
    </section>
  );
}

/**
 * The card form for a payment still waiting for its card: Stripe.js confirms the PaymentIntent with
 * its client secret; the provider's webhook then moves the payment, which the panel reads again.
 */
function PayByCard({ clientSecret, stripeJsUrl, onConfirmed }: { clientSecret: string; stripeJsUrl: string; onConfirmed: () => void }) {
  const settings = useApi((client) => client.GET('/api/checkout-settings'), []);
  const publishableKey = settings.status === 'ready' ? (settings.data as { stripePublishableKey?: string | null }).stripePublishableKey : null;
  const card = useRef<Card | null>(null);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!publishableKey) return null;

  async function pay(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (!card.current) {
      setError('The card form is not ready yet.');
      return;
    }
    setWorking(true);
    setError(null);
    const outcome = await card.current.stripe
      .confirmCardPayment(clientSecret, { payment_method: { card: card.current.element } })
      .catch(() => ({ error: { message: 'The card could not be checked: try again.' } }));
    setWorking(false);
    if (outcome.error) setError(outcome.error.message ?? 'The card was not accepted.');
    else onConfirmed();
  }

  return (
    <form onSubmit={pay} noValidate aria-label="Pay by card" style={{ marginTop: 16 }}>
      <h3 style={{ margin: '0 0 8px' }}>Pay by card</h3>
      <CardField
        scriptUrl={stripeJsUrl}
        publishableKey={publishableKey}
        onReady={(ready) => {
          card.current = ready;
        }}
      />
      <button type="submit" className="btn btn-primary" disabled={working}>
        {working ? <span className="spinner" aria-hidden="true" /> : null} Pay
      </button>
      <div aria-live="assertive">
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </form>
  );
}

/** The refunds, oldest first: amount, reason, when and (for admins) who made it. */
function Refunds({ refunds, currency, showWho }: { refunds: Refund[]; currency: string; showWho: boolean }) {
  const names = useAdminNames(showWho ? refunds.map((refund) => refund.createdBy) : []);
  return (
    <div className="table-wrap" style={{ marginTop: 12 }}>
      <table className="data" aria-label="Refunds">
        <thead>
          <tr>
            <th scope="col">Refunded</th>
            <th scope="col">Reason</th>
            {showWho ? <th scope="col">By</th> : null}
            <th scope="col" className="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {refunds.map((refund) => (
            <tr key={refund.id} data-testid="payment-refund">
              <td>
                {formatDateTime(refund.createdAt)}
                {refund.status === 'pending' ? <span className="muted small"> (in progress)</span> : null}
              </td>
              <td data-testid="payment-refund-reason">{refund.reason}</td>
              {showWho ? (
                <td>{refund.createdBy ? (names[refund.createdBy] ?? <span className="mono">{refund.createdBy.slice(0, 8)}</span>) : 'Automatic'}</td>
              ) : null}
              <td className="num" data-testid="payment-refund-amount">
                {formatPrice(refund.amount, currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The names of the admins behind `ids`, as far as the signed-in user may read users; an id that
 * cannot be read stays an id (a refund stays shown without its author's name).
 */
function useAdminNames(ids: Array<string | null>): Record<string, string> {
  const session = useSession();
  const canRead = session.status === 'signed-in' && session.can['users:read'];
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))].sort().join(',');
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!canRead || wanted === '') return;
    let current = true;
    void Promise.all(
      wanted.split(',').map((id) =>
        api.GET('/api/users/{id}', { params: { path: { id } } }).then(
          (user) => [id, user.name || user.email] as const,
          () => null,
        ),
      ),
    ).then((found) => {
      if (current) setNames(Object.fromEntries(found.filter((entry) => entry !== null)));
    });
    return () => {
      current = false;
    };
  }, [canRead, wanted]);
  return names;
}

/**
 * The admin's moves on a payment: "Mark as paid" for a manual payment still unpaid; the refund form
 * while something is left to refund, its amount starting at all that is left and its reason
 * required. The API's refusal is shown at the field it names (an amount above what is left); any
 * other refusal under the form. One Idempotency-Key per refund asked for, so a retry after a lost
 * answer cannot refund twice.
 */
function PaymentActions({ payment, onChanged }: { payment: Payment; onChanged: () => void }) {
  const left = refundableCents(payment);
  const [amount, setAmount] = useState(fromCents(left));
  const [reason, setReason] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ amount?: string; reason?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [working, setWorking] = useState<'mark-paid' | 'refund' | null>(null);
  const key = useRef<{ body: string; value: string } | null>(null);

  // What is left changes with each refund: the amount starts again from it.
  useEffect(() => {
    setAmount(fromCents(left));
  }, [left]);

  const canMarkPaid = payment.provider === 'manual' && payment.status === 'unpaid';
  const canRefund = (payment.status === 'paid' || payment.status === 'partially_refunded') && left > 0n;
  if (!canMarkPaid && !canRefund && !done) return null;

  async function markPaid(): Promise<void> {
    setWorking('mark-paid');
    setError(null);
    setDone(null);
    try {
      await api.POST('/api/orders/{orderId}/payment/mark-paid', { params: { path: { orderId: payment.orderId } } });
      setDone('Marked as paid.');
      onChanged();
    } catch (caught) {
      setError(describeFailure(asApiError(caught)));
    } finally {
      setWorking(null);
    }
  }

  async function refund(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setError(null);
    setDone(null);
    const refundAmount = parseRefundAmount(amount);
    const problems: { amount?: string; reason?: string } = {};
    if (refundAmount === null) problems.amount = 'Enter an amount such as 12.50.';
    if (!reason.trim()) problems.reason = 'Say why the money goes back: the customer sees it.';
    setFieldErrors(problems);
    if (problems.amount || problems.reason) return;
    const body = { amount: refundAmount!, reason: reason.trim() };
    const bodyText = JSON.stringify(body);
    // The same refund asked again (a retry) keeps its key; another one gets a new key.
    if (key.current?.body !== bodyText) key.current = { body: bodyText, value: newIdempotencyKey() };
    setWorking('refund');
    try {
      const made = await api.POST('/api/orders/{orderId}/refunds', {
        params: { path: { orderId: payment.orderId }, header: { 'idempotency-key': key.current.value } },
        body,
      });
      key.current = null;
      setReason('');
      setDone(`Refunded ${formatPrice(made.amount, payment.currency)}.`);
      onChanged();
    } catch (caught) {
      const failure = asApiError(caught);
      // A refusal is final for this body; a failure of the network or the provider may be retried with the same key.
      if (failure.status >= 400 && failure.status < 500) key.current = null;
      const amountReason = fieldErrorsUnder(failure, 'body.amount')[''];
      const reasonReason = fieldErrorsUnder(failure, 'body.reason')[''];
      if (amountReason || reasonReason) {
        setFieldErrors({
          ...(amountReason ? { amount: `The amount ${amountReason}` } : {}),
          ...(reasonReason ? { reason: `The reason ${reasonReason}` } : {}),
        });
      } else setError(describeFailure(failure));
    } finally {
      setWorking(null);
    }
  }

  return (
    <div className="payment-actions" style={{ marginTop: 16 }}>
      {canMarkPaid ? (
        <p>
          <button type="button" className="btn btn-primary" onClick={() => void markPaid()} disabled={working !== null}>
            {working === 'mark-paid' ? <span className="spinner" aria-hidden="true" /> : null} Mark as paid
          </button>{' '}
          <span className="muted small">once the transfer or the cash has arrived.</span>
        </p>
      ) : null}
      {canRefund ? (
        <form onSubmit={refund} noValidate aria-label="Refund">
          <h3 style={{ margin: '0 0 8px' }}>Refund</h3>
          <div className="toolbar" style={{ alignItems: 'flex-start' }}>
            <FormField id="refund-amount" label="Amount" error={fieldErrors.amount} hint={`Up to ${formatPrice(Number(fromCents(left)), payment.currency)}`}>
              {(aria) => (
                <input {...aria} type="text" inputMode="decimal" autoComplete="off" value={amount} onChange={(event) => setAmount(event.target.value)} />
              )}
            </FormField>
            <FormField id="refund-reason" label="Reason" error={fieldErrors.reason} className="grow">
              {(aria) => <input {...aria} type="text" maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />}
            </FormField>
          </div>
          <button type="submit" className="btn" disabled={working !== null}>
            {working === 'refund' ? <span className="spinner" aria-hidden="true" /> : null} Refund
          </button>
        </form>
      ) : null}
      <div aria-live="polite">
        {done ? (
          <p className="alert alert-success" role="status" style={{ marginTop: 12 }}>
            {done}
          </p>
        ) : null}
        {error ? (
          <p className="alert alert-error" role="alert" style={{ marginTop: 12 }}>
            {error}
          </p>
        ) : null}
      </div>
    </div>
  );
}
