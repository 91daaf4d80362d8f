'use client';

import { useSyncExternalStore } from 'react';
import type { Cart } from '@dema/contracts';
import { DemaApiError } from '@dema/client';
import { takeGuestCart } from './guest-cart.ts';
import { api } from './session.ts';

/**
 * The signed-in shopper's cart as the Order service keeps it (`/api/cart`), shared by the header's
 * count, the product page and the cart page so they never disagree.
 */
export type CartState = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; cart: Cart } | { status: 'error'; error: DemaApiError };

const idle: CartState = { status: 'idle' };
let state: CartState = idle;
const listeners = new Set<() => void>();

function publish(next: CartState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function useCart(): CartState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
    () => idle,
  );
}

/** Units in the cart (what the header shows). */
export const cartUnits = (cart: Cart): number => cart.items.reduce((sum, item) => sum + item.quantity, 0);

/** Loads the cart; keeps the last good one on screen while reloading. */
export async function loadCart(): Promise<void> {
  if (state.status !== 'ready') publish({ status: 'loading' });
  try {
    publish({ status: 'ready', cart: await api.GET('/api/cart') });
  } catch (error) {
    publish({ status: 'error', error: error instanceof DemaApiError ? error : DemaApiError.unreachable(error) });
  }
}

/** Forgets the cart (on sign-out). */
export const resetCart = (): void => publish(idle);

// The Order service keeps one line per product, or per variant for a product sold by variant.
const putItem = (productId: string, body: { quantity: number; variantId?: string }): Promise<Cart> =>
  api.PUT('/api/cart/items/{productId}', { params: { path: { productId } }, body });

/** Sets a line's quantity (adding the line if new); throws the API's problem when refused. */
export async function setCartItem(productId: string, quantity: number, variantId?: string | null): Promise<Cart> {
  const body: { quantity: number; variantId?: string } = { quantity };
  if (variantId) body.variantId = variantId;
  const cart = await putItem(productId, body);
  publish({ status: 'ready', cart });
  return cart;
}

/**
 * Adds `quantity` units to what the cart already holds of this product in this variant (another
 * variant of the same product is a line of its own).
 */
export async function addToCart(productId: string, quantity: number, variantId?: string | null): Promise<Cart> {
  if (state.status !== 'ready') await loadCart();
  const current =
    state.status === 'ready' ? state.cart.items.find((item) => item.productId === productId && (item.variantId ?? null) === (variantId ?? null)) : undefined;
  return setCartItem(productId, (current?.quantity ?? 0) + quantity, variantId);
}

/** Removes one line: the product, or the given variant of it. */
export async function removeCartItem(productId: string, variantId?: string | null): Promise<void> {
  const query = variantId ? { variantId } : undefined;
  publish({ status: 'ready', cart: await api.DELETE('/api/cart/items/{productId}', { params: { path: { productId }, query } }) });
}

/** Marks the cart as emptied after checkout (the Order service empties it when the order is placed). */
export const cartCheckedOut = (): void => {
  if (state.status === 'ready') publish({ status: 'ready', cart: { ...state.cart, items: [], subtotal: 0, problems: [] } });
};

/**
 * Moves what the visitor put in the cart before signing in into their account's cart (adding to
 * what it already held), then loads it; the cart reads as loading meanwhile, so no page shows it
 * half-merged. Lines the store refuses (sold out, gone) are dropped.
 */
export async function mergeGuestCart(): Promise<void> {
  const lines = takeGuestCart();
  if (lines.length > 0) {
    publish({ status: 'loading' });
    try {
      const held = await api.GET('/api/cart');
      for (const line of lines) {
        const current = held.items.find((item) => item.productId === line.productId && (item.variantId ?? null) === line.variantId);
        const quantity = (current?.quantity ?? 0) + line.quantity;
        const body: { quantity: number; variantId?: string } = { quantity: Math.min(1000, quantity) };
        if (line.variantId) body.variantId = line.variantId;
        await putItem(line.productId, body).catch(() => undefined);
      }
    } catch {
      // The cart could not be read: loadCart below reports it.
    }
  }
  await loadCart();
}
