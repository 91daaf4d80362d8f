'use client';

import Link from 'next/link';
import { cartUnits, useCart } from '../lib/cart.ts';
import { useGuestCart } from '../lib/guest-cart.ts';
import { useSession } from '../lib/session.ts';

/** The header's cart link with the number of units in the cart. */
export function CartLink() {
  const cart = useCart();
  const session = useSession();
  const guest = useGuestCart();
  const units = session.status === 'anonymous' ? guest.reduce((sum, line) => sum + line.quantity, 0) : cart.status === 'ready' ? cartUnits(cart.cart) : 0;
  return (
    <Link className="header-link cart-link" href="/cart" aria-label={`Cart, ${units} ${units === 1 ? 'item' : 'items'}`}>
      <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
        <circle cx="9" cy="20" r="1.5" />
        <circle cx="18" cy="20" r="1.5" />
        <path d="M2 3h3l2.4 12.2a2 2 0 0 0 2 1.6h8.8a2 2 0 0 0 2-1.5L22 7H6" />
      </svg>
      <span aria-hidden="true">Cart</span>
      {units > 0 ? (
        <span className="badge" data-testid="cart-count" aria-hidden="true">
          {units}
        </span>
      ) : null}
    </Link>
  );
}
