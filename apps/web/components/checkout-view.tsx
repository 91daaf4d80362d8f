'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { ErrorCode } from '@dema/contracts';
import { describeFailure, newIdempotencyKey, placeOrder, type DemaApiError } from '@dema/client';
import { cartCheckedOut, loadCart, useCart } from '../lib/cart.ts';
import { formatPrice } from '@dema/contracts';
import { api } from '../lib/session.ts';
import { RequireSession } from './require-session.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';

/**
 * Checkout: the cart reviewed line by line, then one "Place order" that turns the cart into an
 * order. The Idempotency-Key is made once per visit, so a double click or a retry after a network
 * failure cannot place two orders.
 */
export function CheckoutView() {
  const cart = useCart();
  const router = useRouter();
  const key = useRef<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function checkOut(): Promise<void> {
    key.current ??= newIdempotencyKey();
    setBusy(true);
    setError(null);
    try {
      const order = await placeOrder(api, { fromCart: true }, { idempotencyKey: key.current });
      cartCheckedOut();
      router.push(`/orders/${order.id}?placed=1`);
    } catch (caught) {
      const failure = caught as DemaApiError;
      // A refusal (stock ran out, cart changed) is final for this attempt: the next one gets a new key.
      if (failure.status >= 400 && failure.status < 500) key.current = null;
      setError(
        failure.code === ErrorCode.INSUFFICIENT_STOCK
          ? `${describeFailure(failure)} Your cart has been refreshed; adjust the quantities and try again.`
          : failure.code === ErrorCode.CART_EMPTY
            ? 'Your cart is empty.'
            : describeFailure(failure),
      );
      void loadCart();
      setBusy(false);
    }
  }

  return (
    <RequireSession reason="Sign in to check out.">
      {(user) => {
        if (cart.status === 'error') return <ErrorState title="We could not load your cart" message={describeFailure(cart.error)} />;
        if (cart.status !== 'ready') return <Loading label="Preparing checkout…" />;
        if (cart.cart.items.length === 0 && !busy) {
          return (
            <EmptyState
              title="Nothing to check out"
              action={
                <Link className="btn btn-primary" href="/products">
                  Browse products
                </Link>
              }
            >
              <p>Your cart is empty.</p>
            </EmptyState>
          );
        }
        const hasProblems = cart.cart.problems.length > 0;
        return (
          <div className="cart-layout">
            <section className="panel" aria-labelledby="review-heading">
              <h2 id="review-heading">Review your order</h2>
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">Item</th>
                      <th scope="col" className="num">
                        Qty
                      </th>
                      <th scope="col" className="num">
                        Price
                      </th>
                      <th scope="col" className="num">
                        Total
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {cart.cart.items.map((item) => (
                      <tr key={`${item.productId}:${item.variantId ?? ''}`}>
                        <td>{item.name}</td>
                        <td className="num">{item.quantity}</td>
                        <td className="num">{formatPrice(item.price)}</td>
                        <td className="num">{formatPrice(item.lineTotal)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="muted small" style={{ marginTop: 12 }}>
                Order confirmation goes to <strong>{user.email}</strong>.
              </p>
            </section>
            <aside className="panel" aria-labelledby="pay-heading">
              <h2 id="pay-heading">Total</h2>
              <div className="summary-row total">
                <span>Order total</span>
                <span data-testid="checkout-total">{formatPrice(cart.cart.subtotal)}</span>
              </div>
              <div aria-live="assertive">
                {error ? (
                  <div className="alert alert-error" role="alert" style={{ marginTop: 12 }}>
                    {error}
                  </div>
                ) : null}
              </div>
              {hasProblems ? (
                <p className="alert alert-warn small">
                  Some items cannot be ordered as they are. <Link href="/cart">Fix them in your cart</Link>.
                </p>
              ) : null}
              <button type="button" className="btn btn-primary btn-block" style={{ marginTop: 12 }} onClick={checkOut} disabled={busy || hasProblems}>
                {busy ? <span className="spinner" aria-hidden="true" /> : null} Place order
              </button>
              <p className="muted small" style={{ marginTop: 10 }}>
                <Link href="/cart">Back to cart</Link>
              </p>
            </aside>
          </div>
        );
      }}
    </RequireSession>
  );
}
