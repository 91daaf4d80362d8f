'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { Cart, CartItem, Product } from '@dema/contracts';
import { useStoreCurrency } from './store-currency.tsx';
import { describeFailure } from '@dema/client';
import { loadCart, removeCartItem, setCartItem, useCart } from '../lib/cart.ts';
import { removeFromGuestCart, setGuestQuantity, useGuestCart, type GuestLine } from '../lib/guest-cart.ts';
import { formatPrice } from '@dema/contracts';
import { api, useSession } from '../lib/session.ts';
import { RequireSession } from './require-session.tsx';
import { EmptyState, ErrorState, Loading } from './states.tsx';

function CartLine({ item, problem, onError }: { item: CartItem; problem: string | undefined; onError: (message: string) => void }) {
  const currency = useStoreCurrency();
  const [busy, setBusy] = useState(false);
  const [quantity, setQuantity] = useState(String(item.quantity));
  const inputId = `qty-${item.productId}-${item.variantId ?? 'product'}`;

  async function run(action: () => Promise<unknown>): Promise<void> {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      onError(describeFailure(error));
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
          {formatPrice(item.price, currency)} each · {item.available > 0 ? `${item.available} available` : 'out of stock'}
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
          <button
            type="button"
            className="btn btn-small btn-danger"
            disabled={busy}
            onClick={() => void run(() => removeCartItem(item.productId, item.variantId))}
          >
            Remove<span className="visually-hidden"> {item.name}</span>
          </button>
        </div>
      </div>
      <div className="num" style={{ fontWeight: 700 }}>
        {formatPrice(item.lineTotal, currency)}
      </div>
    </li>
  );
}

function CartContents({ cart }: { cart: Cart }) {
  const currency = useStoreCurrency();
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
  const problems = new Map(cart.problems.map((p) => [`${p.productId}:${p.variantId ?? ''}`, p.reason]));
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
            <CartLine
              key={`${item.productId}:${item.variantId ?? ''}:${item.quantity}`}
              item={item}
              problem={problems.get(`${item.productId}:${item.variantId ?? ''}`)}
              onError={setError}
            />
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
          <span data-testid="cart-subtotal">{formatPrice(cart.subtotal, currency)}</span>
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

interface GuestRow {
  line: GuestLine;
  product: Product | null;
}

/** A visitor's cart (kept in this browser): current prices from the catalog, and the way to sign in and check out. */
function GuestCartView() {
  const currency = useStoreCurrency();
  const lines = useGuestCart();
  const [products, setProducts] = useState<Record<string, Product | null>>({});
  const key = lines.map((line) => line.productId).join(',');
  useEffect(() => {
    let current = true;
    Promise.all(
      key
        .split(',')
        .filter(Boolean)
        .map((id) =>
          api.GET('/api/products/{id}', { params: { path: { id } } }).then(
            (p) => [id, p] as const,
            () => [id, null] as const,
          ),
        ),
    ).then((entries) => current && setProducts(Object.fromEntries(entries)));
    return () => {
      current = false;
    };
  }, [key]);
  if (lines.length === 0) {
    return (
      <EmptyState
        title="Your cart is empty"
        action={
          <Link className="btn btn-primary" href="/products">
            Browse products
          </Link>
        }
      >
        <p>
          Find something you like and add it here. Have an account? <Link href="/login?next=/cart">Sign in</Link> to see your saved cart.
        </p>
      </EmptyState>
    );
  }
  const rows: GuestRow[] = lines.map((line) => ({ line, product: products[line.productId] ?? null }));
  const unitPrice = (row: GuestRow) => row.product?.variants.find((v) => v.id === row.line.variantId)?.price ?? row.product?.price ?? 0;
  const subtotalCents = rows.reduce((sum, row) => sum + Math.round(unitPrice(row) * 100) * row.line.quantity, 0);
  return (
    <div className="cart-layout">
      <section className="panel" aria-label="Items">
        <ul className="cart-lines">
          {rows.map((row) => {
            const variant = row.product?.variants.find((v) => v.id === row.line.variantId);
            const inputId = `guest-qty-${row.line.productId}-${row.line.variantId ?? 'product'}`;
            return (
              <li className="cart-line" key={`${row.line.productId}:${row.line.variantId ?? ''}`} data-testid="cart-line">
                {row.product?.images[0] ? <img src={row.product.images[0]} alt="" width={80} height={60} /> : <span />}
                <div>
                  <Link href={`/products/${row.line.productId}`}>
                    <strong>{row.product ? `${row.product.name}${variant ? ` — ${variant.name}` : ''}` : 'Loading…'}</strong>
                  </Link>
                  <div className="muted small">{row.product ? `${formatPrice(unitPrice(row), currency)} each` : ''}</div>
                  <div className="controls" style={{ marginTop: 8 }}>
                    <label htmlFor={inputId} className="visually-hidden">
                      Quantity
                    </label>
                    <input
                      id={inputId}
                      type="number"
                      min={1}
                      max={1000}
                      value={row.line.quantity}
                      onChange={(event) => setGuestQuantity(row.line.productId, row.line.variantId, Math.floor(Number(event.target.value) || 1))}
                    />
                    <button type="button" className="btn btn-small btn-danger" onClick={() => removeFromGuestCart(row.line.productId, row.line.variantId)}>
                      Remove
                    </button>
                  </div>
                </div>
                <div className="num" style={{ fontWeight: 700 }}>
                  {formatPrice((Math.round(unitPrice(row) * 100) * row.line.quantity) / 100, currency)}
                </div>
              </li>
            );
          })}
        </ul>
      </section>
      <aside className="panel" aria-labelledby="guest-summary">
        <h2 id="guest-summary">Summary</h2>
        <div className="summary-row total">
          <span>Subtotal</span>
          <span data-testid="cart-subtotal">{formatPrice(subtotalCents / 100, currency)}</span>
        </div>
        <p className="muted small">Sign in or create an account to check out; your cart comes with you.</p>
        <Link className="btn btn-primary btn-block" href="/login?next=/checkout">
          Sign in to check out
        </Link>
        <Link className="btn btn-block" style={{ marginTop: 8 }} href="/signup?next=/checkout">
          Create an account
        </Link>
      </aside>
    </div>
  );
}

/** The cart page: lines with quantities, problems, subtotal and the way to checkout. */
export function CartView() {
  const cart = useCart();
  const session = useSession();
  if (session.status === 'anonymous') return <GuestCartView />;
  return (
    <RequireSession reason="Sign in to see your cart.">
      {() => {
        if (cart.status === 'error') {
          return (
            <ErrorState
              title="We could not load your cart"
              message={describeFailure(cart.error)}
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
