'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { Cart, CartItem } from '@dema/contracts';
import { loadCart, removeCartItem, setCartItem, useCart } from '../lib/cart.ts';
import { formatPrice } from '../lib/format.ts';
import type { ApiError } from '../lib/problem.ts';
import { RequireSession } from './require-session.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';

function CartLine({ item, problem, onError }: { item: CartItem; problem: string | undefined; onError: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [quantity, setQuantity] = useState(String(item.quantity));
  const inputId = `qty-${item.productId}`;

  async function run(action: () => Promise<unknown>): Promise<void> {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      onError((error as ApiError).message);
      setQuantity(String(item.quantity));
    } finally {
      setBusy(false);
    }
  }

  function commit(): void {
    const next = Math.floor(Number(quantity));
    if (!Number.isFinite(next) || next < 1) {
      setQuantity(String(item.quantity));
      return;
    }
    if (next !== item.quantity) void run(() => setCartItem(item.productId, next, item.variantId));
  }

  return (
    <li className="cart-line" data-testid="cart-line">
      {item.image ? <img src={item.image} alt="" width={80} height={60} /> : <span />}
      <div>
        <Link href={`/products/${item.productId}`}>
          <strong>{item.name}</strong>
        </Link>
        <div className="muted small">
          {formatPrice(item.price)} each · {item.available > 0 ? `${item.available} available` : 'out of stock'}
        </div>
        {problem ? (
          <div className="field-error" role="alert">
            {problem}
          </div>
        ) : null}
        <div className="controls" style={{ marginTop: 8 }}>
          <label htmlFor={inputId} className="visually-hidden">
            Quantity of {item.name}
          </label>
          <input
            id={inputId}
            type="number"
            min={1}
            max={1000}
            value={quantity}
            disabled={busy}
            onChange={(event) => setQuantity(event.target.value)}
            onBlur={commit}
            onKeyDown={(event) => {
              if (event.key === 'Enter') commit();
            }}
          />
          <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => void run(() => removeCartItem(item.productId))}>
            Remove<span className="visually-hidden"> {item.name}</span>
          </button>
        </div>
      </div>
      <div className="num" style={{ fontWeight: 700 }}>
        {formatPrice(item.lineTotal)}
      </div>
    </li>
  );
}

function CartContents({ cart }: { cart: Cart }) {
  const [error, setError] = useState<string | null>(null);
  if (cart.items.length === 0) {
    return (
      <EmptyState
        title="Your cart is empty"
        action={
          <Link className="btn btn-primary" href="/products">
            Browse products
          </Link>
        }
      >
        <p>Find something you like and add it here.</p>
      </EmptyState>
    );
  }
  const problems = new Map(cart.problems.map((p) => [p.productId, p.reason]));
  return (
    <div className="cart-layout">
      <section className="panel" aria-labelledby="lines-heading">
        <h2 id="lines-heading" className="visually-hidden">
          Items
        </h2>
        <div aria-live="assertive">
          {error ? (
            <div className="alert alert-error" role="alert">
              {error}
            </div>
          ) : null}
        </div>
        <ul className="cart-lines">
          {cart.items.map((item) => (
            <CartLine key={`${item.productId}:${item.variantId ?? ''}:${item.quantity}`} item={item} problem={problems.get(item.productId)} onError={setError} />
          ))}
        </ul>
      </section>
      <aside className="panel" aria-labelledby="summary-heading">
        <h2 id="summary-heading">Summary</h2>
        <div className="summary-row">
          <span>Items</span>
          <span>{cart.items.reduce((sum, item) => sum + item.quantity, 0)}</span>
        </div>
        <div className="summary-row total">
          <span>Subtotal</span>
          <span data-testid="cart-subtotal">{formatPrice(cart.subtotal)}</span>
        </div>
        {cart.problems.length > 0 ? (
          <p className="alert alert-warn small" style={{ marginTop: 12 }}>
            Fix the items marked above before checking out.
          </p>
        ) : null}
        <Link
          className="btn btn-primary btn-block"
          style={{ marginTop: 12 }}
          href="/checkout"
          aria-disabled={cart.problems.length > 0}
          onClick={(event) => {
            if (cart.problems.length > 0) event.preventDefault();
          }}
        >
          Checkout
        </Link>
        <p className="muted small" style={{ marginTop: 10 }}>
          Prices are confirmed when you place the order.
        </p>
      </aside>
    </div>
  );
}

/** The cart page: lines with quantities, problems, subtotal and the way to checkout. */
export function CartView() {
  const cart = useCart();
  return (
    <RequireSession reason="Sign in to see your cart.">
      {() => {
        if (cart.status === 'error') {
          return (
            <ErrorState
              title="We could not load your cart"
              message={cart.error.message}
              action={
                <button type="button" className="btn" onClick={() => void loadCart()}>
                  Try again
                </button>
              }
            />
          );
        }
        if (cart.status !== 'ready') return <Loading label="Loading your cart…" />;
        return <CartContents cart={cart.cart} />;
      }}
    </RequireSession>
  );
}
